"""Forms of the cases app. Forms parse and render; services validate business rules.

Format checks that need no database (BSN elfproef, postcode shape) run here too, with the same
validators and messages as the services, so a user sees every format error in one round trip.
Everything else (duplicate BSN, dates in the future, a director of another team) comes from the
service and is put back on the fields with `add_service_errors`.
"""
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.validators import is_valid_bsn, normalise_postcode, validate_postcode

from .models import (
    ActorType,
    ClosureReason,
    Deliverer,
    DeviationReason,
    EscalationKind,
    FollowedUp,
    Intervention,
    InterventionType,
    MeldingSource,
    MemberRole,
    NoGoalReason,
    OtherSubcategory,
    Person,
    StaffMembership,
    TeamAction,
)
from .selectors import directors_for_team
from .services import MSG_BSN_INVALID, InterventionData, PersonData


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
        block = next((b for b in ("checkbox", "select", "textarea", "radio-button") if f"utrecht-{b} " in f"{css} "),
                     "textbox")
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


# --- The plan of a case: one short form per task (issue 4) -----------------------------------------

DATE_INVALID = "Vul een geldige datum in."
CHECKBOX_CLASS = "utrecht-checkbox utrecht-checkbox--html-input"


def _radios():
    # --html-input gives native radios the design system's checked and focus styles.
    return forms.RadioSelect(attrs={"class": "utrecht-radio-button utrecht-radio-button--html-input"})

SCORE_CHOICES = [
    ("", "Geen beoogde score"), (1, "1 acute problematiek"), (2, "2 niet zelfredzaam"),
    (3, "3 beperkt zelfredzaam"), (4, "4 voldoende zelfredzaam"), (5, "5 volledig zelfredzaam"),
]
YES, NO = "ja", "nee"


def yes_no_field(label, *, yes="Ja", no="Nee", unknown: str | None = None, required_message: str = "",
                 help_text: str = ""):
    """A yes/no question as two big radio buttons (three with `unknown`: a "don't know yet" that means None)."""
    choices = ([("", unknown)] if unknown else []) + [(YES, yes), (NO, no)]
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=lambda value: value == YES, empty_value=None,
        required=unknown is None, widget=_radios(), help_text=help_text,
        error_messages={"required": required_message or "Maak een keuze.", "invalid_choice": "Maak een keuze."},
    )


def yes_no_initial(value) -> str:
    """The radio value that shows a stored True/False/None."""
    return "" if value is None else (YES if value else NO)


def _person_label(person) -> str:
    return person.full_name


def _members_queryset(members):
    return Person.objects.filter(pk__in=[m.person_id for m in members]).order_by("date_of_birth", "pk")


class PlanForm(StyledFormMixin, forms.Form):
    """Start a plan (or its next version), or change a plan in concept."""

    covered_persons = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), label="Gezinsleden in het plan",
        widget=forms.CheckboxSelectMultiple(attrs={"class": CHECKBOX_CLASS}),
        error_messages={"required": "Kies minstens één gezinslid voor het plan.",
                        "invalid_choice": "Alleen huidige gezinsleden kunnen in het plan.",
                        "invalid_pk_value": "Alleen huidige gezinsleden kunnen in het plan."},
    )
    own_responsibility = forms.CharField(
        label="Eigen verantwoordelijkheid van de cliënt", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Wat het huishouden zelf doet en waar het zelf voor staat.",
    )
    review_date = forms.DateField(label="Evaluatiedatum", widget=DateInput, required=False,
                                  error_messages={"invalid": DATE_INVALID})

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["covered_persons"]
        field.queryset = _members_queryset(members)
        field.label_from_instance = _person_label


