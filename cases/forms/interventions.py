"""Interventions (trajecten) and escalations."""
from django import forms
from django.conf import settings

from ..models import (
    Deliverer,
    DeviationReason,
    EscalationKind,
    Intervention,
    InterventionType,
    OtherSubcategory,
    Person,
    TeamAction,
)
from ..services import InterventionData
from .base import (
    DATE_INVALID,
    DateInput,
    StyledFormMixin,
    _members_queryset,
    _person_label,
    _radios,
    _today,
    yes_no_field,
    yes_no_initial,
)


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
