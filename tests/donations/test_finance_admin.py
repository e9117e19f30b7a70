"""Finance sees donations and the ledger (lists, filters, exports) and can refund; it never
sees who a storyteller is. Nobody edits money in the admin. Moderators see messages only."""

import csv
import io
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cms.donations import targets
from cms.donations.models import Donation, HopeMessage
from tests.donations.helpers import PSEUDONYM, deliver, donatable_story, give, needs_of
from tests.factories import staff_in


@pytest.fixture
def story(home_page):
    return donatable_story(home_page)


@pytest.fixture
def donation(client, fake_stripe, story):
    need = needs_of(story)[0]
    donation, session_id = give(
        target=targets.target_for_need(need.translation_key),
        amount_minor=250_000,
        email="test-donor@example.org",
        message="You are not alone",
        display_name="A neighbour",
    )
    deliver(client, fake_stripe.complete_session(session_id))
    donation.refresh_from_db()
    return donation


@pytest.fixture
def finance(client, db):
    user = staff_in("Finance")
    client.force_login(user)
    return user


def text(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_finance_lists_donations_with_need_and_story_titles_only(client, donation, finance, story):
    response = client.get(reverse("donations_finance:index"))

    html = text(response)
    assert response.status_code == 200
    assert needs_of(story)[0].title in html
    assert story.title in html
    assert "2,500 THB" in html
    for secret in (PSEUDONYM, story.storyteller.case_code, "test-donor@example.org"):
        assert secret not in html
    # Linked to the gift's page.
    inspect = reverse("donations_finance:inspect", args=[donation.pk])
    assert f'href="{inspect}"' in html


def test_finance_shows_when_a_gift_was_given_in_the_sites_time_zone(
    client, donation, finance, settings
):
    settings.TIME_ZONE = "Asia/Bangkok"  # seven hours ahead of the stored UTC time
    html = text(client.get(reverse("donations_finance:index")))

    bangkok = donation.created_at.astimezone(ZoneInfo("Asia/Bangkok"))
    assert bangkok.strftime("%Y-%m-%d %H:%M") in html
    assert donation.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") not in html


def test_finance_filters_donations(client, donation, finance, fake_stripe):
    give(amount_minor=1_000, currency="USD")  # still waiting for payment

    paid = text(client.get(reverse("donations_finance:index"), {"status": "paid"}))
    waiting = text(client.get(reverse("donations_finance:index"), {"status": "pending"}))

    assert "2,500 THB" in paid
    assert "10 USD" not in paid
    assert "10 USD" in waiting
    assert "2,500 THB" not in waiting


def test_finance_exports_donations_as_csv_without_donor_addresses(client, donation, finance, story):
    response = client.get(reverse("donations_finance:index"), {"export": "csv"})

    body = text(response)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert response["Content-Type"] == "text/csv"
    assert 'filename="donations.csv"' in response["Content-Disposition"]
    assert rows[0]["Reference"] == str(donation.pk)
    assert rows[0]["Amount (minor units)"] == "250000"
    assert rows[0]["Given to"].startswith("Need: ")
    for secret in ("test-donor@example.org", PSEUDONYM, story.storyteller.case_code):
        assert secret not in body


def test_finance_exports_the_ledger(client, donation, finance):
    response = client.get(reverse("ledger:index"), {"export": "csv", "kind": "gift"})

    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert [(row["Kind"], row["Amount (minor units)"], row["Currency"]) for row in rows] == [
        ("gift", "250000", "THB")
    ]
    assert rows[0]["Donation"] == str(donation.pk)


def test_finance_refunds_from_the_donation_page(client, donation, finance, fake_stripe):
    inspect = client.get(reverse("donations_finance:inspect", args=[donation.pk]))
    assert "Refund" in text(inspect)

    response = client.post(
        reverse("donations_finance:refund", args=[donation.pk]), {"amount": "1,000"}
    )

    assert response.status_code == 302
    (request,) = fake_stripe.requests_to("POST", "/v1/refunds")
    assert request.form["amount"] == "100000"
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PARTIALLY_REFUNDED


def test_a_refund_larger_than_what_is_left_is_refused(client, donation, finance, fake_stripe):
    response = client.post(
        reverse("donations_finance:refund", args=[donation.pk]), {"amount": "5000"}
    )

    assert response.status_code == 200
    assert "Enter an amount up to 2,500 THB." in text(response)
    assert not fake_stripe.requests_to("POST", "/v1/refunds")


@pytest.mark.parametrize("group", ["Editors", "Case workers", "Moderators", "Translators"])
def test_other_staff_see_no_money_and_cannot_refund(client, donation, fake_stripe, group):
    client.force_login(staff_in(group))

    listing = client.get(reverse("donations_finance:index"))
    refund = client.post(reverse("donations_finance:refund", args=[donation.pk]))

    assert listing.status_code != 200
    assert refund.status_code in {302, 403}
    assert not fake_stripe.requests_to("POST", "/v1/refunds")


def test_nobody_edits_or_deletes_money_in_the_admin(client, donation):
    client.force_login(staff_in("Finance", is_superuser=True))

    for name in ("edit", "delete"):
        response = client.get(reverse(f"donations_finance:{name}", args=[donation.pk]))
        assert response.status_code != 200
    assert client.get(reverse("donations_finance:add")).status_code != 200


def test_the_finance_group_holds_exactly_the_donation_permissions(db):
    finance = set(Group.objects.get(name="Finance").permissions.values_list("codename", flat=True))

    assert {"view_donation", "refund_donation", "view_ledgerentry", "view_monthlygift"} <= finance
    assert not {"change_donation", "delete_ledgerentry", "view_hopemessage"} & finance


def test_moderators_approve_messages_and_never_see_amounts(client, donation):
    client.force_login(staff_in("Moderators"))
    message = HopeMessage.objects.get()

    listing = client.get(reverse("hope_messages:index"))
    response = client.post(
        reverse("hope_messages:moderate", args=[message.pk]), {"decision": "approve"}
    )

    assert "You are not alone" in text(listing)
    assert "2,500" not in text(listing)
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == HopeMessage.Status.APPROVED


def test_messages_of_unpaid_gifts_are_shown_to_nobody(client, fake_stripe, home_page):
    give(amount_minor=1_000, currency="USD", message="Unpaid hello")
    client.force_login(staff_in("Moderators"))

    assert "Unpaid hello" not in text(client.get(reverse("hope_messages:index")))


def test_a_rejected_message_keeps_no_text(client, donation):
    client.force_login(staff_in("Moderators"))
    message = HopeMessage.objects.get()

    client.post(reverse("hope_messages:moderate", args=[message.pk]), {"decision": "reject"})
    client.post(reverse("hope_messages:moderate", args=[message.pk]), {"decision": "approve"})

    message.refresh_from_db()
    assert (message.status, message.text, message.display_name) == ("rejected", "", "")
