from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from stories import admin_urls
from stories.viewsets import storyteller_viewset


@hooks.register("register_admin_viewset")
def register_storyteller_viewset():
    return storyteller_viewset


@hooks.register("register_admin_urls")
def register_private_record_urls():
    return [path("storytellers-private/", include(admin_urls, namespace="stories_admin"))]


class AccessLogMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("stories.view_accesslogentry")


@hooks.register("register_reports_menu_item")
def register_access_log_menu_item():
    return AccessLogMenuItem(
        _("Private data access log"), reverse_lazy("stories_admin:access_log"), icon_name="lock"
    )
