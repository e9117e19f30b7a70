"""The moderation tasks of story pages, and the record of what was approved.

Stories, in every locale: *Consent check* (case workers) → *Safeguarding review* (reviewers)
→ live. Both tasks ask the same policy as the publish gate (``StoryPage.publication_blockers``)
and refuse to approve while it objects, so a task can never approve what the gate would
refuse. The safeguarding review records a ``ContentApproval``, which the gate requires.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.forms import TaskStateCommentForm
from wagtail.models import AbstractGroupApprovalTask

from cms.workflows.approvals import content_authors, content_fingerprint

CONSENT_CODES = {
    "no_storyteller",
    "no_consent",
    "consent_withdrawn",
    "consent_not_started",
    "consent_expired",
    "child_consent_incomplete",
    "story_not_in_scope",
    "channel_not_in_scope",
    "language_not_in_scope",
    "region_unknown",
    "place_not_in_scope",
    "region_too_precise",
    "child_region_too_precise",
    "photos_not_in_scope",
    "faces_not_in_scope",
}
APPROVAL_CODES = {"not_approved", "approved_by_author"}


class ContentApproval(models.Model):
    """A safeguarding reviewer approved this exact content (see ``approvals.py``)."""

    fingerprint = models.CharField(max_length=64, db_index=True)
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="content_approvals"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    # The reviewer's checklist and the kinds of warnings they acknowledged: no text.
    checklist = models.JSONField(default=dict)

    class Meta:
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return f"Approval {self.pk} of page {self.page_id}"


def _story_blockers(revision) -> list:
    page = revision.as_object()
    return [b for b in page.publication_blockers() if b.code not in APPROVAL_CODES]


def _assigned(page, user) -> bool:
    """Only a case worker assigned to the storyteller knows what they agreed to."""
    storyteller = getattr(page, "storyteller", None)
    return storyteller is not None and storyteller.is_assigned(user)


class ConsentCheckTask(AbstractGroupApprovalTask):
    """Case workers assigned to the storyteller confirm that current consent covers this
    story, its language and media."""

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        page = obj.specific
        if not _assigned(page, user) or any(
            b.code in CONSENT_CODES for b in page.publication_blockers()
        ):
            return [action for action in actions if action[0] != "approve"]
        return actions

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            if not _assigned(task_state.revision.as_object(), user):
                raise PermissionDenied(_("Only a case worker assigned to this storyteller."))
            blockers = [b for b in _story_blockers(task_state.revision) if b.code in CONSENT_CODES]
            if blockers:
                raise PermissionDenied(" ".join(b.message for b in blockers))
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("Case workers confirm the storyteller's consent covers this page.")

    class Meta:
        verbose_name = gettext_lazy("Consent check")
        verbose_name_plural = gettext_lazy("Consent checks")


class SafeguardingChecklistForm(TaskStateCommentForm):
    """What the reviewer confirms before approving (security-requirements R31)."""

    no_names = forms.BooleanField(
        label=gettext_lazy("No real name, nickname or relative's name appears anywhere"),
    )
    no_places = forms.BooleanField(
        label=gettext_lazy("No village, workplace, shelter, address or precise route appears"),
    )
    no_faces = forms.BooleanField(
        label=gettext_lazy("No face, tattoo, uniform or document is visible without consent"),
    )
    no_quasi_identifiers = forms.BooleanField(
        label=gettext_lazy(
            "No combination of details (age, dates, events) would identify the storyteller"
        ),
    )
    child_rules = forms.BooleanField(
        label=gettext_lazy("If a child: guardian consent, assent, country only, no image"),
    )
    warnings_acknowledged = forms.BooleanField(
        label=gettext_lazy("I have looked at every warning of the anonymisation check"),
    )
    risk_assessed_on = forms.DateField(
        label=gettext_lazy("Date of the storyteller's current risk assessment"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_risk_assessed_on(self):
        day = self.cleaned_data["risk_assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A risk assessment cannot be in the future."))
        return day


class SafeguardingReviewTask(AbstractGroupApprovalTask):
    """Reviewers check anonymisation and approve; never content they wrote or translated."""

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        page = obj.specific
        if user.pk in content_authors(page) or any(
            b.code not in APPROVAL_CODES for b in page.publication_blockers()
        ):
            return [action for action in actions if action[0] != "approve"]
        # Approving always needs the checklist: only the modal form version is offered.
        return [action for action in actions if action[0] != "approve" or action[2]]

    def get_form_for_action(self, action):
        if action == "approve":
            return SafeguardingChecklistForm
        return super().get_form_for_action(action)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name != "approve":
            return super().on_action(task_state, user, action_name, **kwargs)
        revision = task_state.revision
        page = revision.as_object()
        if user.pk in content_authors(page):
            raise PermissionDenied(_("You cannot approve content you wrote or translated."))
        if blockers := _story_blockers(revision):
            raise PermissionDenied(" ".join(b.message for b in blockers))
        # The edit view passes the modal's data back unvalidated: check it again here.
        form = SafeguardingChecklistForm(data=kwargs)
        if not form.is_valid():
            raise PermissionDenied(_("Complete the safeguarding checklist to approve."))
        checklist = {
            key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in form.cleaned_data.items()
            if key != "comment"
        }
        ContentApproval.objects.create(
            fingerprint=content_fingerprint(page),
            page_id=page.pk,
            revision=revision,
            approved_by=user,
            checklist=checklist,
        )
        return super().on_action(
            task_state, user, action_name, comment=form.cleaned_data.get("comment", "")
        )

    @classmethod
    def get_description(cls):
        return _("Safeguarding reviewers check anonymisation and approve; never their own content.")

    class Meta:
        verbose_name = gettext_lazy("Safeguarding review")
        verbose_name_plural = gettext_lazy("Safeguarding reviews")
