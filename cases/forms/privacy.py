"""Forms of the privacy screens (issue 8): break-the-glass, regiecheck, consent, bemoeizorg, subject access.

They parse and check formats; the services in cases/services/ (privacy section) hold the rules.
"""
from django import forms

from ..models import ConsentPurpose, Organisation
from ..services import BREAK_GLASS_MIN_REASON
from .base import DateInput, StyledFormMixin, _bsn_field, _clean_bsn, _clean_postcode, _today


class BreakGlassForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="Waarom moet u deze casus inzien?", max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Minstens {BREAK_GLASS_MIN_REASON} tekens. Noem geen namen: de reden is zichtbaar voor beide "
                  "teamleiders en de privacy officer en wordt met de casus verwijderd na de bewaartermijn.",
        error_messages={"required": "Beschrijf waarom u deze casus moet inzien."},
    )


class RegiecheckForm(StyledFormMixin, forms.Form):
    """BSN, date of birth and address: all three must match (always sent by POST)."""

    bsn = _bsn_field(help_text="Negen cijfers.")
    date_of_birth = forms.DateField(label="Geboortedatum", widget=DateInput(),
                                    error_messages={"required": "Vul de geboortedatum in.",
                                                    "invalid": "Vul een geldige datum in."})
    postcode = forms.CharField(label="Postcode", max_length=10, widget=forms.TextInput(attrs={"autocomplete": "off"}),
                               error_messages={"required": "Vul de postcode in."})
    house_number = forms.IntegerField(label="Huisnummer", min_value=1,
                                      error_messages={"required": "Vul een huisnummer in (1 of hoger).",
                                                      "min_value": "Vul een huisnummer in (1 of hoger).",
                                                      "invalid": "Vul een huisnummer in (1 of hoger)."})
    house_number_addition = forms.CharField(label="Toevoeging", max_length=10, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bsn"].required = True
        self.fields["bsn"].error_messages["required"] = "Vul het BSN in."

    def clean_bsn(self):
        return _clean_bsn(self.cleaned_data.get("bsn"))

    def clean_postcode(self):
        return _clean_postcode(self.cleaned_data.get("postcode"))


class ConsentForm(StyledFormMixin, forms.Form):
    purpose = forms.ChoiceField(label="Doel", choices=[("", "Kies een doel")] + list(ConsentPurpose.choices),
                                error_messages={"required": "Kies het doel van de toestemming."})
    partner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"), required=False, label="Partnerorganisatie",
        empty_label="Geen specifieke organisatie",
        help_text="Met welke organisatie de gegevens gedeeld mogen worden. Alleen een toestemming voor "
                  "informatiedeling die deze organisatie noemt, laat een regiecheck meer dan contactgegevens delen.",
        error_messages={"invalid_choice": "Kies een organisatie uit de lijst."},
    )
    given_on = forms.DateField(label="Gegeven op", widget=DateInput(), initial=_today,
                               error_messages={"required": "Vul de datum in waarop de toestemming is gegeven.",
                                               "invalid": "Vul een geldige datum in."})
    description = forms.CharField(label="Toelichting", max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="Verplicht bij doel 'overig'.")


class WithdrawConsentForm(StyledFormMixin, forms.Form):
    withdrawn_on = forms.DateField(label="Ingetrokken op", widget=DateInput(), initial=_today,
                                   error_messages={"required": "Vul de datum van intrekking in.",
                                                   "invalid": "Vul een geldige datum in."})


class BemoeizorgForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reden voor bemoeizorg", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Waarom het team zich met dit huishouden bemoeit zonder hulpvraag. Laat leeg om bemoeizorg te "
                  "beëindigen.",
    )


class SubjectAccessForm(StyledFormMixin, forms.Form):
    bsn = _bsn_field(help_text="Het BSN van de persoon die om inzage vraagt (na controle van de identiteit).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bsn"].required = True
        self.fields["bsn"].error_messages["required"] = "Vul het BSN in."

    def clean_bsn(self):
        return _clean_bsn(self.cleaned_data.get("bsn"))
