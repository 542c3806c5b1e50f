import datetime as dt

import pytest

from cases import services
from cases.models import CaseStatus
from common.models import AuditEvent
from tests.factories import closure_reason, melding_source


@pytest.mark.django_db
def test_melding_to_reopen_through_services(actor, social_worker, team_leader):
    data = services.HouseholdData(
        postcode="9711 ab", house_number=12, street="Oosterstraat", city="Groningen",
        members=[services.PersonData(first_name="Anna", last_name="Jansen", date_of_birth=dt.date(1980, 5, 1),
                                     role="ouder", bsn="111222333")],
    )
    case = services.register_melding(
        actor=actor, team=social_worker.team, melding_date=dt.date.today(), melding_source=melding_source(),
        regisseur=social_worker, new_household=data,
    )
    assert case.household.postcode == "9711AB"
    case = services.register_first_contact(actor=actor, case=case, contact_date=dt.date.today())
    case = services.transfer_director(actor=actor, case=case, regisseur=team_leader, reason="Verlof")
    case = services.close_case(actor=actor, case=case, reason=closure_reason(), closed_on=dt.date.today())
    assert case.status == CaseStatus.CLOSED
    new = services.reopen_case(actor=actor, case=case, melding_date=dt.date.today(),
                               melding_source=melding_source(), regisseur=social_worker)
    assert new.reopened_from == case and new.status == CaseStatus.REGISTERED
    assert AuditEvent.objects.filter(case=case).count() >= 4


def household(**overrides):
    data = dict(postcode="9711AB", house_number=3, street="Oosterstraat", city="Groningen",
                members=[services.PersonData(first_name="Piet", last_name="de Vries",
                                             date_of_birth=dt.date(1975, 2, 2), role="ouder")])
    data.update(overrides)
    return services.HouseholdData(**data)


def register(actor, staff, **kwargs):
    params = dict(actor=actor, team=staff.team, melding_date=dt.date.today(), melding_source=melding_source(),
                  regisseur=staff, new_household=household())
    params.update(kwargs)
    return services.register_melding(**params)


@pytest.mark.django_db
class TestBadInputSavesNothing:
    def counts(self):
        from cases.models import Case, Household, Person

        return Case.objects.count(), Household.objects.count(), Person.objects.count()

    def assert_rejected(self, field, message, fn):
        from django.core.exceptions import ValidationError

        before = self.counts()
        with pytest.raises(ValidationError) as exc:
            fn()
        assert any(message in m for m in exc.value.message_dict[field]), exc.value.message_dict
        assert self.counts() == before

    def test_invalid_bsn(self, actor, social_worker):
        member = services.PersonData(first_name="A", last_name="B", date_of_birth=dt.date(1990, 1, 1),
                                     role="ouder", bsn="111222334")
        self.assert_rejected("members-0-bsn", "geen geldig BSN",
                             lambda: register(actor, social_worker, new_household=household(members=[member])))

    def test_duplicate_bsn_in_the_database_and_within_the_household(self, actor, social_worker):
        from tests.factories import PersonFactory

        taken = PersonFactory().bsn
        member = services.PersonData(first_name="A", last_name="B", date_of_birth=dt.date(1990, 1, 1),
                                     role="ouder", bsn=taken)
        self.assert_rejected("members-0-bsn", "al een persoon met dit BSN",
                             lambda: register(actor, social_worker, new_household=household(members=[member])))
        twice = [services.PersonData(first_name=n, last_name="B", date_of_birth=dt.date(1990, 1, 1),
                                     role="ouder", bsn="111222333") for n in ("A", "C")]
        self.assert_rejected("members-1-bsn", "al een persoon met dit BSN",
                             lambda: register(actor, social_worker, new_household=household(members=twice)))

    @pytest.mark.parametrize("postcode", ["1234 A", "0123AB", "ABCDEF"])
    def test_malformed_postcode(self, actor, social_worker, postcode):
        self.assert_rejected("postcode", "geldige postcode",
                             lambda: register(actor, social_worker, new_household=household(postcode=postcode)))

    def test_melding_date_in_the_future(self, actor, social_worker):
        self.assert_rejected("melding_date", "toekomst",
                             lambda: register(actor, social_worker,
                                              melding_date=dt.date.today() + dt.timedelta(days=1)))

    def test_director_from_another_team(self, actor, social_worker):
        from tests.factories import StaffFactory

        self.assert_rejected("regisseur", "actief lid van team",
                             lambda: register(actor, social_worker, regisseur=StaffFactory()))

    def test_closing_without_a_reason(self, actor, social_worker):
        from tests.factories import CaseFactory

        case = CaseFactory(regisseur=social_worker)
        self.assert_rejected("reason", "reden van afsluiting",
                             lambda: services.close_case(actor=actor, case=case, reason=None,
                                                         closed_on=dt.date.today()))
        case.refresh_from_db()
        assert case.status == CaseStatus.REGISTERED

    def test_transfer_to_another_teams_worker(self, actor, social_worker):
        from tests.factories import CaseFactory, StaffFactory

        case = CaseFactory(regisseur=social_worker)
        self.assert_rejected("regisseur", "actief lid van team",
                             lambda: services.transfer_director(actor=actor, case=case, regisseur=StaffFactory(),
                                                                reason="Verlof"))
        case.refresh_from_db()
        assert case.regisseur == social_worker


