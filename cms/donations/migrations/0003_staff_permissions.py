"""Finance sees donations, monthly gifts and the ledger, and may refund; moderators approve
messages of hope. Added to the groups made by users/0002_groups. Reversible."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "Finance": [
        "view_donation",
        "refund_donation",
        "view_monthlygift",
        "view_ledgerentry",
    ],
    "Moderators": ["view_hopemessage", "moderate_hopemessage"],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label="donations", codename=codename)
        for codename in codenames
    ]


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("donations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0002_ledger_append_only"),
        ("users", "0002_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
