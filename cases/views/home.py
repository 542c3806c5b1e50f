"""The start page per role, and Mijn caseload."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from .. import selectors, services
from ..models import Role
from ..selectors import roles_of
from .base import _audit_list, team_member_required


@login_required
def home(request):
    roles = roles_of(request.user)
    if Role.SOCIAL_WORKER in roles or Role.TEAM_LEADER in roles:
        return redirect("cases:my_caseload")
    if Role.MUNICIPALITY in roles:
        return redirect("reporting:municipality")
    if Role.PRIVACY_OFFICER in roles:
        return redirect("cases:subject_access")
    if Role.ADMINISTRATOR in roles or request.user.is_superuser:
        return redirect("admin:index")
    raise PermissionDenied("Dit account heeft geen rol in Wijkregie.")


@team_member_required
def my_caseload(request):
    today = services.today()
    cases = selectors.my_caseload_rows(request.user, today)
    _audit_list(request, cases)
    return render(request, "cases/my_caseload.html", {"cases": cases, "today": today, "nav": "caseload"})
