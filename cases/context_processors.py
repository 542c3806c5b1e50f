from .selectors import roles_of


def staff(request):
    """The signed-in user's roles, for the navigation."""
    roles = roles_of(request.user) if getattr(request, "user", None) is not None else set()
    return {"user_roles": roles}
