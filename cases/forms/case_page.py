"""The actions on the casus page: first contact, transfer, close, reopen, add a member, link a known person."""
from django import forms

from ..models import ClosureReason, MemberRole
from .base import DateInput, DirectorChoiceField, StyledFormMixin, _today
from .melding import MeldingForm, MemberForm
from .privacy import RegiecheckForm


class FirstContactForm(StyledFormMixin, forms.Form):
    contact_date = forms.DateField(label="Datum eerste contact", widget=DateInput, initial=_today,
                                   error_messages={"required": "Vul de datum van het eerste contact in.",
                                                   "invalid": "Vul een geldige datum in."})


class TransferForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="Reden van de overdracht", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Geef een reden voor de overdracht."})
    on = forms.DateField(label="Datum overdracht", widget=DateInput, initial=_today, required=False,
                         error_messages={"invalid": "Vul een geldige datum in."})

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        field = DirectorChoiceField(team_id=case.team_id, label="Nieuwe regisseur")
        field.queryset = field.queryset.exclude(pk=case.regisseur_id)
        field.widget.attrs["class"] = "utrecht-select utrecht-select--html-select"
        self.fields = {"regisseur": field, **self.fields}


class CloseForm(StyledFormMixin, forms.Form):
    reason = forms.ModelChoiceField(
        queryset=ClosureReason.objects.filter(active=True), label="Reden van afsluiting", empty_label="Kies een reden",
        error_messages={"required": "Kies een reden van afsluiting.", "invalid_choice": "Kies een reden uit de lijst."},
    )
    closed_on = forms.DateField(label="Datum afsluiting", widget=DateInput, initial=_today,
                                error_messages={"required": "Vul de datum van afsluiting in.",
                                                "invalid": "Vul een geldige datum in."})


class ReopenForm(MeldingForm):
    """A new melding for the household of a closed case, linked to it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["safety_flag"]  # the new case keeps the closed case's safety flag


class AddMemberForm(MemberForm):
    valid_from = forms.DateField(label="Lid van het huishouden sinds", widget=DateInput, initial=_today,
                                 required=False, error_messages={"invalid": "Vul een geldige datum in."})


class LinkKnownPersonForm(RegiecheckForm):
    """A person Wijkregie already holds (for another team, say), named as the regiecheck names them: BSN, date
    of birth and the address of the household they now belong to."""

    role = forms.ChoiceField(label="Rol in dit huishouden", choices=[("", "Kies een rol"), *MemberRole.choices],
                             error_messages={"required": "Kies een rol in het huishouden."})
    living_at_home = forms.BooleanField(label="Woont thuis", required=False, initial=True)
    valid_from = forms.DateField(label="Lid van dit huishouden sinds", widget=DateInput, initial=_today,
                                 required=False, error_messages={"invalid": "Vul een geldige datum in."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postcode"].help_text = "Het adres van het huishouden waar de persoon nu bij hoort."
