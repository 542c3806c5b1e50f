"""Forms of the cases app. Forms parse and render; services validate business rules.

Format checks that need no database (BSN elfproef, postcode shape) run here too, with the same
validators and messages as the services, so a user sees every format error in one round trip.
Everything else (duplicate BSN, dates in the future, a director of another team) comes from the
service and is put back on the fields with `add_service_errors`.
"""
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import ClosureReason, MeldingSource, MemberRole, StaffMembership
from .selectors import directors_for_team
from .services import MSG_BSN_INVALID, PersonData
from .validators import is_valid_bsn, normalise_postcode, validate_postcode


class StyledFormMixin:
    """NL Design System (Utrecht) classes on every widget, and errors tied to inputs for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "utrecht-checkbox utrecht-checkbox--html-input"
            elif isinstance(widget, forms.Select):
                css = "utrecht-select utrecht-select--html-select"
            elif isinstance(widget, forms.Textarea):
                css = "utrecht-textarea utrecht-textarea--html-textarea"
            elif isinstance(widget, forms.RadioSelect):
                css = "utrecht-radio-button"
            else:
                css = "utrecht-textbox utrecht-textbox--html-input"
            widget.attrs.setdefault("class", css)
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"id_{self.add_prefix(name)}_help")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self._mark_invalid(name)

    def _mark_invalid(self, name: str) -> None:
        field = self.fields[name]
        widget = field.widget
        described = [f"id_{self.add_prefix(name)}_error"]
        if field.help_text:
            described.append(f"id_{self.add_prefix(name)}_help")
        widget.attrs["aria-invalid"] = "true"
        widget.attrs["aria-describedby"] = " ".join(described)
        css = widget.attrs.get("class", "")
        block = next((b for b in ("checkbox", "select", "textarea") if f"utrecht-{b} " in f"{css} "), "textbox")
        if f"utrecht-{block}--invalid" not in css:
            widget.attrs["class"] = f"{css} utrecht-{block}--invalid".strip()

    def add_service_errors(self, error) -> None:
        """Put a service's ValidationError on the matching fields (unknown keys become form errors)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if field in self.fields else None
                for item in errors:
                    self.add_error(target, item)
                if target is not None:
                    self._mark_invalid(target)
        else:
            for message in error.messages:
                self.add_error(None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _today():
    return timezone.localdate()


class DirectorChoiceField(forms.ModelChoiceField):
    """Offers the team's directors, but accepts any staff membership id.

    The service then says *why* a posted director is refused (another team, inactive, wrong
    role) instead of the generic "not one of the choices".
    """

    default_error_messages = {"invalid_choice": "Kies een regisseur uit de lijst."}

    def __init__(self, team_id=None, **kwargs):
        kwargs.setdefault("label", "Regisseur")
        kwargs.setdefault("empty_label", "Kies een regisseur")
        kwargs.setdefault("error_messages", {"required": "Kies een regisseur."})
        queryset = directors_for_team(team_id) if team_id else StaffMembership.objects.none()
        super().__init__(queryset=queryset, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return StaffMembership.objects.select_related("team", "user").get(pk=int(str(value)))
        except (ValueError, TypeError, StaffMembership.DoesNotExist):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def label_from_instance(self, obj):
        return f"{obj.user.get_full_name() or obj.user.get_username()} ({obj.get_role_display().lower()})"


def _clean_bsn(value: str) -> str:
    value = "".join((value or "").split())
    if value and not is_valid_bsn(value):
        raise ValidationError(MSG_BSN_INVALID, code="invalid_bsn")
    return value


def _clean_postcode(value: str) -> str:
    value = normalise_postcode(value)
    if value:
        validate_postcode(value)
    return value


def _bsn_field(**kwargs):
    return forms.CharField(
        label="BSN", max_length=11, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
        **kwargs,
    )


# --- Nieuwe melding -------------------------------------------------------------------------

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


# --- Actions on the casus page --------------------------------------------------------------

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


# --- Team page --------------------------------------------------------------------------------

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
