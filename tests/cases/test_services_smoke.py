import datetime as dt

import pytest

from cases import services
from cases.models import AuditEvent, CaseStatus
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
