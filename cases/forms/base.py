"""What the forms of the cases app share: the design-system styling, service errors on fields, the
director choice, BSN and postcode checks, yes/no questions."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.validators import is_valid_bsn, normalise_postcode, validate_postcode

from ..models import Person, StaffMembership
from ..selectors import directors_for_team
from ..services import MSG_BSN_INVALID


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


DATE_INVALID = "Vul een geldige datum in."


CHECKBOX_CLASS = "utrecht-checkbox utrecht-checkbox--html-input"


def _radios():
    # --html-input gives native radios the design system's checked and focus styles.
    return forms.RadioSelect(attrs={"class": "utrecht-radio-button utrecht-radio-button--html-input"})


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
