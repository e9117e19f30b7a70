"""The donate pages: what the donor sees, what reaches Stripe, and bad input never a 500."""

import time
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from cms.donations.models import Donation, HopeMessage, MonthlyGift
from cms.donations.selectors import hope_messages_for_moderation
from stories import services as story_services
from tests.donations.helpers import PSEUDONYM, STORY_TITLE, donatable_story, needs_of
from tests.factories import staff_in

UUID_OR_KIND = {"general", "need", "story", "campaign", "en", "th"}


def valid_post(**overrides):
    data = {
        "frequency": "one_off",
        "amount": "",
        "other_amount": "25",
        "currency": "USD",
        "email": "test-donor@example.org",
        "display_name": "",
        "message": "",
        "on_withdrawal": "general",
        "website": "",
    }
    data.update(overrides)
    return data


def checkout_requests(fake):
    return fake.requests_to("POST", "/v1/checkout/sessions")


@pytest.fixture
def story(home_page):
    return donatable_story(home_page)


def test_the_general_fund_page_offers_presets_and_currencies(client, fake_stripe, home_page):
    response = client.get("/donate/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Give to every survivor we help" in html
    assert "You are giving in USD." in html
    assert 'href="?currency=THB"' in html
    assert "25 USD" in html
    assert "temporarily unavailable" not in html


def test_thai_visitors_start_in_baht(client, fake_stripe, home_page):
    response = client.get("/th/donate/")

    assert response.status_code == 200
    assert response.context["currency"] == "THB"


def test_a_need_page_shows_the_need_its_progress_and_where_extra_money_goes(
    client, fake_stripe, story
):
    need = needs_of(story)[0]

    response = client.get(reverse("donations:need", args=[need.translation_key]))

    html = response.content.decode()
    assert response.status_code == 200
    assert need.title in html
    assert "0 THB raised of" in html or "฿0 THB raised of" in html
    assert "the rest goes to this story" in html
    assert "This need is funded in THB" in html


def test_old_query_links_redirect_to_the_need_page(client, story):
    need = needs_of(story)[0]

    response = client.get(f"/donate/?need={need.translation_key}")

    assert response.status_code == 302
    assert response["Location"] == reverse("donations:need", args=[need.translation_key])


@pytest.mark.parametrize("path", ["/donate/need/{}/", "/donate/story/{}/", "/donate/campaign/{}/"])
def test_unknown_targets_are_not_found(client, home_page, path):
    assert client.get(path.format(uuid.uuid4())).status_code == 404
    assert client.get("/donate/?need=not-a-uuid").status_code == 404


def test_a_story_that_is_not_live_takes_no_gifts(client, home_page):
    from tests.factories import StorytellerFactory, consent_give, story_page

    case_worker = staff_in("Case workers")
    storyteller = StorytellerFactory(case_workers=[case_worker])
    consent_give(storyteller, by=case_worker)
    draft = story_page(home_page, storyteller)

    assert client.get(reverse("donations:story", args=[draft.translation_key])).status_code == 404


def test_a_withdrawn_story_takes_no_gifts(client, fake_stripe, story):
    need = needs_of(story)[0]
    story_services.consent_withdraw(storyteller=story.storyteller, by=staff_in("Case workers"))

    assert client.get(reverse("donations:need", args=[need.translation_key])).status_code == 404
    assert client.get(reverse("donations:story", args=[story.translation_key])).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"other_amount": "0"}, "Enter an amount greater than zero."),
        ({"other_amount": "-5"}, "Enter an amount greater than zero."),
        ({"other_amount": "NaN"}, "Enter the amount in numbers only"),
        ({"other_amount": "1.234"}, "Enter USD amounts with at most 2 decimal places."),
        ({"other_amount": "10001"}, "The largest gift we can take online is 10,000 USD."),
        ({"other_amount": "2"}, "The smallest gift we can accept is 5 USD."),
        ({"currency": "XYZ"}, "Choose one of the currencies offered."),
        ({"email": ""}, "Enter your email address, so that we can send your receipt."),
        ({"email": "not-an-address"}, "Enter an email address in the correct format"),
        ({"other_amount": "", "amount": ""}, "Choose an amount, or enter another amount."),
        ({"other_amount": "", "amount": "999"}, "Choose one of the amounts shown"),
        ({"frequency": "weekly"}, "Select a valid choice"),
        ({"message": "x" * 501}, "Use 500 characters or fewer."),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_reaches_stripe(
    client, fake_stripe, home_page, overrides, message
):
    response = client.post("/donate/", valid_post(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert html.count(message) >= 2 or message.startswith("Select")  # summary and field
    assert 'class="error-summary"' in html
    assert not checkout_requests(fake_stripe)
    assert not Donation.objects.exists()


def test_the_error_summary_links_to_each_field(client, fake_stripe, home_page):
    response = client.post("/donate/", valid_post(other_amount="NaN", email=""))

    html = response.content.decode()
    assert '<a href="#id_other_amount">' in html
    assert '<a href="#id_email">' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html


def test_a_gift_goes_to_stripe_checkout_with_the_amount_and_only_opaque_ids(
    client, fake_stripe, home_page
):
    response = client.post("/donate/", valid_post(other_amount="25.50"))

    donation = Donation.objects.get()
    session = fake_stripe.get("sessions", donation.stripe_checkout_session_id)
    assert response.status_code == 303
    assert response["Location"] == session["url"]
    (sent,) = checkout_requests(fake_stripe)
    assert sent.form["mode"] == "payment"
    assert sent.form["submit_type"] == "donate"
    assert sent.form["line_items[0][price_data][unit_amount]"] == "2550"
    assert sent.form["line_items[0][price_data][currency]"] == "usd"
    assert sent.headers["Idempotency-Key"] == f"checkout-{donation.pk}"
    metadata = {key: value for key, value in sent.form.items() if "metadata" in key}
    assert metadata["metadata[donation_id]"] == str(donation.pk)
    assert metadata["payment_intent_data[metadata][donation_id]"] == str(donation.pk)
    for value in metadata.values():
        assert value in UUID_OR_KIND or value == "" or uuid.UUID(value)
    assert donation.amount_minor == 2550
    assert donation.status == Donation.Status.PENDING


def test_a_gift_to_a_need_is_in_the_needs_currency_and_never_names_the_story(
    client, fake_stripe, story
):
    need = needs_of(story)[0]

    response = client.post(
        reverse("donations:need", args=[need.translation_key]),
        valid_post(
            currency="THB", other_amount="2,500", message="Keep going!", display_name="A friend"
        ),
    )

    assert response.status_code == 303
    (sent,) = checkout_requests(fake_stripe)
    assert sent.form["line_items[0][price_data][currency]"] == "thb"
    assert sent.form["line_items[0][price_data][unit_amount]"] == "250000"
    assert sent.form["metadata[fund]"] == "need"
    assert sent.form["metadata[fund_key]"] == str(need.translation_key)
    for text in (PSEUDONYM, STORY_TITLE, need.title, "Keep going", "A friend"):
        assert text not in sent.body
    message = HopeMessage.objects.get()
    assert message.status == HopeMessage.Status.PENDING
    assert not hope_messages_for_moderation().exists()  # nobody sees it before payment


def test_a_message_with_personal_data_is_flagged_for_the_moderator(client, fake_stripe, story):
    need = needs_of(story)[0]

    client.post(
        reverse("donations:need", args=[need.translation_key]),
        valid_post(currency="THB", other_amount="500", message="Call me on +66 81 234 5678"),
    )

    assert [finding["kind"] for finding in HopeMessage.objects.get().findings] == ["phone_number"]


def test_a_monthly_gift_is_a_subscription_to_the_general_fund(client, fake_stripe, story):
    need = needs_of(story)[0]

    response = client.post(
        reverse("donations:need", args=[need.translation_key]),
        valid_post(currency="THB", other_amount="500", frequency="monthly"),
    )

    assert response.status_code == 303
    (sent,) = checkout_requests(fake_stripe)
    gift = MonthlyGift.objects.get()
    assert sent.form["mode"] == "subscription"
    assert sent.form["submit_type"] == "donate"
    assert sent.form["line_items[0][price_data][recurring][interval]"] == "month"
    assert sent.form["subscription_data[metadata][monthly_gift_id]"] == str(gift.pk)
    assert sent.form["metadata[fund]"] == "general"
    assert str(need.translation_key) not in sent.body
    assert not Donation.objects.exists()


def test_the_honeypot_stops_bots(client, fake_stripe, home_page):
    response = client.post("/donate/", valid_post(website="http://spam.example"))

    assert response.status_code == 400
    assert not checkout_requests(fake_stripe)


def test_checkouts_are_rate_limited_per_address(client, fake_stripe, home_page):
    statuses = [client.post("/donate/", valid_post()).status_code for _ in range(6)]

    assert statuses == [303] * 5 + [429]
    assert len(checkout_requests(fake_stripe)) == 5
    assert "too many attempts" in client.post("/donate/", valid_post()).content.decode()


def test_with_stripe_unreachable_pages_work_and_say_donations_are_unavailable(
    client, fake_stripe, story
):
    fake_stripe.stop()
    need = needs_of(story)[0]

    story_response = client.get(story.url)
    form_response = client.get(reverse("donations:need", args=[need.translation_key]))
    post_response = client.post("/donate/", valid_post())

    assert story_response.status_code == 200
    assert form_response.status_code == 200
    assert "Donations are temporarily unavailable" in form_response.content.decode()
    assert post_response.status_code == 503
    assert "Donations are temporarily unavailable" in post_response.content.decode()
    assert not Donation.objects.exists()
    assert client.get("/").status_code == 200


def test_a_stalled_stripe_is_given_up_on_after_the_timeout(
    client, fake_stripe, home_page, settings
):
    settings.STRIPE_TIMEOUT_SECONDS = 1
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    fake_stripe.stall_seconds = 4

    started = time.monotonic()
    response = client.post("/donate/", valid_post())
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert elapsed < 3
    assert not Donation.objects.exists()


def test_donate_pages_are_localised(client, fake_stripe, home_page):
    with translation.override("th"):
        path = reverse("donations:general")

    assert path == "/th/donate/"
    assert client.get(path).status_code == 200


def test_the_story_page_links_each_need_to_its_donate_page(client, story):
    html = client.get(story.url).content.decode()

    for need in needs_of(story):
        assert f'href="/donate/need/{need.translation_key}/"' in html
