"""Nieuwe melding: the household search, the household and its members, the melding itself."""
from django import forms
from django.core.exceptions import ValidationError

from ..models import MeldingSource, MemberRole
from ..services import PersonData
from .base import DateInput, DirectorChoiceField, StyledFormMixin, _bsn_field, _clean_bsn, _clean_postcode, _today


class HouseholdSearchForm(StyledFormMixin, forms.Form):
    """Step 1 of a melding: find the household by BSN or by address (always sent by POST)."""

    team = forms.ModelChoiceField(queryset=None, label="Team", empty_label=None)
    bsn = _bsn_field(help_text="Negen cijfers. Laat leeg om op adres te zoeken.")
    postcode = forms.CharField(label="Postcode", max_length=10, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    house_number = forms.IntegerField(label="Huisnummer", min_value=1, required=False)
    house_number_addition = forms.CharField(label="Toevoeging", max_length=10, required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if len(teams) == 1:
            self.fields["team"].widget = forms.HiddenInput()
            self.fields["team"].initial = teams[0].pk

    def clean_bsn(self):
        return _clean_bsn(self.cleaned_data.get("bsn"))

    def clean_postcode(self):
        return _clean_postcode(self.cleaned_data.get("postcode"))

    def clean(self):
        data = super().clean()
        if data.get("bsn") or self.has_error("bsn"):
            return data
        postcode, number = data.get("postcode"), data.get("house_number")
        if not postcode and not number and not self.has_error("postcode") and not self.has_error("house_number"):
            raise ValidationError("Vul een BSN in, of een postcode en huisnummer.")
        if postcode and not number and not self.has_error("house_number"):
            self.add_error("house_number", "Vul ook het huisnummer in.")
        if number and not postcode and not self.has_error("postcode"):
            self.add_error("postcode", "Vul ook de postcode in.")
        return data


class HouseholdForm(StyledFormMixin, forms.Form):
    """The address of a new household."""

    postcode = forms.CharField(label="Postcode", max_length=10,
                               error_messages={"required": "Vul de postcode in."})
    house_number = forms.IntegerField(label="Huisnummer", min_value=1,
                                      error_messages={"required": "Vul een huisnummer in (1 of hoger)."})
    house_number_addition = forms.CharField(label="Toevoeging", max_length=10, required=False)
    street = forms.CharField(label="Straat", max_length=200, error_messages={"required": "Vul de straat in."})
    city = forms.CharField(label="Plaats", max_length=100, error_messages={"required": "Vul de plaats in."})
    wijk = forms.CharField(label="Wijk", max_length=100, required=False)

    def clean_postcode(self):
        return _clean_postcode(self.cleaned_data.get("postcode"))


class MemberForm(StyledFormMixin, forms.Form):
    """One member of a household."""

    first_name = forms.CharField(label="Voornaam", max_length=100, error_messages={"required": "Vul de voornaam in."})
    name_prefix = forms.CharField(label="Tussenvoegsel", max_length=20, required=False)
    last_name = forms.CharField(label="Achternaam", max_length=100,
                                error_messages={"required": "Vul de achternaam in."})
    date_of_birth = forms.DateField(label="Geboortedatum", widget=DateInput,
                                    error_messages={"required": "Vul de geboortedatum in.",
                                                    "invalid": "Vul een geldige datum in."})
    bsn = _bsn_field()
    role = forms.ChoiceField(label="Rol in het huishouden", choices=[("", "Kies een rol"), *MemberRole.choices],
                             error_messages={"required": "Kies een rol in het huishouden."})
    living_at_home = forms.BooleanField(label="Woont thuis", required=False, initial=True)

    def clean_bsn(self):
        return _clean_bsn(self.cleaned_data.get("bsn"))

    def has_changed(self):
        # A row is blank when nothing was typed: the "woont thuis" tick alone does not make a person.
        return any(name != "living_at_home" for name in self.changed_data)

    def to_data(self) -> PersonData:
        data = self.cleaned_data
        return PersonData(
            first_name=data["first_name"], name_prefix=data.get("name_prefix", ""), last_name=data["last_name"],
            date_of_birth=data["date_of_birth"], bsn=data.get("bsn") or None, role=data["role"],
            living_at_home=data.get("living_at_home", False),
        )


class BaseMemberFormSet(forms.BaseFormSet):
    """Every row is a new person: the rows re-shown after 'add a member' are not 'initial' forms."""

    def initial_form_count(self):
        return super().initial_form_count() if self.is_bound else 0


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=0, min_num=1, validate_min=True, max_num=20, validate_max=True,
)


MEMBERS_PREFIX = "members"


def member_formset(rows: list[dict] | None = None) -> BaseMemberFormSet:
    """An unbound member formset showing these rows (an empty one when none)."""
    rows = rows or [{}]
    formset = MemberFormSet(prefix=MEMBERS_PREFIX, initial=rows)
    formset.extra = max(len(rows) - formset.min_num, 0)
    return formset


def raw_values(form: forms.Form) -> dict:
    """What the user typed, without validating: to re-show a form unbound."""
    return {name: form[name].value() for name in form.fields}


class MeldingForm(StyledFormMixin, forms.Form):
    """The case part of a melding: when, from whom, safety and the director."""

    melding_date = forms.DateField(label="Meldingsdatum", widget=DateInput, initial=_today,
                                   error_messages={"required": "Vul de meldingsdatum in.",
                                                   "invalid": "Vul een geldige datum in."})
    melding_source = forms.ModelChoiceField(
        queryset=MeldingSource.objects.filter(active=True), label="Bron van de melding", empty_label="Kies een bron",
        error_messages={"required": "Kies de bron van de melding.", "invalid_choice": "Kies een bron uit de lijst."},
    )
    safety_flag = forms.BooleanField(
        label="Veiligheid in het geding", required=False,
        help_text="Aanvinken als de bron van de melding niet met het huishouden gedeeld mag worden.",
    )

    def __init__(self, *args, team, default_director=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regisseur"] = DirectorChoiceField(team_id=team.pk, initial=default_director)
        self.fields["regisseur"].widget.attrs.setdefault("class", "utrecht-select utrecht-select--html-select")
