"""The case lists: Mijn caseload and the team page, each case with its next due action."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from .. import extensions
from ..models import Case, CaseStatus, HouseholdMembership, MemberRole
from .access import cases_visible_to
from .households import household_type
from .plan import plan_due_items


def _with_list_relations(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("household", "team", "regisseur__user", "melding_source").prefetch_related(
        Prefetch(
            "household__memberships",
            queryset=HouseholdMembership.objects.filter(valid_to__isnull=True).select_related("person"),
            to_attr="current_memberships",
        )
    )


def next_due_action(case: Case, today: dt.date) -> tuple[str, dt.date | None]:
    """The next thing the director owes this case, with its due date (DOMAIN.md §1 norms): the
    earliest of the first contact (while not registered) and the next ZRM measurement of the
    case's schedule (`next_measurement_due`, attached by decorate_for_list); else the plan."""
    norms = settings.WIJKREGIE
    candidates = []
    if case.status == CaseStatus.REGISTERED and case.first_contact_date is None:
        candidates.append(("Eerste contact", case.melding_date + dt.timedelta(days=norms["FIRST_CONTACT_DAYS"])))
    due = getattr(case, "next_measurement_due", None)
    if due is not None:
        candidates.append(due)
    if candidates:
        return min(candidates, key=lambda candidate: candidate[1])
    return "Plan van aanpak", case.melding_date + dt.timedelta(days=norms["PLAN_DAYS"])


def decorate_for_list(cases, today: dt.date):
    """Attach days since melding, household type, next due action and overdue plan work to each case.

    Three queries in all, whatever the number of cases: the ZRM schedule (extensions.case_schedule) and the plan
    items of every listed case.
    """
    rows = list(cases)
    measurement_due = extensions.case_schedule.provider.next_due_by_case(rows, today) if rows else {}
    plan_due = plan_due_items([case.pk for case in rows], today)
    for case in rows:
        case.plan_due = plan_due.get(case.pk, [])  # overdue plan reviews and goals (two queries in all)
        item = measurement_due.get(case.pk)
        case.next_measurement_due = (item.label, item.due) if item else None
        case.measurement_overdue = bool(item and item.is_overdue)
        case.days_since_melding = (today - case.melding_date).days
        members = getattr(case.household, "current_memberships", [])
        case.household_type = household_type(members, today)
        case.household_label = _household_label(members)
        action, due = next_due_action(case, today)
        case.next_action = action
        case.next_action_due = due
        case.next_action_overdue = due is not None and due < today
    return rows


def _household_label(memberships) -> str:
    """Short name for lists: the surname of the first adult member."""
    adults = [m for m in memberships if m.role != MemberRole.CHILD] or list(memberships)
    if not adults:
        return "Huishouden zonder leden"
    person = adults[0].person
    surname = " ".join(p for p in (person.name_prefix, person.last_name) if p)
    return f"Huishouden {surname}"


# What Mijn caseload reads: the columns decorate_for_list and the list use, the current members for the
# household's name and type, and no BSN (decrypting one per member was a large share of the page).
CASELOAD_CASE_FIELDS = ("pk", "household_id", "melding_date", "status", "first_contact_date", "closed_on",
                        "safety_flag", "household__id")


CASELOAD_MEMBER_FIELDS = ("pk", "household_id", "person_id", "role", "living_at_home", "valid_to", "person__id",
                          "person__name_prefix", "person__last_name", "person__date_of_birth")


def my_caseload(user) -> QuerySet[Case]:
    """The open cases this user directs, loaded for the list (decorate_for_list): a case's other fields
    are deferred."""
    return (
        Case.objects.filter(regisseur__user=user, regisseur__active=True).exclude(status=CaseStatus.CLOSED)
        .select_related("household").only(*CASELOAD_CASE_FIELDS)
        .prefetch_related(Prefetch(
            "household__memberships",
            queryset=HouseholdMembership.objects.filter(valid_to__isnull=True).select_related("person")
            .only(*CASELOAD_MEMBER_FIELDS),
            to_attr="current_memberships",
        ))
        .order_by("melding_date", "pk")
    )


def my_caseload_rows(user, today: dt.date) -> list[Case]:
    """Mijn caseload: my open cases decorated for the list, with the texts the page shows ready made
    (link, status label, dates), so the template does not call the URL, translation and date machinery
    per row."""
    rows = decorate_for_list(my_caseload(user), today)
    status_labels = {value: str(label) for value, label in CaseStatus.choices}
    for case in rows:
        case.detail_url = reverse("cases:case_detail", args=[case.pk])
        case.status_label = status_labels.get(case.status, case.status)
        case.next_action_due_text = f"{case.next_action_due:%d-%m-%Y}" if case.next_action_due else ""
        for item in case.plan_due:
            item["due_text"] = f"{item['due']:%d-%m-%Y}"
    return rows


def team_cases(user, *, team_id: int | None = None, status: str | None = None, regisseur_id: int | None = None):
    """Open cases of the user's team(s), optionally filtered."""
    qs = cases_visible_to(user).exclude(status=CaseStatus.CLOSED)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if status:
        qs = qs.filter(status=status)
    if regisseur_id:
        qs = qs.filter(regisseur_id=regisseur_id)
    return _with_list_relations(qs).order_by("melding_date", "pk")
