"""Who may use the staff endpoints of the cases API: the same need-to-know rule as the screens."""
from rest_framework.permissions import BasePermission

from ..selectors import team_ids_of


class IsTeamStaff(BasePermission):
    """A signed-in sociaal werker or teamleider of at least one team. Gemeente and beheerder get 403;
    a case, plan or intervention of another team answers 403 in the view (selectors.get_*_for).

    Machine clients (cases.api.authentication) are not admitted: these endpoints declare no scope, and
    a client has no team membership to scope the data by.
    """

    message = "Alleen sociaal werkers en teamleiders werken met casussen."

    def has_permission(self, request, view) -> bool:
        if getattr(request.user, "client", None) is not None:
            return False
        return bool(team_ids_of(request.user))
