"""Thin views: parse the request, call a service or selector, render."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .models import Role
from .selectors import roles_of


@login_required
def home(request):
    roles = roles_of(request.user)
    if Role.SOCIAL_WORKER in roles or Role.TEAM_LEADER in roles:
        return redirect("cases:my_caseload")
    if Role.MUNICIPALITY in roles:
        return redirect("reporting:municipality")
    if Role.ADMINISTRATOR in roles or request.user.is_superuser:
        return redirect("admin:index")
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied("Dit account heeft geen rol in Wijkregie.")
