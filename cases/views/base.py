"""What the views of the cases app share: the role checks, the audit of a list, the task page of the casus page."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from common import audit
from common.audit import Actor
from common.models import AuditAction

from .. import selectors, services
from ..models import Case, Role
from ..selectors import roles_of


def team_member_required(view):
    """Signed in, and a sociaal werker or teamleider of at least one team (need-to-know)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.team_ids_of(request.user):
            raise PermissionDenied("Alleen sociaal werkers en teamleiders werken met casussen.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def privacy_officer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if Role.PRIVACY_OFFICER not in roles_of(request.user):
            raise PermissionDenied("Alleen de privacy officer behandelt inzageverzoeken.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _audit_list(request, cases) -> None:
    """A list of cases shown is a read of each case (one INSERT)."""
    audit.record_many(Actor.from_request(request), AuditAction.READ, [(case, None, case) for case in cases])


def _open_case_elsewhere(case: Case) -> str:
    return (f"Dit huishouden heeft al een open casus bij {case.team.name}. Neem contact op met dat team; "
            "een tweede casus kan niet worden geopend.")


def _redirect_to_open_case(request, case: Case):
    """Open the existing case instead of creating a duplicate (when it is the user's team's)."""
    if case.team_id in selectors.team_ids_of(request.user):
        messages.warning(request, services.MSG_OPEN_CASE)
        return redirect("cases:case_detail", pk=case.pk)
    return None


def _case_url(case, anchor: str = "") -> str:
    return reverse("cases:case_detail", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def _task_page(request, *, case, form, title, call, success, anchor="plan", button="Opslaan", intro="",
               template="cases/plan_task.html", extra=None):
    """One task of the casus page: GET shows the form; a valid POST runs the service and goes back (PRG)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = call(Actor.from_request(request), form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(_case_url(case, anchor))
    return render(request, template, {
        "case": case, "form": form, "title": title, "intro": intro, "button": button,
        "back_url": _case_url(case, anchor), "nav": "caseload", **(extra or {}),
    })


def _posted(request):
    """The posted data (even when empty, so an empty POST shows its errors), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None
