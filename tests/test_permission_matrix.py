"""Who can reach what: every staff role and anonymous visitors against the admin views and
APIs that matter (security-requirements R16, the endpoints behind Wagtail's advisories).

Each cell is the exact status a role gets, and no response may carry private content: the
storyteller's identifying term (``CANARY_NAME``) or the consent evidence, except where the
role is meant to see it (the assigned case worker's reveal and download).

It runs with two-factor authentication on (``ADMIN_REQUIRE_TWO_FACTOR``), every staff user
signed in with a verified authenticator, as in production. Wagtail answers a permission
error inside its admin with a redirect to the dashboard (302): that counts as refused, as
do 403 and our private screens' 404 (they do not confirm a record exists).
"""

import os
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import Collection, GroupCollectionPermission, Locale
from wagtail_localize.models import TranslationSource

from cms.workflows.services import page_submit_for_moderation
from cms.workflows.translators import (
    locales_ensure,
    translator_group_name,
    translator_groups_sync,
)
from stories import services
from stories.models import StoryPage
from tests.factories import (
    CANARY_NAME,
    StorytellerFactory,
    consent_give,
    image_make,
    staff_in,
    story_page,
)
from tests.support.two_factor import login_verified

EVIDENCE = b"%PDF-1.4 signed consent of the storyteller"
ROLES = [
    "anonymous",
    "editor",
    "case worker",
    "other case worker",
    "reviewer",
    "translator",
    "finance",
    "moderator",
    "superuser",
]
LOGIN = "login"  # a 302 to the sign-in page
DASHBOARD = "dashboard"  # Wagtail's "permission denied": a 302 to /admin/


@pytest.fixture
def world(home_page, settings, tmp_path):
    settings.ADMIN_REQUIRE_TWO_FACTOR = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    # Locales and translator groups normally come with migrations; make sure of them even
    # after a transactional test elsewhere emptied the database.
    locales_ensure()
    translator_groups_sync()
    people = {
        "editor": staff_in("Editors"),
        "case worker": staff_in("Case workers"),
        "other case worker": staff_in("Case workers"),
        "reviewer": staff_in("Safeguarding reviewers"),
        "translator": staff_in(translator_group_name("th")),
        "finance": staff_in("Finance"),
        "moderator": staff_in("Moderators"),
        "superuser": staff_in("Editors", is_superuser=True),
    }
    storyteller = StorytellerFactory(case_workers=[people["case worker"]])
    term = services.identifying_term_add(
        storyteller=storyteller, kind="name", value=CANARY_NAME, by=people["case worker"]
    )
    consent = consent_give(
        storyteller,
        by=people["case worker"],
        evidence=ContentFile(EVIDENCE, name="form.pdf"),
    )
    page = story_page(home_page, storyteller, title="A loom and a market stall")
    first = page.save_revision(user=people["editor"])
    page.title = "A loom, a market stall and a new start"
    page.save_revision(user=people["editor"])
    page_submit_for_moderation(page=page, by=people["editor"])
    page.refresh_from_db()
    task_state = page.current_workflow_task_state

    # The Thai translation, made the way an editor makes it.
    superuser_client = Client()
    login_verified(superuser_client, people["superuser"])
    thai = Locale.objects.get(language_code="th")
    superuser_client.post(
        reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
        {"locales": [thai.pk], "include_subtree": ""},
    )
    thai_page = StoryPage.objects.get(translation_key=page.translation_key, locale=thai)
    translator_groups_sync()

    # A collection only safeguarding reviewers are given (besides what Root gives).
    private = Collection.get_first_root_node().add_child(name="Safeguarding only")
    GroupCollectionPermission.objects.create(
        group=Group.objects.get(name="Safeguarding reviewers"),
        collection=private,
        permission_id=GroupCollectionPermission._meta.get_field("permission")
        .related_model.objects.get(codename="choose_document")
        .pk,
    )
    image = image_make(face=False, title="Workshop bench")
    image.collection = private
    image.save()
    document = Document.objects.create(
        title="Referral letter", collection=private, file=ContentFile(b"%PDF-1.4", name="r.pdf")
    )
    assert TranslationSource.objects.exists()
    return {
        "people": people,
        "storyteller": storyteller,
        "term": term,
        "consent": consent,
        "page": page,
        "thai_page": thai_page,
        "revisions": (first.pk, page.latest_revision_id),
        "task_state": task_state,
        "image": image,
        "document": document,
    }


