"""What every service shares: the Dutch messages, today, error collection, the case timeline and the case lock."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from common import audit
from common.audit import Actor

from ..models import Case, CaseEvent

MSG_FUTURE = "Deze datum ligt in de toekomst."
MSG_OPEN_CASE = "Dit huishouden heeft al een open casus."
MSG_BSN_INVALID = "Dit is geen geldig BSN: het moet uit 9 cijfers bestaan en de elfproef doorstaan."
MSG_BSN_TAKEN = ("Er is al een persoon met dit BSN geregistreerd. Is die persoon bij een ander team bekend, doe dan "
                 "de regiecheck en koppel de persoon op de casus met 'Bekende persoon koppelen'.")
MSG_DIRECTOR_NOT_IN_TEAM = "De regisseur moet een actief lid van team {team} zijn (sociaal werker of teamleider)."


class OpenCaseExists(ValidationError):
    """The household already has an open case; `case` is that case."""

    def __init__(self, case: Case):
        super().__init__(MSG_OPEN_CASE, code="open_case_exists")
        self.case = case


def today() -> dt.date:
    return timezone.localdate()


def _not_in_future(errors: dict, name: str, value: dt.date | None) -> None:
    if value is not None and value > today():
        errors.setdefault(name, []).append(MSG_FUTURE)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _acting(actor: Actor) -> tuple[object | None, str]:
    """(user, client name) for the "who" columns of the timeline and director history: a machine client has no
    user account, so its name ("api:<name>") stands in (constraints caseevent_has_actor and
    director_assigned_by_someone)."""
    user = audit._user(actor)
    return user, ("" if user is not None else actor.client)


def _event(case: Case, kind: str, on: dt.date, actor: Actor, description: str = "") -> None:
    user, client = _acting(actor)
    CaseEvent.objects.create(case=case, kind=kind, occurred_on=on, description=description[:500], actor=user,
                             actor_client=client)


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("team", "closure_reason").get(pk=case.pk)