class GoalForm(StyledFormMixin, forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(), label="Gezinslid", empty_label="Kies een gezinslid",
        error_messages={"required": "Kies het gezinslid van het doel.",
                        "invalid_choice": "Dit gezinslid valt niet onder het plan."},
    )
    domain = forms.ModelChoiceField(
        queryset=None, label="ZRM-domein", empty_label="Kies een domein",
        error_messages={"required": "Kies het ZRM-domein van het doel.",
                        "invalid_choice": "Kies een domein uit de lijst."},
    )
    description = forms.CharField(label="Doel", widget=forms.Textarea(attrs={"rows": 2}),
                                  error_messages={"required": "Beschrijf het doel."})
    target_score = forms.TypedChoiceField(label="Beoogde score", choices=SCORE_CHOICES, coerce=int, empty_value=None,
                                          required=False,
                                          error_messages={"invalid_choice": "De beoogde score ligt tussen 1 en 5."})
    target_date = forms.DateField(label="Streefdatum", widget=DateInput, required=False,
                                  help_text="Nodig om het plan vast te stellen.",
                                  error_messages={"invalid": DATE_INVALID})
    actor_type = forms.ChoiceField(label="Verantwoordelijke", choices=[("", "Kies wie"), *ActorType.choices],
                                   required=False, help_text="Nodig om het plan vast te stellen.",
                                   error_messages={"invalid_choice": "Kies wie verantwoordelijk is."})
    actor_name = forms.CharField(label="Naam van de verantwoordelijke", max_length=200, required=False,
                                 help_text="Verplicht bij iemand uit het netwerk of een externe organisatie.")

    def __init__(self, *args, plan, domains, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = plan.covered_persons.order_by("date_of_birth", "pk")
        self.fields["person"].label_from_instance = _person_label
        domains = domains.all()
        several = len({d.version_id for d in domains}) > 1
        self.fields["domain"].queryset = domains
        self.fields["domain"].label_from_instance = (
            (lambda d: f"{d.name} ({d.version.name})") if several else (lambda d: d.name))


class LowDomainReasonForm(StyledFormMixin, forms.Form):
    """Why a domain that scored low gets no goal (a coded reason)."""

    item = forms.ChoiceField(label="Gezinslid en domein", error_messages={
        "required": "Kies het domein.", "invalid_choice": "Kies een laag scorend domein uit de lijst."})
    reason = forms.ChoiceField(label="Reden dat er geen doel is", choices=NoGoalReason.choices,
                               widget=_radios(),
                               error_messages={"required": "Kies een reden.", "invalid_choice": "Kies een reden."})
    explanation = forms.CharField(label="Toelichting", max_length=500, required=False,
                                  help_text="Verplicht bij 'Overig'.")

    def __init__(self, *args, low_domains, **kwargs):
        super().__init__(*args, **kwargs)
        self.low_domains = {f"{item.person.pk}-{item.domain.pk}": item for item in low_domains}
        self.fields["item"].choices = [("", "Kies een domein")] + [
            (key, f"{item.person.full_name}: {item.domain.name} (score {item.score})")
            for key, item in self.low_domains.items()
        ]

    @property
    def selected(self):
        return self.low_domains[self.cleaned_data["item"]]


class AgreementForm(StyledFormMixin, forms.Form):
    actor_type = forms.ChoiceField(
        label="Wie", choices=ActorType.choices, widget=_radios(),
        help_text="Een afspraak van de cliënt of het netwerk telt als eigen inzet.",
        error_messages={"required": "Kies wie de afspraak uitvoert.",
                        "invalid_choice": "Kies wie de afspraak uitvoert."},
    )
    actor_name = forms.CharField(label="Naam", max_length=200, required=False)
    description = forms.CharField(label="Wat", widget=forms.Textarea(attrs={"rows": 2}),
                                  error_messages={"required": "Beschrijf wat er is afgesproken."})
    due_date = forms.DateField(label="Wanneer (uiterlijk)", widget=DateInput,
                               error_messages={"required": "Vul in wanneer de afspraak uitgevoerd moet zijn.",
                                               "invalid": DATE_INVALID})


class NetworkAssessmentForm(StyledFormMixin, forms.Form):
    explored = forms.BooleanField(label="Het netwerk is verkend", required=False)
    contacted = forms.BooleanField(label="Het netwerk is benaderd", required=False)
    contribution_agreed = forms.BooleanField(label="Er is een bijdrage van het netwerk afgesproken", required=False)
    reason_not_used = forms.CharField(label="Reden als het netwerk niet wordt ingezet", max_length=500,
                                      required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="Verplicht als er geen bijdrage is afgesproken.")


class NetworkMemberForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="Naam", max_length=200, error_messages={"required": "Vul de naam in."})
    relation = forms.CharField(label="Relatie tot het huishouden", max_length=100,
                               help_text="Bijvoorbeeld: zus, buurman, vriendin.",
                               error_messages={"required": "Vul de relatie tot het huishouden in."})
    supportive = yes_no_field("Steunend of belemmerend?", yes="Steunend", no="Belemmerend",
                              required_message="Geef aan of deze persoon steunend of belemmerend is.")
    agreed_contribution = forms.CharField(label="Afgesproken bijdrage", max_length=500, required=False)


