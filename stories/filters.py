"""The visitor's story filters (story index and map data read the same form)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from stories.models import StoryNeed
from stories.regions import COUNTRY_CHOICES, REGION_CHOICES
from stories.selectors import StoryFilters


class StoryFilterForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"),
        choices=[("", _("All countries")), *COUNTRY_CHOICES],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("What is needed"),
        choices=[("", _("Every kind of need")), *StoryNeed.Category.choices],
        required=False,
    )
    funding = forms.ChoiceField(
        label=_("Funding"),
        choices=[
            ("", _("Funded or not")),
            (StoryFilters.OPEN, _("Still needs gifts")),
            (StoryFilters.FUNDED, _("Fully funded")),
        ],
        required=False,
    )
    # Set by the map's "all stories from this place" links; shown as a removable note.
    region = forms.ChoiceField(
        choices=[("", ""), *REGION_CHOICES], required=False, widget=forms.HiddenInput
    )

    def filters(self) -> StoryFilters:
        """The valid filters; an unknown value is ignored rather than an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return StoryFilters(**{name: data.get(name) or "" for name in self.fields})
