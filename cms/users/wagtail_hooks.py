"""Registers the two-factor screens under /admin/two-factor/ and links them from the account
page. The screens are in views.py; the rules in two_factor.py."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cms.users import views


@hooks.register("register_admin_urls")
def register_two_factor_urls():
    return [
        path("two-factor/", views.two_factor_manage, name="users_two_factor_manage"),
        path("two-factor/verify/", views.two_factor_verify, name="users_two_factor_verify"),
        path("two-factor/setup/", views.two_factor_setup, name="users_two_factor_setup"),
        path(
            "two-factor/backup-codes/",
            views.two_factor_backup_codes_new,
            name="users_two_factor_backup_codes_new",
        ),
    ]


@hooks.register("register_account_menu_item")
def two_factor_account_item(request):
    return {
        "url": reverse("users_two_factor_manage"),
        "label": _("Two-factor authentication"),
        "help_text": _("See how many backup codes you have left, or make new ones."),
    }


@hooks.register("register_log_actions")
def register_two_factor_log_actions(actions):
    actions.register_action(
        "users.two_factor_reset", _("Reset two-factor"), _("Two-factor devices removed")
    )
