"""The access log and the content of consent records cannot be rewritten, even by raw SQL.

PostgreSQL only (production and tests). The model and queryset refuse the same writes on
any database; these triggers also stop ``QuerySet.update()`` on another manager, raw SQL and
database consoles.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION stories_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'igivehope: % on % is not allowed (append-only)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER stories_accesslogentry_append_only
    BEFORE UPDATE OR DELETE ON stories_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION stories_refuse_change();

-- Consent versions: only the withdrawal may be written after the fact. Deleting is left to
-- erasure (manage.py erase_storyteller), which removes whole storytellers.
CREATE OR REPLACE FUNCTION stories_consent_content_frozen() RETURNS trigger AS $$
BEGIN
    IF (to_jsonb(NEW) - 'withdrawn_at' - 'withdrawn_by_id')
            IS DISTINCT FROM (to_jsonb(OLD) - 'withdrawn_at' - 'withdrawn_by_id') THEN
        RAISE EXCEPTION 'igivehope: consent records are append-only; record a new version'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER stories_consentrecord_content_frozen
    BEFORE UPDATE ON stories_consentrecord
    FOR EACH ROW EXECUTE FUNCTION stories_consent_content_frozen();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS stories_consentrecord_content_frozen ON stories_consentrecord;
DROP FUNCTION IF EXISTS stories_consent_content_frozen();
DROP TRIGGER IF EXISTS stories_accesslogentry_append_only ON stories_accesslogentry;
DROP FUNCTION IF EXISTS stories_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("stories", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
