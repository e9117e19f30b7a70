"""Messages of hope on a campaign wall: held, scanned, moderated, and never shown with
personal data or a storyteller's name."""

import pytest
from django.urls import reverse

from cms.donations.models import HopeMessage
from stories.services import identifying_term_add
from tests.campaigns.conftest import campaign_make
from tests.factories import StorytellerFactory, staff_in

pytestmark = pytest.mark.django_db


def leave_message(client, page, message, name=""):
    return client.post(
        reverse("campaigns:form_post", args=[page.pk]),
        {"hope-display_name": name, "hope-message": message, "hope-website": ""},
    )


@pytest.fixture
def campaign(home_page):
    return campaign_make(home_page)


def test_an_approved_message_appears_on_the_wall(client, campaign):
    response = leave_message(client, campaign, "You are not alone, friend.", name="Exampla")
    assert response.status_code == 302
    message = HopeMessage.objects.get()
    assert message.status == "pending"
    assert message.donation is None
    assert "You are not alone" not in client.get(campaign.url).content.decode()

    moderator = staff_in("Moderators")
    client.force_login(moderator)
    assert "You are not alone" in client.get(reverse("hope_messages:index")).content.decode()
    client.post(reverse("hope_messages:moderate", args=[message.pk]), {"decision": "approve"})
    client.logout()

    page = client.get(campaign.url).content.decode()
    assert "You are not alone, friend." in page
    assert "Exampla" in page


def test_a_phone_number_is_never_shown_even_if_a_moderator_approves(client, campaign):
    leave_message(client, campaign, "Call me any time on +66 81 234 5678, stay strong")
    message = HopeMessage.objects.get()
    assert {f["kind"] for f in message.findings} >= {"phone_number"}

    client.force_login(staff_in("Moderators"))
    response = client.post(
        reverse("hope_messages:moderate", args=[message.pk]), {"decision": "approve"}
    )
    text = response.content.decode()
    assert "cannot be approved" in text
    assert "phone_number" in text
    message.refresh_from_db()
    assert message.status == "pending"
    client.logout()
    assert "234 5678" not in client.get(campaign.url).content.decode()


def test_a_storytellers_name_is_never_shown(client, campaign):
    case_worker = staff_in("Case workers")
    storyteller = StorytellerFactory(case_workers=[case_worker])
    identifying_term_add(storyteller=storyteller, kind="name", value="Kanya Srisuk", by=case_worker)
    leave_message(client, campaign, "Kanya, we are all with you!")
    message = HopeMessage.objects.get()
    assert "Kanya" not in str(message.findings)

    client.force_login(staff_in("Moderators"))
    queue = reverse("hope_messages:bulk")
    client.post(queue, {"message": [message.pk], "decision": "approve"})
    message.refresh_from_db()
    assert message.status == "pending"
    # Forced past the service, the wall still refuses it.
    HopeMessage.objects.filter(pk=message.pk).update(status="approved")
    client.logout()
    assert "Kanya" not in client.get(campaign.url).content.decode()


def test_bulk_approve_and_reject(client, campaign):
    for text in ("Stay strong.", "Hope travels far.", "Buy cheap watches now"):
        leave_message(client, campaign, text)
    ids = {m.text: m.pk for m in HopeMessage.objects.all()}
    client.force_login(staff_in("Moderators"))
    queue = reverse("hope_messages:bulk")
    assert "Hope travels far." in client.get(queue).content.decode()
    client.post(
        queue, {"message": [ids["Stay strong."], ids["Hope travels far."]], "decision": "approve"}
    )
    client.post(queue, {"message": [ids["Buy cheap watches now"]], "decision": "reject"})
    statuses = dict(HopeMessage.objects.values_list("pk", "status"))
    assert statuses[ids["Stay strong."]] == statuses[ids["Hope travels far."]] == "approved"
    assert statuses[ids["Buy cheap watches now"]] == "rejected"


def test_too_long_and_empty_messages_are_refused_clearly(client, campaign):
    response = leave_message(client, campaign, "x" * 281)
    assert response.status_code == 400
    assert "Use 280 characters or fewer." in response.content.decode()
    assert leave_message(client, campaign, "   ").status_code == 400
    assert not HopeMessage.objects.exists()
