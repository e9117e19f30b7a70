"""``python manage.py reconcile_stripe --since 72h``: see cms/donations/reconcile.py.

Exits with an error when something does not match (or Stripe cannot be reached), so that the
scheduler that runs it hourly alerts someone.
"""

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from cms.donations import stripe_gateway as gateway
from cms.donations.reconcile import stripe_reconcile

UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def duration(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)([mhd])", text.strip())
    if not match:
        raise CommandError("--since takes a number and a unit: 90m, 72h or 7d.")
    return timedelta(**{UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = "Fulfil anything paid at Stripe but missing here, and report mismatches."

    def add_arguments(self, parser):
        parser.add_argument("--since", default="72h", help="How far back: 90m, 72h, 7d.")

    def handle(self, *args, since: str, **options):
        try:
            report = stripe_reconcile(since=duration(since))
        except gateway.StripeUnavailable as error:
            raise CommandError(f"Stripe cannot be reached: {error}") from error
        self.stdout.write(
            f"events: {report.events_seen} seen, {report.events_applied} applied; "
            f"sessions checked: {report.sessions_checked}; repaired: {len(report.repaired)}; "
            f"withdrawal refunds retried: {report.refunds_retried}; "
            f"mismatches: {len(report.mismatches)}"
        )
        for line in report.repaired:
            self.stdout.write(f"repaired  {line}")
        for line in report.mismatches:
            self.stdout.write(f"MISMATCH  {line}")
        if report.mismatches:
            raise CommandError(f"{len(report.mismatches)} mismatch(es) with Stripe: see above.")
