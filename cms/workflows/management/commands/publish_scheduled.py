"""``publish_scheduled`` that keeps going past a blocked revision and says which.

Wagtail's own command stops at the first revision that raises (its loop has no error
handling: reference/wagtail-internals.md P5), so one story whose consent lapsed before its
go-live would hold back every later scheduled page. This command (ours shadows Wagtail's,
being earlier in INSTALLED_APPS) publishes each due revision in its own savepoint, reports
the ones the publish gate refuses — page id and reasons, never content — and leaves them
scheduled so they go live once the reason is fixed. Expired pages are unpublished as before.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Revision

from cms.core.publishing import PublishGateError


class Command(BaseCommand):
    help = "Publish revisions whose go-live time has come; unpublish expired pages."

    def add_arguments(self, parser):
        parser.add_argument("--dryrun", action="store_true", help="Report, change nothing.")

    def handle(self, *args, dryrun: bool = False, **options):
        now = timezone.now()
        for page in Page.objects.live().filter(expire_at__lt=now).specific():
            self.stdout.write(f"Expiring page {page.pk}")
            if not dryrun:
                page.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")

        published, blocked = 0, 0
        due = Revision.page_revisions.filter(approved_go_live_at__lt=now).order_by(
            "approved_go_live_at"
        )
        for revision in due:
            if dryrun:
                self.stdout.write(
                    f"Would publish revision {revision.pk} of page {revision.object_id}"
                )
                continue
            try:
                with transaction.atomic():
                    revision.publish(log_action="wagtail.publish.scheduled")
            except (PublishGateError, ValidationError) as refusal:
                blocked += 1
                codes = ", ".join(
                    blocker.code for blocker in getattr(refusal, "blockers", [])
                ) or "; ".join(refusal.messages)
                self.stderr.write(
                    f"Blocked: revision {revision.pk} of page {revision.object_id} ({codes})"
                )
            else:
                published += 1
        self.stdout.write(f"Published {published} scheduled revision(s); {blocked} blocked.")
