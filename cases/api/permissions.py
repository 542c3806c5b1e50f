"""Who may use the staff endpoints of the cases API: the same need-to-know rule as the screens."""
from rest_framework.permissions import BasePermission

from ..selectors import team_ids_of


class IsTeamStaff(BasePermission):
    """A signed-in sociaal werker or teamleider of at least one team. Gemeente and beheerder get 403;
    a case, plan or intervention of another team answers 403 in the view (selectors.get_*_for).

    A machine client passes when it has a registration scope and named teams (team_ids_of gives it exactly
    those); which scope each method needs is ScopePermission's business (the view's `required_scopes`).
    """

    message = "Alleen sociaal werkers en teamleiders (of een koppeling met teams) werken met casussen."

    def has_permission(self, request, view) -> bool:
        return bool(team_ids_of(request.user))