class FamilyApproachForm(StyledFormMixin, forms.Form):
    spoken_to = yes_no_field("Gesproken?", required_message="Geef aan of dit gezinslid gesproken is.")
    reason_not_spoken = forms.CharField(label="Reden dat dit gezinslid niet gesproken is", max_length=500,
                                        required=False, help_text="Verplicht als het gezinslid niet gesproken is.")
    needs_support = forms.BooleanField(label="Heeft ondersteuning nodig", required=False)
    receives_support = forms.BooleanField(label="Krijgt ondersteuning", required=False)


class SafetyOverrideForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="Reden van de uitzondering", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Waarom deze veiligheidscasus verder kan zonder dat alle gezinsleden "
                                       "gesproken zijn.",
                             error_messages={"required": "Geef een reden voor de uitzondering."})


class EvaluationFormBase(StyledFormMixin, forms.Form):
    evaluation = forms.CharField(label="Evaluatie", widget=forms.Textarea(attrs={"rows": 4}),
                                 error_messages={"required": "Beschrijf de evaluatie."})

    def followed(self) -> dict[int, str]:
        return {agreement.pk: self.cleaned_data[f"followed_{agreement.pk}"] for agreement in self.agreements
                if self.cleaned_data.get(f"followed_{agreement.pk}")}

    def achieved_goal_ids(self) -> list[int]:
        return [goal.pk for goal in self.goals if self.cleaned_data.get(f"achieved_{goal.pk}")]


def evaluation_form(plan, data=None) -> EvaluationFormBase:
    """The evaluation of a vastgesteld plan: per agreement followed ja/deels/nee, per goal achieved or not."""
    agreements, goals = list(plan.agreements.all()), list(plan.goals.all())
    fields = {}
    for agreement in agreements:
        fields[f"followed_{agreement.pk}"] = forms.ChoiceField(
            label=f"Nagekomen: {agreement.description}", choices=FollowedUp.choices, widget=_radios(),
            error_messages={"required": "Kies per afspraak: ja, deels of nee.",
                            "invalid_choice": "Kies per afspraak: ja, deels of nee."})
    for goal in goals:
        fields[f"achieved_{goal.pk}"] = forms.BooleanField(
            label=f"Behaald: {goal.person.full_name}, {goal.domain.name}: {goal.description}", required=False)
    form_class = type("EvaluationForm", (EvaluationFormBase,), fields)
    form = form_class(data)
    form.agreements, form.goals = agreements, goals
    return form


# --- Interventions and escalations ------------------------------------------------------------------

class InterventionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parts = [obj.type.label]
        if obj.provider:
            parts.append(obj.provider)
        if obj.start_date:
            parts.append(f"vanaf {obj.start_date:%d-%m-%Y}")
        return ", ".join(parts) + (" (wachtlijst)" if obj.on_waiting_list else "")


def _type_field(label, *, required=False, empty_label="Kies een soort", **kwargs):
    return forms.ModelChoiceField(
        queryset=InterventionType.objects.filter(active=True), label=label, required=required,
        empty_label=empty_label, error_messages={"required": "Kies de soort traject.",
                                                 "invalid_choice": "Kies een soort uit de lijst."}, **kwargs)


