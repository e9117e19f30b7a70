"""``manage.py purge_campaign_data``: delete supporters and messages of hope of campaigns
that ended more than ``CAMPAIGN_DATA_RETENTION_DAYS`` ago (daily)."""

from django.core.management.base import BaseCommand

from campaigns.services import campaign_data_purge


class Command(BaseCommand):
    help = "Delete supporters and wall messages of campaigns past their retention period."

    def handle(self, *args, **options):
        report = campaign_data_purge()
        self.stdout.write(
            f"Deleted {report.supporters} supporters and {report.messages} messages of hope."
        )
