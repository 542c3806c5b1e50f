from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from cases.models import Role
from cases.selectors import roles_of

from . import selectors


@login_required
def municipality(request):
    """Aggregates for the municipality: no personal data, small cells suppressed."""
    roles = roles_of(request.user)
    if not roles & {Role.MUNICIPALITY, Role.TEAM_LEADER}:
        raise PermissionDenied
    return render(request, "reporting/municipality.html", {"rows": selectors.open_cases_per_team(), "nav": "gemeente"})
