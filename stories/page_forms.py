"""The story page's admin form: what consent bounds cannot be changed in a translation.

wagtail-localize keeps synchronised fields out of its translation editor, but a translator
who stops syncing gets Wagtail's ordinary editor; there, these fields are shown and fixed.
"""

from wagtail.admin.forms import WagtailAdminPageForm

SYNCHRONISED_FIELDS = ["storyteller", "region", "age_band", "exploitation"]


class StoryPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cms.workflows.translators import is_translation

        page = self.instance
        if page.pk and page.locale_id and is_translation(page):
            for name in SYNCHRONISED_FIELDS:
                if name in self.fields:
                    # A disabled field ignores whatever is posted and keeps the saved value.
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Set on the original story; not translatable."
            for formset in self.formsets.values():
                for form in formset.forms:
                    for name in ("category", "goal_minor", "currency", "status", "month"):
                        if name in form.fields:
                            form.fields[name].disabled = True
