"""The plan of a case: one short form per task (issue 4)."""
from django import forms

from ..models import ActorType, FollowedUp, NoGoalReason, Person
from .base import (
    CHECKBOX_CLASS,
    DATE_INVALID,
    DateInput,
    StyledFormMixin,
    _members_queryset,
    _person_label,
    _radios,
    yes_no_field,
)


SCORE_CHOICES = [
    ("", "Geen beoogde score"), (1, "1 acute problematiek"), (2, "2 niet zelfredzaam"),
    (3, "3 beperkt zelfredzaam"), (4, "4 voldoende zelfredzaam"), (5, "5 volledig zelfredzaam"),
]


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
