"""The staff roles of DESIGN.md §2 as groups with their model permissions.

Reversible: going back removes the groups. Page permissions and workflows are added by the
workflows app, once the page tree they apply to exists.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMIN = [("wagtailadmin", "access_admin")]
IMAGES_AND_DOCUMENTS = [
    ("core", "add_customimage"),
    ("core", "change_customimage"),
    ("core", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]

GROUPS = {
    # Draft stories and campaigns; never publish, never see identifying data.
    "Editors": ADMIN + IMAGES_AND_DOCUMENTS,
    # Keep the private storyteller record: terms, consent, withdrawal.
    "Case workers": ADMIN
    + [
        ("stories", "add_storyteller"),
        ("stories", "change_storyteller"),
        ("stories", "view_storyteller"),
        ("stories", "reveal_identifying_terms"),
        ("stories", "withdraw_consent"),
        ("stories", "add_identifyingterm"),
        ("stories", "view_identifyingterm"),
        ("stories", "add_consentrecord"),
        ("stories", "view_consentrecord"),
        ("stories", "view_accesslogentry"),
    ],
    # Check anonymisation and attest images; never see identifying terms in plain text.
    "Safeguarding reviewers": ADMIN
    + [("core", "change_customimage"), ("core", "choose_image"), ("core", "attest_image")],
    # Translate pages in their locales (per-locale page permissions come with the tree).
    "Translators": ADMIN,
    # Donations, refunds, reconciliation.
    "Finance": ADMIN,
    # Approve campaign and other non-story pages; moderate messages of hope.
    "Moderators": ADMIN + IMAGES_AND_DOCUMENTS,
}


# Wagtail's image admin checks its own permissions per collection, also for a custom image
# model: reviewers need them on the root collection to open an image and attest it.
COLLECTION_PERMISSIONS = {
    "Safeguarding reviewers": ["change_image", "choose_image"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in permissions
            ]
        )
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root = Collection.objects.get(depth=1)
    for name, codenames in COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=Group.objects.get(name=name),
                collection=root,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailimages", codename=codename
                ),
            )


# Wagtail's own initial data already made these two (with page permissions on the root).
WAGTAIL_GROUPS = {"Editors", "Moderators"}


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name__in=set(GROUPS) - WAGTAIL_GROUPS).delete()
    for group in Group.objects.filter(name__in=WAGTAIL_GROUPS):
        added = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in GROUPS[group.name]
            if app != "wagtailadmin"
        ]
        group.permissions.remove(*added)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0001_initial"),
        ("core", "0003_image_safety"),
        ("wagtailimages", "0027_image_description"),
        ("stories", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
