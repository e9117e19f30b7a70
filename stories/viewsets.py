"""The storyteller list and its create/edit forms, for case workers."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from stories.models import Storyteller
from stories.permissions import storytellers_for_user


class AssignedOnlyMixin:
    """Only storytellers assigned to the user exist, as far as these views are concerned."""

    def get_base_queryset(self):
        return storytellers_for_user(self.request.user)

    def get_object(self, queryset=None):
        return super().get_object(storytellers_for_user(self.request.user))


class StorytellerIndexView(AssignedOnlyMixin, generic.IndexView):
    pass


class StorytellerEditView(AssignedOnlyMixin, generic.EditView):
    pass


def record_url(storyteller: Storyteller) -> str:
    return reverse("stories_admin:record", args=[storyteller.pk])


class StorytellerViewSet(ModelViewSet):
    model = Storyteller
    icon = "user"
    menu_label = _("Storytellers")
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = StorytellerIndexView
    edit_view_class = StorytellerEditView
    form_fields = ["pseudonym", "is_child", "case_workers"]
    copy_view_enabled = False
    search_fields = ["case_code", "pseudonym"]
    list_display = [
        TitleColumn("case_code", label=_("Case code"), get_url=record_url),
        "pseudonym",
        Column("consent_summary", label=_("Consent")),
        "is_child",
    ]


storyteller_viewset = StorytellerViewSet("storytellers")
