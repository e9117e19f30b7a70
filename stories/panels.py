"""An editor panel that shows what stops a story from going live, and what to check."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from stories.anonymisation import Severity


class PublicationCheckPanel(Panel):
    """Consent blockers and anonymisation findings for the page as it is being edited.

    Messages name the field and the kind of problem, never the identifying term, so the panel
    is safe to show to editors and reviewers.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Consent and anonymisation check"))
        super().__init__(**kwargs)

    @property
    def clean_name(self):
        return super().clean_name or "publication_check"

    class BoundPanel(Panel.BoundPanel):
        template_name = "stories/panels/publication_check.html"

        def get_context_data(self, parent_context=None):
            # Imported here: the policy imports the page models this panel is part of.
            from stories.consent import publication_blockers
            from stories.scanning import page_findings

            context = super().get_context_data(parent_context)
            page = self.instance
            if not page.storyteller_id:
                context.update(blockers=[], warnings=[], checked=False)
                return context
            context.update(
                checked=True,
                blockers=publication_blockers(page),
                warnings=[f for f in page_findings(page) if f.severity == Severity.WARNING],
            )
            return context
