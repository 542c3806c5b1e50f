"""Dashboard filters. Sent by GET: ids, codes and period starts only, never personal data."""
from __future__ import annotations

import datetime as dt

from django import forms

from cases.forms import StyledFormMixin
from cases.selectors import HOUSEHOLD_TYPE_LABELS

from . import selectors
from .models import PeriodKind

PERIOD_KINDS = [(PeriodKind.MONTH.value, "Maand"), (PeriodKind.QUARTER.value, "Kwartaal"),
                (PeriodKind.YEAR.value, "Jaar")]


class PeriodMixin:
    """`soort` (month/quarter/year) and `periode` (its start date); unknown values fall back to the
    current period, so a stale bookmark still shows a page."""

    def _init_period(self, today: dt.date):
        self.today = today
        kind = self.data.get("soort") if self.data.get("soort") in PeriodKind.values else PeriodKind.QUARTER.value
        self.kind = kind
        choices = selectors.periods(kind, today)
        current = selectors.period_start_for(kind, today)
        if not any(start == current for start, _ in choices):
            choices.insert(0, (current, selectors.period_label(kind, current)))
        self.fields["soort"].choices = PERIOD_KINDS
        self.fields["soort"].initial = kind
        self.fields["periode"].choices = [(start.isoformat(), label) for start, label in choices]
        self.fields["periode"].initial = current.isoformat()
        self.default_period = current

    def period(self) -> tuple[str, dt.date]:
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("periode")
        return self.kind, dt.date.fromisoformat(start) if start else self.default_period


class TeamDashboardForm(PeriodMixin, StyledFormMixin, forms.Form):
    team = forms.ChoiceField(label="Team", required=False)
    soort = forms.ChoiceField(label="Soort periode", required=False)
    periode = forms.ChoiceField(label="Periode", required=False,
                                error_messages={"invalid_choice": "Kies een periode uit de lijst."})
    medewerker = forms.ChoiceField(label="Medewerker", required=False,
                                   error_messages={"invalid_choice": "Kies een medewerker van dit team."})
    huishoudtype = forms.ChoiceField(label="Huishoudtype", required=False,
                                     choices=[("", "Alle huishoudtypen"), *HOUSEHOLD_TYPE_LABELS.items()])
    leeftijd = forms.ChoiceField(label="Leeftijdsgroep", required=False,
                                 choices=[("", "Alle leeftijden"), *selectors.AGE_GROUPS.items()],
                                 help_text="Geldt voor de ZRM-cijfers (personen), niet voor de casuscijfers.")

    def __init__(self, data, *, teams, team, workers, today: dt.date):
        super().__init__(data)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]
        self.fields["team"].initial = str(team.pk)
        if len(teams) == 1:
            del self.fields["team"]
        self.fields["medewerker"].choices = [("", "Alle medewerkers")] + [
            (str(w.pk), selectors.worker_name(w)) for w in workers]
        self._init_period(today)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "worker_id": int(data["medewerker"]) if data.get("medewerker") else None,
            "household_type": data.get("huishoudtype") or "",
            "age_group": data.get("leeftijd") or "",
        }


class PublicDashboardForm(PeriodMixin, StyledFormMixin, forms.Form):
    """The gemeente page: all teams together, one team, or one wijk (aggregated, suppressed)."""

    bereik = forms.ChoiceField(label="Bereik", required=False,
                               error_messages={"invalid_choice": "Kies een bereik uit de lijst."})
    soort = forms.ChoiceField(label="Soort periode", required=False)
    periode = forms.ChoiceField(label="Periode", required=False,
                                error_messages={"invalid_choice": "Kies een periode uit de lijst."})

    def __init__(self, data, *, teams, wijken, today: dt.date):
        super().__init__(data)
        self.scopes = {"all": ("all", "", "Alle teams")}
        for team in teams:
            self.scopes[f"team-{team.pk}"] = ("team", str(team.pk), team.name)
        for wijk in wijken:
            self.scopes[f"wijk-{wijk}"] = ("wijk", wijk, f"Wijk {wijk or '(onbekend)'}")
        self.fields["bereik"].choices = [(key, label) for key, (_, _, label) in self.scopes.items()]
        self.fields["bereik"].initial = "all"
        self._init_period(today)

    def scope(self) -> tuple[str, str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return self.scopes[data.get("bereik") or "all"]
