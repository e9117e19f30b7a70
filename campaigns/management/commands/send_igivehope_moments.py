"""``manage.py send_igivehope_moments``: queue the moment emails that are due (every minute).

Exactly once per supporter and resumable: running it again, or after a crash, sends only
what was not sent. ``--task`` queues the background task instead of working inline.
"""

from django.core.management.base import BaseCommand

from campaigns.services import igivehope_moments_send


class Command(BaseCommand):
    help = "Queue #igivehope moment emails that are due (idempotent; run every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--task", action="store_true", help="Queue the background task.")

    def handle(self, *args, task: bool, **options):
        if task:
            from campaigns.tasks import igivehope_moments_send_task

            igivehope_moments_send_task.enqueue()
            self.stdout.write("Moment task queued.")
            return
        sent = igivehope_moments_send()
        self.stdout.write(f"Moment emails queued: {sent}")
