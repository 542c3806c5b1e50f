"""Each invariant is rejected by the database itself, bypassing the services."""
import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from cases.models import Case, DirectorAssignment, Person
from common import audit
from common.models import AuditEvent
from tests.factories import CaseFactory, PersonFactory, StaffFactory, closure_reason

pytestmark = pytest.mark.django_db


def rejected(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_a_household_cannot_have_two_open_cases():
    case = CaseFactory()
    rejected(lambda: CaseFactory(household=case.household, regisseur=case.regisseur))


def test_a_household_may_have_a_closed_and_an_open_case():
    case = CaseFactory()
    Case.objects.filter(pk=case.pk).update(status="afgesloten", closed_on=dt.date.today(),
                                           closure_reason=closure_reason())
    CaseFactory(household=case.household, regisseur=case.regisseur)
    assert Case.objects.filter(household=case.household).count() == 2


def test_an_open_case_must_have_a_director():
    case = CaseFactory()
    rejected(lambda: Case.objects.filter(pk=case.pk).update(regisseur=None))


def test_a_closed_case_needs_a_reason_and_a_date():
    case = CaseFactory()
    rejected(lambda: Case.objects.filter(pk=case.pk).update(status="afgesloten"))
    rejected(lambda: Case.objects.filter(pk=case.pk).update(status="afgesloten", closed_on=dt.date.today()))


def test_a_bsn_is_unique_and_always_has_its_lookup_hash():
    person = PersonFactory()
    rejected(lambda: Person.objects.create(bsn=person.bsn, first_name="A", last_name="B",
                                           date_of_birth=dt.date(1990, 1, 1)))
    # An encrypted number without its lookup hash (written around the model field) is refused too.
    rejected(lambda: Person.objects.filter(pk=person.pk).update(bsn_hash=None))
    # Several persons without a BSN are fine.
    PersonFactory(bsn=None)
    PersonFactory(bsn=None)


def test_a_case_has_one_current_director_assignment():
    case = CaseFactory()
    rejected(lambda: DirectorAssignment.objects.create(
        case=case, regisseur=case.regisseur, started_on=dt.date.today(), assigned_by=case.regisseur.user))


def test_first_contact_cannot_precede_the_melding():
    case = CaseFactory()
    rejected(lambda: Case.objects.filter(pk=case.pk).update(
        first_contact_date=case.melding_date - dt.timedelta(days=1)))


def test_the_director_must_belong_to_the_cases_team_postgres():
    case = CaseFactory()
    other_team_worker = StaffFactory()
    rejected(lambda: Case.objects.filter(pk=case.pk).update(regisseur=other_team_worker))
    municipality = StaffFactory(municipality=True)
    rejected(lambda: Case.objects.filter(pk=case.pk).update(regisseur=municipality))
    rejected(lambda: CaseFactory(regisseur=other_team_worker, team=case.team))


def test_status_follows_the_state_machine_postgres():
    case = CaseFactory()
    Case.objects.filter(pk=case.pk).update(status="in_behandeling")
    rejected(lambda: Case.objects.filter(pk=case.pk).update(status="aangemeld"))
    Case.objects.filter(pk=case.pk).update(status="afgesloten", closed_on=dt.date.today(),
                                           closure_reason=closure_reason())
    rejected(lambda: Case.objects.filter(pk=case.pk).update(status="in_behandeling", closed_on=None,
                                                            closure_reason=None))


@pytest.mark.parametrize("source", ["aangemeld", "in_behandeling", "afgesloten"])
@pytest.mark.parametrize("target", ["aangemeld", "in_behandeling", "afgesloten"])
def test_the_database_allows_exactly_the_transitions_the_services_use(source, target):
    """The trigger is generated from CASE_TRANSITIONS: every pair the table allows, the database allows, and no other."""
    from cases.models import CASE_TRANSITIONS

    case = CaseFactory()
    closed = {"closed_on": dt.date.today(), "closure_reason": closure_reason()}
    open_ = {"closed_on": None, "closure_reason": None}
    if source != "aangemeld":
        Case.objects.filter(pk=case.pk).update(status=source, **(closed if source == "afgesloten" else open_))
    change = lambda: Case.objects.filter(pk=case.pk).update(  # noqa: E731
        status=target, **(closed if target == "afgesloten" else open_))
    if source == target or target in CASE_TRANSITIONS[source]:
        with transaction.atomic():
            change()
        assert Case.objects.get(pk=case.pk).status == target
    else:
        rejected(change)


def test_the_audit_log_is_append_only_postgres():
    case = CaseFactory()
    event = audit.record(audit.Actor(user=None, client="test"), "read", case, case=case, purpose=audit.PURPOSE_CASEWORK)
    rejected(lambda: AuditEvent.objects.filter(pk=event.pk).update(purpose="changed"))
    rejected(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_auditevent")
