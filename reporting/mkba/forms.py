"""Forms of the MKBA pages. They parse; reporting.mkba.services validates and saves."""
from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from cases.forms import StyledFormMixin

from .calculation import ACTORS, BENEFIT_CATEGORIES, MAX_BENEFIT_YEAR
from .report import field_name

HUNDRED = Decimal(100)
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def dutch_number(text: str) -> str:
    """'85.000' -> '85000', '0,5' -> '0.5', '1.234,56' -> '1234.56', '€ 71' -> '71'; else unchanged."""
    text = text.strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    if "," in text:
        return text.replace(".", "").replace(",", ".")
    if _THOUSANDS.match(text):
        return text.replace(".", "")
    return text


def dutch_display(value) -> str:
    """A number as an analyst types it: decimal comma, no thousands separator, no exponent."""
    return format(Decimal(str(value)).normalize(), "f").replace(".", ",")


class DutchDecimalField(forms.DecimalField):
    """Accepts Dutch notation (decimal comma, dots as thousands separators) as well as a decimal point."""

    widget = forms.TextInput

    def to_python(self, value):
        if isinstance(value, str):
            value = dutch_number(value)
        return super().to_python(value)


class ScopeForm(StyledFormMixin, forms.Form):
    """Which MKBA to show: a team (or all teams) and a year. GET; no personal data in the query string."""

    team = forms.ChoiceField(label="Team")
    year = forms.IntegerField(label="Jaar", min_value=2000, max_value=2100)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("alle", "Alle teams")] + [(str(team.pk), team.name) for team in teams]

    def team_id(self) -> int | None:
        value = self.cleaned_data["team"]
        return None if value == "alle" else int(value)


class OverrideForm(StyledFormMixin, forms.Form):
    """One optional field per overridable input line; empty means: use the registration or price book."""

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.paths: dict[str, tuple[str, str]] = {}
        for group in groups:
            for row in group.rows:
                if row.kind is None:
                    continue
                name = field_name(row.path)
                initial = row.override_value
                if row.kind == "share":
                    field = DutchDecimalField(label=row.label, required=False, min_value=0, max_value=100,
                                              decimal_places=2, help_text="procent")
                    initial = None if initial is None else Decimal(str(initial)) * HUNDRED
                elif row.kind == "year":
                    field = forms.IntegerField(label=row.label, required=False, min_value=0,
                                               max_value=MAX_BENEFIT_YEAR)
                else:
                    field = DutchDecimalField(label=row.label, required=False, min_value=0, decimal_places=4,
                                              max_digits=16)
                field.initial = None if initial is None else dutch_display(initial)
                field.widget.attrs.update({"inputmode": "decimal", "size": 10, "placeholder": row.display})
                field.error_messages["min_value"] = "Mag niet negatief zijn."
                field.error_messages["invalid"] = "Vul een getal in."
                if row.kind == "share":
                    field.error_messages["max_value"] = "Vul een percentage tussen 0 en 100 in."
                self.fields[name] = field
                self.paths[name] = (row.path, row.kind)

    def values(self) -> dict:
        """{override path: number, or None to clear the override}."""
        out = {}
        for name, (path, kind) in self.paths.items():
            value = self.cleaned_data.get(name)
            if value is not None and kind == "share":
                value = value / HUNDRED
            out[path] = value
        return out

    def add_service_errors(self, error) -> None:
        if hasattr(error, "error_dict"):
            for path, errors in error.error_dict.items():
                name = field_name(path)
                for item in errors:
                    self.add_error(name if name in self.fields else None, item)
                if name in self.fields:
                    self._mark_invalid(name)
        else:
            super().add_service_errors(error)


class NewScenarioForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="Naam van het nieuwe scenario", max_length=100)
    friction_percent = DutchDecimalField(
        label="Frictieaandeel (%)", required=False, min_value=0, max_value=100, decimal_places=2,
        help_text="Bijvoorbeeld 40 voor 40% eenmalige frictie. Leeg: zoals het huidige scenario.")
    additional_percent = DutchDecimalField(
        label="Aandeel extra gefinancierd (%)", required=False, min_value=0, max_value=100, decimal_places=2,
        help_text="Deel van het team dat niet ter vervanging van eerder werk komt. Leeg: zoals het huidige scenario.")
    copy_overrides = forms.BooleanField(label="Neem de aanpassingen van het huidige scenario over", required=False,
                                       initial=True)

    def values(self) -> dict:
        out = {}
        if self.cleaned_data.get("friction_percent") is not None:
            out["friction.share"] = self.cleaned_data["friction_percent"] / HUNDRED
        if self.cleaned_data.get("additional_percent") is not None:
            out["team.additionalShare"] = self.cleaned_data["additional_percent"] / HUNDRED
        return out


class ManualBenefitForm(StyledFormMixin, forms.Form):
    category = forms.ChoiceField(label="Soort baat", choices=list(BENEFIT_CATEGORIES.items()))
    label = forms.CharField(label="Omschrijving", max_length=200)
    benefit_actor = forms.ChoiceField(label="Wie ontvangt de baat", choices=list(ACTORS.items()))
    amount = DutchDecimalField(label="Bedrag (€, nominaal)", min_value=0, decimal_places=2, max_digits=14)
    year = forms.IntegerField(label="Jaar (0 = dit jaar)", min_value=0, max_value=MAX_BENEFIT_YEAR, initial=0,
                              help_text=f"Jaar waarin de baat optreedt (0-{MAX_BENEFIT_YEAR}); wordt verdisconteerd.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].error_messages["min_value"] = "Een bedrag mag niet negatief zijn."


class RenameForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="Nieuwe naam", max_length=100)