def endpoints(world) -> dict[str, tuple[str, str, dict]]:
    """name → (method, URL, POST data)."""
    page, thai_page, storyteller = world["page"], world["thai_page"], world["storyteller"]
    rev_a, rev_b = world["revisions"]
    get = {
        # Pages
        "page explorer": reverse("wagtailadmin_explore", args=[page.get_parent().pk]),
        "page edit": reverse("wagtailadmin_pages:edit", args=[page.pk]),
        "page draft preview": reverse("wagtailadmin_pages:view_draft", args=[page.pk]),
        "page revision view": reverse("wagtailadmin_pages:revisions_view", args=[page.pk, rev_a]),
        "page revisions compare": reverse(
            "wagtailadmin_pages:revisions_compare", args=[page.pk, rev_a, rev_b]
        ),
        "page history": reverse("wagtailadmin_pages:history", args=[page.pk]),
        "page workflow history": reverse("wagtailadmin_pages:workflow_history", args=[page.pk]),
        "page copy": reverse("wagtailadmin_pages:copy", args=[page.pk]),
        "page move": reverse("wagtailadmin_pages:move", args=[page.pk]),
        "page delete": reverse("wagtailadmin_pages:delete", args=[page.pk]),
        "page unpublish": reverse("wagtailadmin_pages:unpublish", args=[page.pk]),
        "workflow approve": reverse(
            "wagtailadmin_pages:workflow_action",
            args=[page.pk, "approve", world["task_state"].pk],
        ),
        "admin API pages": "/admin/api/main/pages/",
        "admin API page": f"/admin/api/main/pages/{page.pk}/",
        # Translation
        "translate page": reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
        "translation edit": reverse("wagtailadmin_pages:edit", args=[thai_page.pk]),
        "translation submit": reverse("workflows_translation_submit", args=[thai_page.pk]),
        # Images and documents in a private collection
        "image chooser": reverse("wagtailimages_chooser:choose"),
        "image chosen": reverse("wagtailimages_chooser:chosen", args=[world["image"].pk]),
        "image edit": reverse("wagtailimages:edit", args=[world["image"].pk]),
        "document chooser": reverse("wagtaildocs_chooser:choose"),
        "document chosen": reverse("wagtaildocs_chooser:chosen", args=[world["document"].pk]),
        "document edit": reverse("wagtaildocs:edit", args=[world["document"].pk]),
        # Private records
        "storyteller list": reverse("storytellers:index"),
        "storyteller edit": reverse("storytellers:edit", args=[storyteller.pk]),
        "storyteller record": reverse("stories_admin:record", args=[storyteller.pk]),
        "consent form": reverse("stories_admin:consent_add", args=[storyteller.pk]),
        "consent evidence": reverse("stories_admin:consent_evidence", args=[world["consent"].pk]),
        "withdrawal form": reverse("stories_admin:withdraw", args=[storyteller.pk]),
        "access log": reverse("stories_admin:access_log"),
        # Money
        "donations": reverse("donations_finance:index"),
        "refund": reverse("donations_finance:refund", args=[uuid.uuid4()]),
        "ledger": reverse("ledger:index"),
        "messages of hope": reverse("hope_messages:index"),
        # Settings and people
        "sites": reverse("wagtailsites:index"),
        "locales": reverse("wagtaillocales:index"),
        "collections": reverse("wagtailadmin_collections:index"),
        "workflows": reverse("wagtailadmin_workflows:index"),
        "redirects": reverse("wagtailredirects:index"),
        "users": reverse("wagtailusers_users:index"),
        "user edit": reverse("wagtailusers_users:edit", args=[world["people"]["editor"].pk]),
        "groups": reverse("wagtailusers_groups:index"),
        "site history": reverse("wagtailadmin_reports:site_history"),
    }
    table = {name: ("get", url, {}) for name, url in get.items()}
    table["term add"] = (
        "post",
        reverse("stories_admin:term_add", args=[storyteller.pk]),
        {"kind": "nickname", "value": "Canarita"},
    )
    table["term reveal"] = (
        "post",
        reverse("stories_admin:term_reveal", args=[world["term"].pk]),
        {},
    )
    return table


