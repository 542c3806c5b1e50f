"""The team page's filters."""
from django import forms

from ..selectors import directors_for_team
from .base import StyledFormMixin


class TeamFilterForm(StyledFormMixin, forms.Form):
    """Filters of the team page. Sent by GET: ids and codes only, never personal data."""

    team = forms.ModelChoiceField(queryset=None, label="Team", empty_label=None, required=False)
    status = forms.ChoiceField(label="Status", required=False)
    regisseur = forms.ModelChoiceField(
        queryset=None, label="Medewerker", required=False, empty_label="Alle medewerkers",
        error_messages={"invalid_choice": "Kies een medewerker uit de lijst."},
    )

    def __init__(self, *args, teams, team, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].initial = team.pk
        if len(teams) == 1:
            del self.fields["team"]
        self.fields["status"].choices = [("", "Alle open statussen"), *statuses]
        self.fields["regisseur"].queryset = directors_for_team(team.pk)
        self.fields["regisseur"].label_from_instance = lambda m: m.user.get_full_name() or m.user.get_username()
