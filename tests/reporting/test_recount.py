"""The first reporting service: open cases per team, and small-cell suppression."""
import pytest
from django.utils import timezone

from cases import services
from common.audit import Actor
from reporting import selectors
from reporting.models import TeamCaseCount
from reporting.services import recount_open_cases
from tests.factories import CaseFactory, StaffFactory, TeamFactory, closure_reason


def _team_with_cases(open_count: int, closed_count: int):
    worker = StaffFactory()
    cases = [CaseFactory(regisseur=worker) for _ in range(open_count + closed_count)]
    # One open case in behandeling, the other open ones aangemeld; the rest closed.
    for case in cases[: min(1, open_count)]:
        services.register_first_contact(actor=Actor(user=worker.user), case=case, contact_date=timezone.localdate())
    for case in cases[open_count:]:
        services.close_case(actor=Actor(user=worker.user), case=case, reason=closure_reason(),
                            closed_on=timezone.localdate())
    return worker.team


@pytest.mark.django_db
def test_recount_counts_only_open_cases_aangemeld_and_in_behandeling():
    team = _team_with_cases(open_count=3, closed_count=2)
    empty_team = TeamFactory()

    assert recount_open_cases() == 2

    assert TeamCaseCount.objects.get(team=team).open_cases == 3
    assert TeamCaseCount.objects.get(team=empty_team).open_cases == 0


@pytest.mark.django_db
def test_recount_twice_gives_the_same_single_row_per_team():
    team = _team_with_cases(open_count=2, closed_count=1)
    recount_open_cases([team.id])
    first = TeamCaseCount.objects.get(team=team)

    recount_open_cases([team.id])

    rows = TeamCaseCount.objects.filter(team=team)
    assert rows.count() == 1
    assert rows.get().open_cases == first.open_cases == 2
    assert rows.get().computed_at >= first.computed_at


@pytest.mark.django_db
def test_recount_follows_changes_and_leaves_other_teams_alone():
    team = _team_with_cases(open_count=2, closed_count=0)
    other = _team_with_cases(open_count=1, closed_count=0)
    recount_open_cases()
    case = team.cases.first()
    worker = case.regisseur
    services.close_case(actor=Actor(user=worker.user), case=case, reason=closure_reason(),
                        closed_on=timezone.localdate())
    CaseFactory(regisseur=other.memberships.first())

    recount_open_cases([team.id])

    assert TeamCaseCount.objects.get(team=team).open_cases == 1
    # Not asked for: the other team keeps its previous count until it is recounted.
    assert TeamCaseCount.objects.get(team=other).open_cases == 1


@pytest.mark.parametrize(
    ("count", "shown"),
    [(None, "–"), (0, "<5"), (1, "<5"), (4, "<5"), (5, "5"), (6, "6"), (1234, "1234")],
)
def test_small_cells_are_suppressed_below_the_threshold(count, shown):
    assert selectors.suppress(count) == shown


def test_the_suppression_threshold_is_a_setting(settings):
    settings.WIJKREGIE = {**settings.WIJKREGIE, "SMALL_CELL_THRESHOLD": 10}
    assert selectors.suppress(9) == "<10"
    assert selectors.suppress(10) == "10"


@pytest.mark.django_db
def test_the_municipality_list_shows_suppressed_counts():
    small = _team_with_cases(open_count=2, closed_count=0)
    large = _team_with_cases(open_count=6, closed_count=1)
    recount_open_cases()

    rows = {row["team"]: row["open_cases"] for row in selectors.open_cases_per_team()}

    assert rows == {small.name: "<5", large.name: "6"}
