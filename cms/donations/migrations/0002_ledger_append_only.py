"""The ledger cannot be rewritten, even by raw SQL (PostgreSQL: production and tests).

The model and its queryset refuse updates and deletes on any database; this trigger also
stops ``QuerySet.update()`` through another manager, raw SQL and database consoles. A mistake
in the ledger is corrected by adding an entry, never by changing one.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION donations_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'igivehope: % on the donations ledger is not allowed (append-only)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER donations_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON donations_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION donations_ledger_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS donations_ledgerentry_append_only ON donations_ledgerentry;
DROP FUNCTION IF EXISTS donations_ledger_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("donations", "0001_donations_ledger")]

    operations = [migrations.RunPython(forward, backward)]
