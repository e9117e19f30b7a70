"""Remove a person's second-factor devices (a lost phone): they enrol again at their next
sign-in. Check who is asking before running it — in person or on a call you placed — since
this is exactly what someone holding a stolen password would ask for (R42)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from wagtail.log_actions import log

from cms.users.two_factor import two_factor_reset


class Command(BaseCommand):
    help = "Remove every two-factor device of a user, who then enrols again at next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        removed = two_factor_reset(user=user)
        log(user, "users.two_factor_reset", user=None)
        self.stdout.write(
            f"Removed {removed} device(s) of user #{user.pk}; they enrol again at next sign-in."
        )
