"""``python manage.py send_outbox``: send what is due and prune old messages.

Messages are normally sent by a task queued when they are written; run this every few
minutes (cron or a systemd timer) as well, so that retries and anything whose task was lost
still go out.
"""

from django.core.management.base import BaseCommand

from cms.emails.sender import outbox_prune, outbox_send_due


class Command(BaseCommand):
    help = "Send the due messages of the email outbox, with retries; prune old ones."

    def handle(self, *args, **options):
        report = outbox_send_due()
        pruned = outbox_prune()
        self.stdout.write(
            f"sent {report.sent}, retrying {report.retrying}, given up {report.dead}, "
            f"pruned {pruned}"
        )
