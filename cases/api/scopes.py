"""Who may call an endpoint: machine clients by scope, staff by role.

A view declares
- `required_scopes`: {"read": Scope, "write": Scope} (or one Scope for both) for machine clients;
  without it, no machine client may call the view;
- `staff_roles`: the roles whose session may call it; None (the default) lets any signed-in staff
  member through, the view then limits what they see by team (cases.selectors.team_ids_of).
"""
from rest_framework.permissions import SAFE_METHODS, BasePermission

from cases.selectors import roles_of

READ, WRITE = "read", "write"


def scope_for(view, method: str):
    scopes = getattr(view, "required_scopes", None)
    if scopes is None or isinstance(scopes, str):
        return scopes
    return scopes.get(READ if method in SAFE_METHODS else WRITE)


class ScopePermission(BasePermission):
    message = "Deze client of gebruiker heeft geen toegang tot dit endpoint."

    def has_permission(self, request, view):
        client = getattr(request.user, "client", None)
        if client is not None:
            scope = scope_for(view, request.method)
            return scope is not None and client.has_scope(scope)
        if not getattr(request.user, "is_authenticated", False):
            return False
        roles = getattr(view, "staff_roles", None)
        return roles is None or bool(roles_of(request.user) & set(roles))
