"""Demo gifts: fictional, already paid, booked in the ledger without Stripe; idempotent."""

from io import StringIO

from django.core.management import call_command

from cms.donations.demo import donations_demo_ensure
from cms.donations.models import Donation, LedgerEntry
from cms.donations.selectors import totals
from cms.emails.models import OutboxMessage


def test_demo_gifts_fill_the_ledger_once(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    output = StringIO()
    call_command("load_demo_data", stdout=output)  # books the demo gifts itself

    again = donations_demo_ensure()

    assert "Demo gifts booked in the ledger: 9" in output.getvalue()
    assert again == 0
    assert Donation.objects.filter(status="paid").count() == 9
    assert LedgerEntry.objects.filter(kind="gift").count() == 9
    assert all(d.email.endswith("@example.org") for d in Donation.objects.all())
    assert not OutboxMessage.objects.exists()  # demo gifts send no email
    site = totals()
    assert dict(site.raised) == {"THB": 1_000_000, "USD": 79_500}
    assert site.needs_funded == 1
    assert site.people_supported == 3