# fmt: off
# Columns: anonymous, editor, case worker (assigned), other case worker, reviewer, translator
# (Thai), finance, moderator, superuser. 200 = allowed; L = 302 to sign-in; D = 302 to the
# dashboard (Wagtail's "permission denied"); 403/404 = refused. The story page is in its
# "Consent check" task, so case workers (that task's group) may open, preview and act on it.
L, D = LOGIN, DASHBOARD
EXPECTED = {
    "page explorer":          [L, 200, D,   D,   D,   "302 /admin/pages/{thai_root}/", D, 200, 200],
    "page edit":              [L, 200, 200, 200, D,   D,   D,   200, 200],
    "page draft preview":     [L, 200, 200, 200, D,   D,   D,   200, 200],
    "page revision view":     [L, 200, D,   D,   D,   D,   D,   200, 200],
    "page revisions compare": [L, 200, D,   D,   D,   D,   D,   200, 200],
    "page history":           [L, 200, D,   D,   D,   D,   D,   200, 200],
    "page workflow history":  [L, 200, 200, 200, D,   D,   D,   200, 200],
    "page copy":              [L, 200, 200, 200, D,   D,   D,   200, 200],
    "page move":              [L, 200, D,   D,   D,   D,   D,   200, 200],
    "page delete":            [L, 200, D,   D,   D,   D,   D,   200, 200],
    "page unpublish":         [L, D,   D,   D,   D,   D,   D,   D,   D],  # not live
    "workflow approve":       [L, D,   200, D,   D,   D,   D,   D,   D],  # assigned only
    "admin API pages":        [L, 200, 200, 200, 200, 200, 200, 200, 200],  # filtered list
    "admin API page":         [L, 200, 404, 404, 404, 404, 404, 200, 200],
    "translate page":         [L, 200, D,   D,   D,   200, D,   200, 200],
    "translation edit":       [L, 200, D,   D,   D,   200, D,   200, 200],
    "translation submit":     [L, 200, D,   D,   D,   200, D,   200, 200],
    "image chooser":          [L, 200, 200, 200, 200, 200, 200, 200, 200],  # filtered list
    "image chosen":           [L, 200, D,   D,   200, D,   D,   200, 200],
    "image edit":             [L, 200, D,   D,   200, D,   D,   200, 200],
    "document chooser":       [L, 200, 200, 200, 200, 200, 200, 200, 200],  # filtered list
    "document chosen":        [L, 200, D,   D,   200, D,   D,   200, 200],
    "document edit":          [L, 200, D,   D,   D,   D,   D,   200, 200],
    "storyteller list":       [L, D,   200, 200, D,   D,   D,   D,   200],  # own cases only
    "storyteller edit":       [L, D,   200, 404, D,   D,   D,   D,   200],
    "storyteller record":     [L, 404, 200, 404, 404, 404, 404, 404, 200],
    "consent form":           [L, 404, 200, 404, 404, 404, 404, 404, 200],
    "consent evidence":       [L, 404, 200, 404, 404, 404, 404, 404, D],  # assignment needed
    "withdrawal form":        [L, 404, 200, 404, 404, 404, 404, 404, 200],
    "access log":             [L, 404, 200, 200, 404, 404, 404, 404, 200],  # own cases only
    "term add":               [L, 404, "302 {record}", 404, 404, 404, 404, 404, "302 {record}"],
    "term reveal":            [L, 404, 200, 404, 404, 404, 404, 404, D],  # assignment needed
    "donations":              [L, D,   D,   D,   D,   D,   200, D,   200],
    "refund":                 [L, D,   D,   D,   D,   D,   404, D,   404],  # unknown donation
    "ledger":                 [L, D,   D,   D,   D,   D,   200, D,   200],
    "messages of hope":       [L, D,   D,   D,   D,   D,   D,   200, 200],
    "sites":                  [L, D,   D,   D,   D,   D,   D,   D,   200],
    "locales":                [L, D,   D,   D,   D,   D,   D,   D,   200],
    "collections":            [L, D,   D,   D,   D,   D,   D,   D,   200],
    "workflows":              [L, D,   D,   D,   D,   D,   D,   D,   200],
    "redirects":              [L, D,   D,   D,   D,   D,   D,   D,   200],
    "users":                  [L, D,   D,   D,   D,   D,   D,   D,   200],
    "user edit":              [L, D,   D,   D,   D,   D,   D,   D,   200],
    "groups":                 [L, D,   D,   D,   D,   D,   D,   D,   200],
    "site history":           [L, 200, 200, 200, 200, 200, 200, 200, 200],  # filtered list
}
# fmt: on


