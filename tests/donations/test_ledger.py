"""The ledger: where every gift is, what needs have raised, and that nobody can rewrite it."""

import functools

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from wagtail.models import Locale
from wagtail_localize.models import TranslationSource

from cms.donations import ledger, selectors, targets
from cms.donations.models import Donation, Fund, LedgerEntry, WithdrawalChoice
from cms.donations.templatetags.donations import need_funded
from stories.models import StoryNeed
from tests.donations.helpers import at_once, deliver, donatable_story, give, needs_of


@pytest.fixture
def story(home_page):
    return donatable_story(home_page)


def paid_gift(client, fake_stripe, *, target, amount_minor, currency="THB"):
    donation, session_id = give(target=target, amount_minor=amount_minor, currency=currency)
    deliver(client, fake_stripe.complete_session(session_id))
    donation.refresh_from_db()
    return donation


def balances(donation):
    return {(fund.kind, fund.key): amount for fund, amount in ledger.donation_balances(donation)}


def test_a_gift_within_the_goal_stays_with_the_need(client, fake_stripe, story):
    first, _second = needs_of(story)
    target = targets.target_for_need(first.translation_key)

    donation = paid_gift(client, fake_stripe, target=target, amount_minor=400_000)

    assert balances(donation) == {("need", first.translation_key): 400_000}
    assert selectors.need_funded_minor(need_key=first.translation_key) == 400_000


def test_what_a_need_cannot_take_goes_to_the_next_need_then_the_general_fund(
    client, fake_stripe, story
):
    first, second = needs_of(story)  # goals 1,000,000 and 300,000 THB
    target = targets.target_for_need(first.translation_key)
    paid_gift(client, fake_stripe, target=target, amount_minor=900_000)

    donation = paid_gift(client, fake_stripe, target=target, amount_minor=500_000)

    assert balances(donation) == {
        ("need", first.translation_key): 100_000,
        ("need", second.translation_key): 300_000,
        ("general", None): 100_000,
    }
    funded = selectors.needs_funded_minor(need_keys=[first.translation_key, second.translation_key])
    assert funded == {first.translation_key: 1_000_000, second.translation_key: 300_000}
    reasons = set(
        LedgerEntry.objects.filter(donation=donation)
        .exclude(kind="fee")
        .values_list("reason", flat=True)
    )
    assert reasons == {"", "overflow"}


def test_a_need_that_is_already_met_sends_the_whole_gift_on(client, fake_stripe, home_page):
    page = donatable_story(
        home_page, needs=[("Rent for a stall", "small-business", 100_000, "THB")]
    )
    (need,) = needs_of(page)
    target = targets.target_for_need(need.translation_key)
    paid_gift(client, fake_stripe, target=target, amount_minor=100_000)

    donation = paid_gift(client, fake_stripe, target=target, amount_minor=50_000)

    assert balances(donation) == {("general", None): 50_000}
    page_html = client.get(f"/donate/need/{need.translation_key}/").content.decode()
    assert "This need is already met." in page_html
    assert "Your gift will go to the general survivor fund" in page_html


def test_every_locale_of_a_need_is_one_fund(client, fake_stripe, story):
    need = needs_of(story)[0]
    paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_need(need.translation_key),
        amount_minor=200_000,
    )
    thai, _ = Locale.objects.get_or_create(language_code="th")
    TranslationSource.get_or_create_from_instance(story)
    story.copy_for_translation(thai, copy_parents=True)
    thai_need = StoryNeed.objects.get(translation_key=need.translation_key, locale=thai)

    assert thai_need.pk != need.pk
    assert need_funded(thai_need) == need_funded(need) == 200_000
    assert Fund.objects.filter(kind="need", key=need.translation_key).count() == 1


def test_totals_count_money_needs_met_and_people(client, fake_stripe, home_page):
    one = donatable_story(home_page, needs=[("Bus fare home", "journey-home", 5_000, "USD")])
    two = donatable_story(home_page, pseudonym="Placeholda")
    (fare,) = needs_of(one)
    paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_need(fare.translation_key),
        amount_minor=5_000,
        currency="USD",
    )
    paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_story(two.translation_key),
        amount_minor=150_000,
    )
    paid_gift(client, fake_stripe, target=targets.GENERAL, amount_minor=2_500, currency="USD")

    totals = selectors.totals()

    assert totals.raised == [("THB", 150_000), ("USD", 7_500)]
    assert totals.needs_funded == 1
    assert totals.people_supported == 2
    assert totals.anything_raised


def test_totals_are_empty_before_any_gift(db):
    assert selectors.totals() == selectors.Totals()


