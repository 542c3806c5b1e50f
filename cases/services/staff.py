"""Who works where, in which role: four eyes on every membership and role, and the separation of duties.

A new staff membership, and a change of its user, team or role or switching it back on, give access (to a
team's cases, to the admin, to subject-access requests): a beheerder requests it, another beheerder
approves it (common.grants; the kind is registered in CasesConfig.ready). Until then the membership does
not exist or keeps its old role and team, so team_ids_of and roles_of give nothing new. Changes that give
no access (fte, discipline, home organisation, telephone number, switching off) are saved directly.

A beheerder never holds a team role: no user has an active beheerder membership and an active sociaal
werker or teamleider membership at once (checked here, and by a trigger on StaffMembership).
"""
from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from common import audit, grants

from ..models import Role, StaffMembership, Team
from .cases import TEAM_ROLE_VALUES

MEMBERSHIP_GRANT = "staff_membership"
MSG_SEPARATION = ("Scheiding van functies: een functioneel beheerder heeft geen rol als sociaal werker of "
                  "teamleider, en omgekeerd. Beëindig eerst het andere lidmaatschap.")


def _id(value):
    return getattr(value, "pk", value)


def _fte(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def membership_state(membership: StaffMembership | None) -> dict | None:
    """A membership as ids and codes: the before and after of a request and of its audit event."""
    if membership is None:
        return None
    return {"user": membership.user_id, "team": membership.team_id, "role": membership.role,
            "fte": _fte(membership.fte), "discipline": membership.discipline,
            "home_organisation": membership.home_organisation_id, "phone": membership.phone,
            "active": membership.active}


def state_from(values: dict) -> dict:
    """The state a form's cleaned data asks for (instances as their ids)."""
    fte = values.get("fte")
    return {"user": _id(values.get("user")), "team": _id(values.get("team")), "role": values.get("role"),
            "fte": _fte(1 if fte is None else fte), "discipline": values.get("discipline") or "",
            "home_organisation": _id(values.get("home_organisation")), "phone": values.get("phone") or "",
            "active": bool(values.get("active", True))}


def grants_access(before: dict | None, after: dict) -> bool:
    """New, another user, team or role, or switched back on: access that needs a second beheerder."""
    if before is None:
        return True
    if any(before[name] != after[name] for name in ("user", "team", "role")):
        return True
    return after["active"] and not before["active"]


def check_separation_of_duties(*, user, role: str, active: bool = True, exclude=None) -> None:
    """A beheerder never holds a team role, and a sociaal werker or teamleider is never beheerder."""
    if not active:
        return
    if role == Role.ADMINISTRATOR:
        clashing = TEAM_ROLE_VALUES
    elif role in TEAM_ROLE_VALUES:
        clashing = {Role.ADMINISTRATOR.value}
    else:
        return
    others = StaffMembership.objects.filter(user_id=_id(user), active=True, role__in=clashing)
    if exclude is not None:
        others = others.exclude(pk=_id(exclude))
    if others.exists():
        raise ValidationError({"role": MSG_SEPARATION})


def _validate(state: dict, *, membership=None) -> None:
    errors: dict = {}
    if state["role"] not in Role.values:
        errors.setdefault("role", []).append("Kies een rol.")
    if state["role"] in TEAM_ROLE_VALUES and not state["team"]:
        errors.setdefault("team", []).append("Een sociaal werker of teamleider hoort bij een team.")
    if state["team"] and StaffMembership.objects.filter(user_id=state["user"], team_id=state["team"]).exclude(
            pk=_id(membership)).exists():
        errors.setdefault("team", []).append("Deze medewerker heeft al een lidmaatschap van dit team.")
    if errors:
        raise ValidationError(errors)
    check_separation_of_duties(user=state["user"], role=state["role"], active=state["active"], exclude=membership)


def request_membership(*, actor: audit.Actor, values: dict, membership: StaffMembership | None = None):
    """Ask for a new membership, or a change of `membership` that gives access. Nothing changes until another
    beheerder approves it (common.grants.approve)."""
    after = state_from(values)
    before = membership_state(membership)
    if not grants_access(before, after):
        raise ValidationError("Deze wijziging geeft geen toegang; sla haar direct op.")
    _validate(after, membership=membership)
    return grants.submit(actor=actor, kind=MEMBERSHIP_GRANT, before=before, after=after,
                         target_id=str(membership.pk) if membership else "")


def _apply_grant(request, actor: audit.Actor) -> grants.GrantOutcome:
    """Approve: the membership as requested, checked again now (a membership changed since the request is
    refused, so the approver approves what is there)."""
    after = request.after
    membership = None
    if request.target_id:
        membership = StaffMembership.objects.select_for_update().filter(pk=request.target_id).first()
        if membership is None or membership_state(membership) != request.before:
            raise ValidationError("Het lidmaatschap is gewijzigd sinds de aanvraag; vraag opnieuw aan.")
    _validate(after, membership=membership)
    values = {"user_id": after["user"], "team_id": after["team"], "role": after["role"], "fte": Decimal(after["fte"]),
              "discipline": after["discipline"], "home_organisation_id": after["home_organisation"],
              "phone": after["phone"], "active": after["active"]}
    if membership is None:
        membership = StaffMembership.objects.create(**values)
        action = audit.AuditAction.CREATE
    else:
        StaffMembership.objects.filter(pk=membership.pk).update(**values)
        action = audit.AuditAction.UPDATE
    return grants.GrantOutcome(target_id=str(membership.pk), action=action,
                               changes=grants.diff(request.before, after))


def _describe(request) -> str:
    after = request.after
    user = get_user_model().objects.filter(pk=after["user"]).values_list("username", flat=True).first()
    team = Team.objects.filter(pk=after["team"]).values_list("name", flat=True).first() if after["team"] else None
    what = "Wijziging van lidmaatschap" if request.target_id else "Nieuw lidmaatschap"
    where = f" in {team}" if team else ""
    state = "" if after["active"] else " (niet actief)"
    return f"{what}: {user} als {Role(after['role']).label}{where}{state}"


def _is_beheerder(user) -> bool:
    if user.is_superuser:
        return True
    return StaffMembership.objects.filter(user=user, active=True, role=Role.ADMINISTRATOR).exists()


def register_grants() -> None:
    """Called from CasesConfig.ready: the cases layer applies membership grants and says who may decide."""
    grants.register(grants.GrantKind(code=MEMBERSHIP_GRANT, label="Teamlidmaatschap of rol",
                                     target_type="staffmembership", apply=_apply_grant, describe=_describe,
                                     redacted=frozenset({"phone"})))
    grants.register_authority(_is_beheerder)