def outcome(response) -> str | int:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("wagtailadmin_login")):
            return LOGIN
        if location == reverse("wagtailadmin_home"):
            return DASHBOARD
        return f"302 {location}"
    return response.status_code


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# The cells where the private content is the point: the assigned case worker's reveal and
# evidence download.
MAY_SHOW_PRIVATE = {("case worker", "term reveal"), ("case worker", "consent evidence")}


# Roles that must not even see a title: the story's draft title (no access to the page) or
# the private collection's image and document (no permission on that collection; Editors and
# Moderators hold theirs on the root collection, which every collection inherits).
TITLE_OUTSIDERS = {
    "A loom, a market stall": {"anonymous", "reviewer", "finance"},
    "Workshop bench": {"anonymous", "case worker", "other case worker", "translator", "finance"},
    "Referral letter": {"anonymous", "case worker", "other case worker", "translator", "finance"},
}


def expected_matrix(world) -> dict[str, list]:
    thai_root = world["thai_page"].get_ancestors().get(depth=2).pk
    record = reverse("stories_admin:record", args=[world["storyteller"].pk])
    return {
        name: [
            cell.format(thai_root=thai_root, record=record) if isinstance(cell, str) else cell
            for cell in row
        ]
        for name, row in EXPECTED.items()
    }


def test_role_by_endpoint_matrix(world):
    table = endpoints(world)
    assert set(table) == set(EXPECTED)
    actual, leaks = {}, []
    for column, role in enumerate(ROLES):
        client = Client()
        if role != "anonymous":
            login_verified(client, world["people"][role])
        for name, (method, url, data) in table.items():
            response = getattr(client, method)(url, data)
            actual.setdefault(name, [None] * len(ROLES))[column] = outcome(response)
            content = body(response)
            if (role, name) not in MAY_SHOW_PRIVATE and (
                CANARY_NAME.encode() in content or EVIDENCE in content
            ):
                leaks.append((role, name, "private record"))
            for title, outsiders in TITLE_OUTSIDERS.items():
                if role in outsiders and title.encode() in content:
                    leaks.append((role, name, title))
    if os.environ.get("PRINT_MATRIX"):  # PRINT_MATRIX=1 pytest -s: the table as it is
        for name, row in actual.items():
            print(f"    {name + ':':<26}", row)
    assert leaks == []
    assert actual == expected_matrix(world)