def test_refunds_lower_the_funded_amount(client, fake_stripe, story):
    need = needs_of(story)[0]
    donation = paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_need(need.translation_key),
        amount_minor=300_000,
    )

    deliver(client, fake_stripe.refund(donation.stripe_charge_id, 100_000))

    assert selectors.need_funded_minor(need_key=need.translation_key) == 200_000
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.PARTIALLY_REFUNDED


def test_fees_are_booked_to_the_general_fund_so_needs_get_the_whole_gift(
    client, fake_stripe, story
):
    need = needs_of(story)[0]
    donation = paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_need(need.translation_key),
        amount_minor=300_000,
    )

    fee = LedgerEntry.objects.get(donation=donation, kind="fee")

    assert fee.fund.kind == Fund.Kind.GENERAL
    assert fee.amount_minor < 0
    assert selectors.need_funded_minor(need_key=need.translation_key) == 300_000


def test_the_ledger_is_append_only(client, fake_stripe, home_page):
    donation = paid_gift(
        client, fake_stripe, target=targets.GENERAL, amount_minor=10_000, currency="USD"
    )
    entry = LedgerEntry.objects.filter(donation=donation).first()

    entry.amount_minor = 1
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_minor=1)
    with pytest.raises(ValidationError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    for sql in (
        "UPDATE donations_ledgerentry SET amount_minor = 1 WHERE id = %s",
        "DELETE FROM donations_ledgerentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])


def test_a_gift_is_booked_once_even_if_asked_twice(client, fake_stripe, home_page):
    donation = paid_gift(
        client, fake_stripe, target=targets.GENERAL, amount_minor=10_000, currency="USD"
    )

    assert ledger.gift_record(donation=donation) == []
    assert LedgerEntry.objects.filter(donation=donation, kind="gift").count() == 1


def test_finance_labels_name_needs_and_stories_but_never_the_storyteller(
    client, fake_stripe, story
):
    need = needs_of(story)[0]
    donation = paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_need(need.translation_key),
        amount_minor=10_000,
    )

    label = selectors.fund_label(donation.target)

    assert need.title in label
    assert story.title in label
    assert story.storyteller.pseudonym not in label
    assert story.storyteller.case_code not in label
    assert selectors.fund_purpose(donation.target) == "a survivor's need: small business"


def test_the_donor_choice_defaults_to_the_general_fund(client, fake_stripe, story):
    donation, _ = give(target=targets.target_for_story(story.translation_key))
    assert donation.on_withdrawal == WithdrawalChoice.GENERAL


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_gifts_at_once_never_overfill_a_need(fake_stripe, home_page):

    from django.test import Client

    page = donatable_story(home_page)
    first, second = needs_of(page)  # goals 1,000,000 and 300,000 THB
    target = targets.target_for_need(first.translation_key)
    events = []
    for _ in range(2):
        _donation, session_id = give(target=target, amount_minor=600_000)
        events.append(fake_stripe.complete_session(session_id))

    at_once(*[functools.partial(deliver, Client(), event) for event in events])

    funded = selectors.needs_funded_minor(need_keys=[first.translation_key, second.translation_key])
    assert funded == {first.translation_key: 1_000_000, second.translation_key: 200_000}


def test_the_totals_are_cached_and_a_committed_gift_moves_them(
    client, fake_stripe, home_page, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert selectors.totals() == selectors.Totals()
    with CaptureQueriesContext(connection) as queries:
        assert selectors.totals() == selectors.Totals()
    assert len(queries) == 0  # cached

    with django_capture_on_commit_callbacks(execute=True):
        paid_gift(client, fake_stripe, target=targets.GENERAL, amount_minor=2_500, currency="USD")

    assert selectors.totals().raised == [("USD", 2_500)]


def test_a_story_pages_needs_show_each_gift_though_their_sql_is_compiled_once(
    client, fake_stripe, story
):
    """The story page reads its needs through SQL compiled once (cms/core/sql.py): the
    figures are read afresh each time, as whole numbers, as the ORM gives them."""
    from stories.selectors import needs_with_funding, page_needs_with_funding

    first, _second = needs_of(story)
    before = {need.pk: need.funded_minor for need in page_needs_with_funding(page_id=story.pk)}

    paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_need(first.translation_key),
        amount_minor=400_000,
    )

    after = [(need.pk, need.funded_minor) for need in page_needs_with_funding(page_id=story.pk)]
    assert dict(after)[first.pk] == before[first.pk] + 400_000
    assert all(type(funded) is int for _pk, funded in after)
    assert after == [
        (need.pk, need.funded_minor) for need in needs_with_funding(page_ids=[story.pk])
    ]
