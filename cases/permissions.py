"""Who may use the staff endpoints of the API: the same need-to-know rule as the screens.

Used by the API views of every app (cases, zrm, reporting). Machine clients are checked by scope
(common.api.scopes.ScopePermission); staff sessions by role here.
"""
from rest_framework.permissions import BasePermission

from common.api.scopes import MESSAGE

from .models import HouseholdMembership
from .selectors import cases_visible_to, roles_of, team_ids_of


class StaffRolePermission(BasePermission):
    """A view's `staff_roles`: the roles whose session may call it; None (the default) lets any signed-in
    staff member through, the view then limits what they see by team (cases.selectors.team_ids_of).
    Machine clients pass here (ScopePermission checks them)."""

    message = MESSAGE

    def has_permission(self, request, view) -> bool:
        if getattr(request.user, "client", None) is not None:
            return True
        roles = getattr(view, "staff_roles", None)
        return roles is None or bool(roles_of(request.user) & set(roles))


class IsTeamStaff(BasePermission):
    """A signed-in sociaal werker or teamleider of at least one team. Gemeente and beheerder get 403;
    a case, plan or intervention of another team answers 403 in the view (selectors.get_*_for).

    A machine client passes when it has a registration scope and named teams (team_ids_of gives it exactly
    those); which scope each method needs is ScopePermission's business (the view's `required_scopes`).
    """

    message = "Alleen sociaal werkers en teamleiders (of een koppeling met teams) werken met casussen."

    def has_permission(self, request, view) -> bool:
        return bool(team_ids_of(request.user))


def visible_persons(persons, context):
    """Scope of a person lookup in a request (common.api.fields): persons of households the caller's teams hold a
    case of, so another team's person reads as an unknown id."""
    households = cases_visible_to(context["request"].user).values("household_id")
    return persons.filter(pk__in=HouseholdMembership.objects.filter(household_id__in=households).values("person_id"))