class InterventionForm(StyledFormMixin, forms.Form):
    """Every field of a trajectory (traject), as the MKBA needs them (DOMAIN.md §4-§5)."""

    type = _type_field("Soort traject", required=True)
    subcategory = forms.ChoiceField(label="Subcategorie bij 'anders'", required=False,
                                    choices=[("", "Niet van toepassing"), *OtherSubcategory.choices])
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label="Voor gezinslid", required=False,
                                    empty_label="Het hele huishouden",
                                    error_messages={"invalid_choice": "Kies een gezinslid uit de lijst."})
    provider = forms.CharField(label="Aanbieder", max_length=200, required=False)
    start_date = forms.DateField(label="Startdatum", widget=DateInput, required=False,
                                 error_messages={"invalid": DATE_INVALID})
    end_date = forms.DateField(label="Einddatum", widget=DateInput, required=False,
                               error_messages={"invalid": DATE_INVALID})
    team_action = forms.ChoiceField(
        label="Rol van het team", choices=TeamAction.choices, widget=_radios(),
        error_messages={"required": "Geef aan of het traject al liep, of door het team is gestart of gestopt."})
    deliverer = forms.ChoiceField(label="Wie voert het uit?", choices=Deliverer.choices, widget=_radios(),
                                  error_messages={"required": "Geef aan wie het traject uitvoert."})
    would_have_started_without_team = yes_no_field("Zou dit traject ook zonder het team gestart zijn?",
                                                   unknown="Weet ik niet")
    monthly_hours = forms.DecimalField(
        label="Uren lichte ondersteuning per maand", max_digits=5, decimal_places=1, min_value=0, required=False,
        localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": "Vul een aantal uren in, bijvoorbeeld 4 of 2,5.",
                        "min_value": "Het aantal uren kan niet negatief zijn.",
                        "max_decimal_places": "Vul de uren in met hoogstens één cijfer achter de komma.",
                        "max_digits": "Vul een kleiner aantal uren in.",
                        "max_whole_digits": "Vul een kleiner aantal uren in."},
    )
    most_appropriate_type = _type_field("Meest passende hulp", empty_label="Gelijk aan de ingezette hulp")
    deviation_reason = forms.ChoiceField(label="Reden van afwijking van de meest passende hulp", required=False,
                                         choices=[("", "Geen afwijking"), *DeviationReason.choices])
    replaces_type = _type_field("Vervangt traject (substitutie)", empty_label="Vervangt geen traject",
                                help_text="Het professionele traject dat niet nodig is omdat het team of het "
                                          "netwerk het werk doet.")
    on_waiting_list = forms.BooleanField(label="Staat op een wachtlijst", required=False)
    bridging_for = InterventionChoiceField(queryset=Intervention.objects.none(), required=False,
                                           label="Overbrugging voor een traject op de wachtlijst",
                                           empty_label="Geen overbrugging",
                                           error_messages={"invalid_choice": "Kies een traject uit de lijst."})
    carried_out_at_6_months = yes_no_field("Na 6 maanden: is het traject uitgevoerd?", unknown="Nog niet bekend")

    def __init__(self, *args, case, members, instance=None, **kwargs):
        from django.conf import settings

        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _members_queryset(members)
        self.fields["person"].label_from_instance = _person_label
        bridgeable = Intervention.objects.filter(case=case).select_related("type")
        if instance is not None:
            bridgeable = bridgeable.exclude(pk=instance.pk)
        self.fields["bridging_for"].queryset = bridgeable.order_by("start_date", "pk")
        cap = settings.WIJKREGIE["LIGHT_SUPPORT_MONTHLY_CAP_HOURS"]
        self.fields["monthly_hours"].help_text = (
            f"Alleen als het team zelf ondersteunt. Boven {cap} uur per maand krijgt u een waarschuwing.")
        self.fields["monthly_hours"].widget.attrs.setdefault("aria-describedby", "id_monthly_hours_help")

    @staticmethod
    def initial_from(intervention) -> dict:
        initial = {name: getattr(intervention, name) for name in InterventionData.__dataclass_fields__}
        for name in ("type", "person", "most_appropriate_type", "replaces_type", "bridging_for"):
            initial[name] = getattr(intervention, f"{name}_id")
        for name in ("would_have_started_without_team", "carried_out_at_6_months"):
            initial[name] = yes_no_initial(initial[name])
        return initial

    def to_data(self) -> InterventionData:
        data = self.cleaned_data
        return InterventionData(**{name: data.get(name) for name in InterventionData.__dataclass_fields__
                                   if name in data})


class EscalationForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Soort escalatie", choices=EscalationKind.choices, widget=_radios(),
                             error_messages={"required": "Kies de soort escalatie.",
                                             "invalid_choice": "Kies de soort escalatie."})
    prevented = yes_no_field("Opgetreden of voorkomen?", yes="Voorkomen", no="Opgetreden",
                             required_message="Geef aan of de escalatie is opgetreden of voorkomen.")
    prevented_by = InterventionChoiceField(queryset=Intervention.objects.none(), required=False,
                                           label="Voorkomen door traject", empty_label="Geen specifiek traject",
                                           error_messages={"invalid_choice": "Kies een traject uit de lijst."})
    children_count = forms.IntegerField(label="Aantal kinderen (bij een uithuisplaatsing)", min_value=1,
                                        required=False,
                                        error_messages={"min_value": "Vul minstens 1 kind in.",
                                                        "invalid": "Vul een aantal in."})
    date = forms.DateField(label="Datum", widget=DateInput, initial=_today,
                           error_messages={"required": "Vul de datum in.", "invalid": DATE_INVALID})
    note = forms.CharField(label="Toelichting", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prevented_by"].queryset = Intervention.objects.filter(case=case).select_related(
            "type").order_by("start_date", "pk")