@pytest.mark.django_db
def test_a_second_melding_for_a_household_with_an_open_case_names_that_case(actor, social_worker):
    case = register(actor, social_worker)
    with pytest.raises(services.OpenCaseExists) as exc:
        register(actor, social_worker, new_household=None, household=case.household)
    assert exc.value.case == case


@pytest.mark.django_db
def test_a_melding_within_a_year_of_closing_is_linked_as_a_reopening(actor, social_worker):
    from cases.models import CaseEvent

    today = dt.date.today()
    case = register(actor, social_worker, melding_date=today - dt.timedelta(days=200))
    services.close_case(actor=actor, case=case, reason=closure_reason("verhuisd"),
                        closed_on=today - dt.timedelta(days=100))
    new = register(actor, social_worker, new_household=None, household=case.household)
    assert new.reopened_from == case
    event = CaseEvent.objects.get(case=new, kind="heropend")
    assert "100 dagen" in event.description and "Verhuisd" in event.description


@pytest.mark.django_db
def test_a_melding_long_after_closing_is_a_new_case(actor, social_worker):
    today = dt.date.today()
    case = register(actor, social_worker, melding_date=today - dt.timedelta(days=800))
    services.close_case(actor=actor, case=case, reason=closure_reason(), closed_on=today - dt.timedelta(days=400))
    new = register(actor, social_worker, new_household=None, household=case.household)
    assert new.reopened_from is None


@pytest.mark.django_db
def test_a_closed_case_cannot_be_closed_again_or_reopened_twice(actor, social_worker):
    from django.core.exceptions import ValidationError

    case = register(actor, social_worker)
    services.close_case(actor=actor, case=case, reason=closure_reason(), closed_on=dt.date.today())
    with pytest.raises(ValidationError, match="kan niet naar"):
        services.close_case(actor=actor, case=case, reason=closure_reason(), closed_on=dt.date.today())
    new = services.reopen_case(actor=actor, case=case, melding_date=dt.date.today(),
                               melding_source=melding_source(), regisseur=social_worker)
    services.close_case(actor=actor, case=new, reason=closure_reason(), closed_on=dt.date.today())
    with pytest.raises(ValidationError, match="al heropend"):
        services.reopen_case(actor=actor, case=case, melding_date=dt.date.today(),
                             melding_source=melding_source(), regisseur=social_worker)


@pytest.mark.django_db
def test_transfers_keep_the_director_history(actor, social_worker, team_leader):
    from cases.models import DirectorAssignment

    case = register(actor, social_worker)
    services.transfer_director(actor=actor, case=case, regisseur=team_leader, reason="Specialistische vraag")
    history = list(DirectorAssignment.objects.filter(case=case).order_by("pk"))
    assert [a.regisseur for a in history] == [social_worker, team_leader]
    assert history[0].ended_on == dt.date.today() and history[1].ended_on is None
    assert history[1].reason == "Specialistische vraag"
