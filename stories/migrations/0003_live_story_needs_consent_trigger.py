"""The database refuses a live story without current consent, whatever wrote it.

``save()`` is the gate for every Wagtail route (cms/core/publishing.py); this backstop covers
the writes that skip it: ``QuerySet.update(live=True)``, ``bulk_update``, raw SQL, a consent
row withdrawn by hand. Constraint triggers are deferred to COMMIT, so unpublishing pages and
withdrawing consent in one transaction is fine, in any order. PostgreSQL only.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION stories_story_lacks_consent(story_page_id bigint) RETURNS boolean AS $$
    SELECT EXISTS (
        SELECT 1
        FROM wagtailcore_page p
        JOIN stories_storypage s ON s.page_ptr_id = p.id
        JOIN wagtailcore_locale l ON l.id = p.locale_id
        WHERE p.id = story_page_id AND p.live
          AND NOT EXISTS (
              SELECT 1 FROM stories_consentrecord c
              WHERE c.storyteller_id = s.storyteller_id
                AND c.version = (
                    SELECT max(version) FROM stories_consentrecord
                    WHERE storyteller_id = s.storyteller_id
                )
                AND c.withdrawn_at IS NULL
                AND c.granted_on <= current_date
                AND c.expires_on >= current_date
                AND c.story_text
                AND c.channels @> '"website"'::jsonb
                AND c.languages @> to_jsonb(l.language_code::text)
          )
    );
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION stories_check_live_story() RETURNS trigger AS $$
DECLARE
    story_id bigint;
BEGIN
    IF TG_TABLE_NAME = 'wagtailcore_page' THEN
        story_id := NEW.id;
        IF stories_story_lacks_consent(story_id) THEN
            RAISE EXCEPTION 'igivehope: page % is live without current consent', story_id
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF TG_TABLE_NAME = 'stories_storypage' THEN
        story_id := NEW.page_ptr_id;
        IF stories_story_lacks_consent(story_id) THEN
            RAISE EXCEPTION 'igivehope: page % is live without current consent', story_id
                USING ERRCODE = 'check_violation';
        END IF;
    ELSE  -- stories_consentrecord: every live story of that storyteller
        FOR story_id IN
            SELECT page_ptr_id FROM stories_storypage
            WHERE storyteller_id = CASE WHEN TG_OP = 'DELETE'
                                        THEN OLD.storyteller_id ELSE NEW.storyteller_id END
        LOOP
            IF stories_story_lacks_consent(story_id) THEN
                RAISE EXCEPTION 'igivehope: page % is live without current consent', story_id
                    USING ERRCODE = 'check_violation';
            END IF;
        END LOOP;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER stories_live_page_needs_consent
    AFTER INSERT OR UPDATE OF live ON wagtailcore_page
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.live) EXECUTE FUNCTION stories_check_live_story();

CREATE CONSTRAINT TRIGGER stories_live_storypage_needs_consent
    AFTER INSERT OR UPDATE ON stories_storypage
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION stories_check_live_story();

CREATE CONSTRAINT TRIGGER stories_consent_change_keeps_live_stories_valid
    AFTER INSERT OR UPDATE OR DELETE ON stories_consentrecord
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION stories_check_live_story();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS stories_consent_change_keeps_live_stories_valid ON stories_consentrecord;
DROP TRIGGER IF EXISTS stories_live_storypage_needs_consent ON stories_storypage;
DROP TRIGGER IF EXISTS stories_live_page_needs_consent ON wagtailcore_page;
DROP FUNCTION IF EXISTS stories_check_live_story();
DROP FUNCTION IF EXISTS stories_story_lacks_consent(bigint);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0002_access_log_append_only"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forward, backward)]
