"""Admin forms for the private storyteller records."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stories.models import ConsentRecord, IdentifyingTerm
from stories.models.private import add_months

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".m4a", ".mp3", ".ogg", ".wav"}


class IdentifyingTermForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentifyingTerm.Kind.choices)
    value = forms.CharField(
        label=_("Term"),
        max_length=200,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Add each spelling and script separately (Latin, Thai, Khmer…). Stored encrypted."
        ),
    )

    def clean_value(self):
        value = self.cleaned_data["value"]
        if len(value) < 2:
            raise forms.ValidationError(_("A term needs at least two characters."))
        return value


class ConsentRecordForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages the story may be published in"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=ConsentRecord.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    explained_in = forms.ChoiceField(label=_("Explained in language"), choices=[])

    class Meta:
        model = ConsentRecord
        fields = [
            "story_text",
            "pseudonym",
            "photos_without_faces",
            "photos_with_faces",
            "voice_video",
            "search_engines",
            "map_precision",
            "languages",
            "channels",
            "granted_on",
            "expires_on",
            "explained_in",
            "interpreter",
            "evidence",
            "guardian_consent",
            "child_assent",
        ]
        widgets = {
            "granted_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, storyteller, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.storyteller = storyteller
        self.instance.explained_by = user
        self.instance.recorded_by = user
        self.fields["explained_in"].choices = [
            *settings.LANGUAGES,
            ("other", _("Another language (say which in the interpreter field)")),
        ]
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("granted_on", today)
            self.initial.setdefault(
                "expires_on", add_months(today, settings.CONSENT_DEFAULT_MONTHS)
            )
        if not storyteller.is_child:
            del self.fields["guardian_consent"]
            del self.fields["child_assent"]

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence:
            suffix = "." + evidence.name.rsplit(".", 1)[-1].lower() if "." in evidence.name else ""
            if suffix not in EVIDENCE_TYPES:
                raise forms.ValidationError(
                    _("Upload a PDF, an image or a sound recording (%(types)s).")
                    % {"types": ", ".join(sorted(EVIDENCE_TYPES))}
                )
            if evidence.size > MAX_EVIDENCE_BYTES:
                raise forms.ValidationError(_("The file is larger than 10 MB."))
        return evidence


class WithdrawalForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The storyteller has withdrawn consent"),
        help_text=_(
            "Every page of their story, in every language, is taken down at once. "
            "Their assistance continues from the general fund."
        ),
    )
