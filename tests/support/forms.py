"""POST data for the story page editor, as the admin form sends it."""

from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield


def story_edit_form_data(page, **extra) -> dict:
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "storyteller": page.storyteller_id,
            "summary": page.summary,
            "region": page.region,
            "age_band": page.age_band,
            "exploitation": page.exploitation,
            "body": streamfield([]),
            "needs": inline_formset([]),
            "updates": inline_formset([]),
            "comments": inline_formset([]),
            **extra,
        }
    )
