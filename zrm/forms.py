"""The ZRM entry form: header fields plus one radio group per domain. Parses; services validate."""
from __future__ import annotations

from django import forms

from cases.forms import DateInput, StyledFormMixin

from .models import PARTICIPATIELADDER, IncomeSource, MeasurementPurpose, MeasurementType, NotScoredReason

NOT_SCORED = "0"  # the radio value (and the key) for "niet gescoord"
SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)] + [(NOT_SCORED, "Niet gescoord")]


class MeasurementForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label="Datum van de meting", widget=DateInput(),
                           error_messages={"required": "Vul de datum van de meting in.",
                                           "invalid": "Vul een geldige datum in (dd-mm-jjjj)."})
    type = forms.ChoiceField(label="Soort meting", choices=MeasurementType.choices,
                             error_messages={"required": "Kies de soort meting."})
    purpose = forms.ChoiceField(label="Doel van de meting", required=False,
                                choices=[("", "—")] + list(MeasurementPurpose.choices))
    assessor = forms.ModelChoiceField(label="Beoordelaar", queryset=None, empty_label=None,
                                      error_messages={"required": "Kies de beoordelaar.",
                                                      "invalid_choice": "Kies een beoordelaar uit het team."})
    income_source = forms.ChoiceField(
        label="Belangrijkste bron van inkomen", required=False, choices=[("", "—")] + list(IncomeSource.choices),
        help_text="Met een uitkering waarschuwt Wijkregie bij een score hoger dan 3 op Financiën.",
    )
    participatieladder = forms.TypedChoiceField(
        label="Participatieladder", required=False, coerce=int, empty_value=None,
        choices=[("", "Niet vastgelegd")] + [(str(n), label) for n, label in PARTICIPATIELADDER],
    )
    correction_reason = forms.CharField(label="Reden van de correctie", max_length=500, required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, domains, assessors, is_correction=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = list(domains)
        self.fields["assessor"].queryset = assessors
        self.fields["assessor"].label_from_instance = lambda m: m.user.get_full_name() or m.user.get_username()
        if is_correction:
            self.fields["correction_reason"].required = True
            self.fields["correction_reason"].error_messages["required"] = "Geef de reden van de correctie."
        else:
            del self.fields["correction_reason"]
        for domain in self.domains:
            self.fields[f"score_{domain.code}"] = forms.ChoiceField(
                label=domain.name, required=False, choices=SCORE_CHOICES, widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"{domain.name}: kies 1 tot en met 5 of niet gescoord."},
            )
            self.fields[f"reason_{domain.code}"] = forms.ChoiceField(
                label=f"Reden niet gescoord: {domain.name}", required=False,
                choices=[(NotScoredReason.UNKNOWN, "Onbekend"), (NotScoredReason.NOT_RELEVANT, "Niet relevant")],
            )

    def scores(self) -> dict[str, object]:
        """{domain code: 1..5, 'niet_relevant'/'onbekend', or None} from the cleaned data."""
        out: dict[str, object] = {}
        for domain in self.domains:
            value = self.cleaned_data.get(f"score_{domain.code}") or ""
            if value == NOT_SCORED:
                out[domain.code] = self.cleaned_data.get(f"reason_{domain.code}") or NotScoredReason.UNKNOWN
            elif value:
                out[domain.code] = int(value)
            else:
                out[domain.code] = None
        return out
