"""Hourly: take down stories whose consent expired; remind case workers 30 days ahead."""

from django.core.management.base import BaseCommand

from stories.expiry import consent_reminders_send, consents_expire


class Command(BaseCommand):
    help = "Take down stories whose consent is no longer current; send expiry reminders."

    def handle(self, *args, **options):
        taken_down = consents_expire()
        reminders = consent_reminders_send()
        self.stdout.write(
            f"Taken down: {len(taken_down)} storyteller(s) {' '.join(taken_down)}; "
            f"reminders sent: {reminders}."
        )
