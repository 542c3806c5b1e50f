"""Which machine client may call an endpoint: by scope.

A view declares `required_scopes`: {"read": Scope, "write": Scope} (or one Scope for both) for machine
clients; without it, no machine client may call the view. Staff sessions pass here: which roles may
call a view (`staff_roles`) is cases.permissions.StaffRolePermission's business, the next check in
REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES.
"""
from rest_framework.permissions import SAFE_METHODS, BasePermission

READ, WRITE = "read", "write"
MESSAGE = "Deze client of gebruiker heeft geen toegang tot dit endpoint."


def scope_for(view, method: str):
    scopes = getattr(view, "required_scopes", None)
    if scopes is None or isinstance(scopes, str):
        return scopes
    return scopes.get(READ if method in SAFE_METHODS else WRITE)


class ScopePermission(BasePermission):
    message = MESSAGE

    def has_permission(self, request, view):
        client = getattr(request.user, "client", None)
        if client is not None:
            scope = scope_for(view, request.method)
            return scope is not None and client.has_scope(scope)
        return bool(getattr(request.user, "is_authenticated", False))
