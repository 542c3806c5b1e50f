"""Property-based tests (hypothesis) of the services that validate input.

For generated input the services accept exactly what the rules allow, and refuse the rest with a
Dutch error on the right field while saving nothing. Kept fast: at most 50 examples per property;
examples that write run in a savepoint that is rolled back.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import Counter
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from cases import services
from cases.models import ActorType, Case, Household, HouseholdMembership, NoGoalReason, Person
from common.audit import Actor
from common.models import AuditEvent
from common.validators import is_valid_bsn, validate_bsn
from tests.cases import import_files
from tests.factories import StaffFactory, melding_source
from tests.zrm.factories import (
    CHILD_CODES,
    CODES_2013,
    CODES_2017,
    case_with_adult,
    record,
)
from zrm import selectors as zrm_selectors, services as zrm_services
from zrm.imports import ImportRejected, import_registrations
from zrm.models import Domain, Measurement, NotScoredReason, Score

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TODAY = dt.date.today()


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    """Run one example's writes in a savepoint and undo them, so examples do not see each other."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def counts() -> tuple:
    return (Household.objects.count(), Person.objects.count(), HouseholdMembership.objects.count(),
            Case.objects.count(), Measurement.objects.count(), Score.objects.count(), AuditEvent.objects.count())


# --- BSN ---------------------------------------------------------------------------------------------

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


def reference_bsn_check(value: str) -> bool:
    """DOMAIN.md §7 written another way: the last digit is the weighted sum of the first eight, mod 11."""
    if len(value) != 9 or any(c not in "0123456789" for c in value) or value == "0" * 9:
        return False
    return sum(int(c) * w for c, w in zip(value[:8], WEIGHTS)) % 11 == int(value[8])


@st.composite
def valid_bsns(draw) -> str:
    first_eight = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    check = sum(int(c) * w for c, w in zip(first_eight, WEIGHTS)) % 11
    assume(check < 10 and (first_eight, check) != ("0" * 8, 0))
    return f"{first_eight}{check}"


@st.composite
def one_digit_changed(draw, bsn: str) -> str:
    position = draw(st.integers(0, 8))
    digit = draw(st.sampled_from([d for d in "0123456789" if d != bsn[position]]))
    return bsn[:position] + digit + bsn[position + 1:]


@FAST
@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_the_elfproef_agrees_with_a_reference_implementation_on_any_nine_digits(value):
    assert is_valid_bsn(value) == reference_bsn_check(value)


@FAST
@given(st.one_of(st.text(max_size=12), st.text(alphabet="0123456789 -.\n٣", max_size=11)))
def test_anything_that_is_not_nine_ascii_digits_is_not_a_bsn(value):
    assert is_valid_bsn(value) == reference_bsn_check(value)


@FAST
@given(valid_bsns())
def test_every_generated_valid_bsn_is_accepted(bsn):
    assert is_valid_bsn(bsn)
    validate_bsn(bsn)  # does not raise


@FAST
@given(st.data())
def test_changing_any_single_digit_of_a_valid_bsn_makes_it_invalid(data):
    bsn = data.draw(valid_bsns())
    changed = data.draw(one_digit_changed(bsn))
    assert not is_valid_bsn(changed)
    with pytest.raises(ValidationError) as exc:
        validate_bsn(changed)
    assert exc.value.messages == [services.MSG_BSN_INVALID]
    assert changed not in exc.value.messages[0]  # the number itself is never echoed


def household_data(*, bsn: str | None = None, house_number: int = 1, born: dt.date = dt.date(1980, 1, 1)):
    return services.HouseholdData(
        postcode="9711 AB", house_number=house_number, street="Oosterstraat", city="Groningen",
        members=[services.PersonData(first_name="Noor", last_name="de Jong", date_of_birth=born, role="ouder",
                                     bsn=bsn)],
    )


@pytest.mark.django_db
def test_a_melding_registers_a_person_with_any_valid_bsn_and_refuses_it_after_a_one_digit_typo():
    worker = StaffFactory()
    actor = Actor(user=worker.user)
    source = melding_source()

    def register(bsn):
        return services.register_melding(actor=actor, team=worker.team, melding_date=TODAY, melding_source=source,
                                         regisseur=worker, new_household=household_data(bsn=bsn))

    @FAST
    @given(st.data())
    def check(data):
        bsn = data.draw(valid_bsns())
        typo = data.draw(one_digit_changed(bsn))
        before = counts()
        with pytest.raises(ValidationError) as exc:
            register(typo)
        assert exc.value.message_dict == {"members-0-bsn": [services.MSG_BSN_INVALID]}
        assert counts() == before
        with rolled_back():
            case = register(bsn)
            assert case.household.memberships.get().person.bsn == bsn

    check()


# --- ZRM scores ----------------------------------------------------------------------------------------

SCORE_VALUES = st.one_of(
    st.integers(-3, 9),
    st.sampled_from(["1", "3", "5", " 2 ", "0", "6", "03", "3.0", "drie", "٣", "", "niet_relevant", "onbekend",
                     "niet gescoord", "NIET_RELEVANT"]),
    st.none(),
    st.booleans(),
    st.sampled_from([3.0, 2.5]),
)
UNKNOWN_CODES = ["dagbesteding", "vrije_tijd", "Financien"]  # a 2013 code, a made-up one, wrong case


def score_is_valid(value) -> bool:
    """The rule: a whole number 1 to 5 (also typed as text) or niet gescoord with a known reason."""
    if isinstance(value, (bool, float)):
        return False
    if isinstance(value, int):
        return 1 <= value <= 5
    return value in NotScoredReason.values or value.strip() in {"1", "2", "3", "4", "5"}


def left_open(value) -> bool:
    return value is None or value == ""


@pytest.mark.parametrize("version_code", ["zrm-2017", "zrm-2013"])
@pytest.mark.django_db
def test_any_mapping_of_zrm_scores_is_accepted_exactly_when_every_value_is_valid(version_code):
    case, adult = case_with_adult()  # no child at home: the child module (ZRM 2013) is not offered
    actor = Actor(user=case.regisseur.user)
    version = zrm_selectors.version_by_code(version_code)
    offered = {d.code for d in zrm_selectors.offered_domains(version, case.household_id)}
    child_module = set(Domain.objects.filter(version=version, is_child_module=True).values_list("code", flat=True))
    assert offered == set(CODES_2017 if version_code == "zrm-2017" else CODES_2013)
    assert child_module == (set() if version_code == "zrm-2017" else set(CHILD_CODES))
    codes = sorted(set(CODES_2017) | set(CODES_2013) | set(CHILD_CODES)) + UNKNOWN_CODES

    valid_values = st.one_of(st.integers(1, 5), st.sampled_from(["1", "5", " 4 ", "niet_relevant", "onbekend", None]))
    valid = st.dictionaries(st.sampled_from(sorted(offered)), valid_values, max_size=13)
    one_bad = st.tuples(valid, st.sampled_from(codes), SCORE_VALUES).map(lambda t: {**t[0], t[1]: t[2]})
    anything = st.dictionaries(st.sampled_from(codes), SCORE_VALUES, max_size=8)

    @FAST
    @given(st.one_of(valid, one_bad, anything))
    @example({"financien": 3, "huisvesting": " 2 ", "justitie": "niet_relevant", "sociaal_netwerk": None})
    @example({"financien": 6, "justitie": "niet gescoord"})
    def check(scores):
        given_values = {code: value for code, value in scores.items() if not left_open(value)}
        bad = {code for code, value in given_values.items() if code in offered and not score_is_valid(value)}
        child = {code for code in given_values if code in child_module}
        unknown = {code for code in given_values if code not in offered and code not in child_module}
        event("geweigerd" if bad or child or unknown else "geaccepteerd")
        before = counts()
        record = lambda: zrm_services.record_measurement(
            actor=actor, case=case, person=adult, date=TODAY, type="nulmeting", scores=scores, version=version)
        if bad or child or unknown:
            with pytest.raises(ValidationError) as exc:
                record()
            errors = exc.value.message_dict
            expected_fields = {f"score_{code}" for code in bad | child} | ({"scores"} if unknown else set())
            assert set(errors) == expected_fields
            for code in child:
                assert "kindmodule" in errors[f"score_{code}"][0]
            for code in bad:
                assert "kies een score van 1 tot en met 5" in errors[f"score_{code}"][0]
            for code in unknown:
                assert f"Onbekend domein '{code}'" in " ".join(errors["scores"])
            assert counts() == before
        else:
            with rolled_back():
                measurement = record().measurement
                stored = {s.domain.code: (s.score, s.not_scored_reason)
                          for s in measurement.scores.select_related("domain")}
                expected = {code: ((None, value) if value in NotScoredReason.values else (int(str(value).strip()), ""))
                            for code, value in given_values.items()}
                assert stored == expected

    check()


# --- Dates ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_melding_date_is_accepted_up_to_today_and_refused_in_the_future():
    worker = StaffFactory()
    actor = Actor(user=worker.user)
    source = melding_source()

    @FAST
    @given(st.integers(-3650, 3650))
    def check(days_from_today):
        melding_date = TODAY + dt.timedelta(days=days_from_today)
        before = counts()
        call = lambda: services.register_melding(
            actor=actor, team=worker.team, melding_date=melding_date, melding_source=source, regisseur=worker,
            new_household=household_data(born=dt.date(1970, 1, 1)))
        if melding_date > TODAY:
            with pytest.raises(ValidationError) as exc:
                call()
            assert exc.value.message_dict == {"melding_date": [services.MSG_FUTURE]}
            assert counts() == before
        else:
            with rolled_back():
                assert call().melding_date == melding_date

    check()


@pytest.mark.django_db
def test_a_measurement_date_is_accepted_from_thirty_days_before_the_melding_up_to_today():
    case, adult = case_with_adult()
    actor = Actor(user=case.regisseur.user)
    days_before = django_settings.WIJKREGIE["ZRM_DAYS_BEFORE_MELDING"]

    @FAST
    @given(melding_days_ago=st.integers(0, 400), offset=st.integers(-90, 500))
    def check(melding_days_ago, offset):
        melding = TODAY - dt.timedelta(days=melding_days_ago)
        date = melding + dt.timedelta(days=offset)
        with rolled_back():
            Case.objects.filter(pk=case.pk).update(melding_date=melding)
            case.refresh_from_db()
            before = counts()
            allowed = melding - dt.timedelta(days=days_before) <= date <= TODAY
            call = lambda: zrm_services.record_measurement(
                actor=actor, case=case, person=adult, date=date, type="nulmeting", scores={"financien": 3})
            if allowed:
                assert call().measurement.date == date
            else:
                with pytest.raises(ValidationError) as exc:
                    call()
                assert list(exc.value.message_dict) == ["date"]
                message = exc.value.message_dict["date"][0]
                assert ("toekomst" in message) if date > TODAY else (f"{days_before} dagen voor de melding" in message)
                assert counts() == before

    check()


@pytest.mark.django_db
def test_a_first_contact_date_is_accepted_between_the_melding_and_today():
    case, _ = case_with_adult(melding_date=TODAY - dt.timedelta(days=60))
    actor = Actor(user=case.regisseur.user)

    @FAST
    @given(st.integers(-200, 200))
    def check(days_from_melding):
        contact = case.melding_date + dt.timedelta(days=days_from_melding)
        call = lambda: services.register_first_contact(actor=actor, case=case, contact_date=contact)
        if case.melding_date <= contact <= TODAY:
            with rolled_back():
                assert call().first_contact_date == contact
        else:
            with pytest.raises(ValidationError) as exc:
                call()
            assert list(exc.value.message_dict) == ["contact_date"]
            assert Case.objects.get(pk=case.pk).first_contact_date is None

    check()


# --- Plan finalisation ------------------------------------------------------------------------------

LOW_SCORES = {"financien": 2, "huisvesting": 3}


@st.composite
def plan_situations(draw) -> dict:
    return {
        "zrm": draw(st.sampled_from(["recent", "too_old", "none"])),
        "low_domains": {code: draw(st.sampled_from(["goal", "reason", "nothing"])) for code in LOW_SCORES},
        "goal_dates": {code: draw(st.booleans()) for code in LOW_SCORES},
        "goal_actors": {code: draw(st.booleans()) for code in LOW_SCORES},
        "agreement": draw(st.sampled_from(["none", "worker", ActorType.CLIENT, ActorType.NETWORK])),
        "network_assessment": draw(st.booleans()),
        "safety_flag": draw(st.booleans()),
        "spoken_to": draw(st.booleans()),
        "override": draw(st.booleans()),
    }


@pytest.mark.django_db
def test_plan_finalisation_lists_exactly_the_missing_items_for_any_combination():
    rules = services.PLAN_RULES
    max_age = django_settings.WIJKREGIE["PLAN_ZRM_MAX_AGE_DAYS"]

    complete = {"zrm": "recent", "low_domains": {"financien": "goal", "huisvesting": "reason"},
                "goal_dates": {"financien": True, "huisvesting": False}, "goal_actors": {"financien": True,
                                                                                        "huisvesting": False},
                "agreement": ActorType.CLIENT, "network_assessment": True, "safety_flag": True, "spoken_to": True,
                "override": False}
    nothing = {**complete, "low_domains": {"financien": "nothing", "huisvesting": "nothing"}, "agreement": "worker",
               "network_assessment": False, "spoken_to": False}

    @FAST
    @given(plan_situations())
    @example(complete)
    @example(nothing)
    def check(situation):
        with rolled_back():
            case, adult = case_with_adult(melding_date=TODAY - dt.timedelta(days=90),
                                          safety_flag=situation["safety_flag"])
            actor = Actor(user=case.regisseur.user)
            leader = StaffFactory(leader=True, team=case.team)
            if situation["zrm"] != "none":
                age = 5 if situation["zrm"] == "recent" else max_age + 10
                record(case, adult, date=TODAY - dt.timedelta(days=age),
                       scores={**LOW_SCORES, "justitie": 5, "sociaal_netwerk": "niet_relevant"})
            plan = services.start_plan(actor=actor, case=case, covered_persons=[adult])
            expected: list[str] = []
            if situation["zrm"] != "recent":
                expected.append(rules["no_zrm"].format(person=adult.full_name, days=max_age))
            version = zrm_selectors.active_version()
            for code, score in LOW_SCORES.items():
                domain = Domain.objects.get(version=version, code=code)
                choice = situation["low_domains"][code]
                if choice == "goal":
                    description = f"Werken aan {domain.name.lower()}"
                    has_actor = situation["goal_actors"][code]
                    services.add_goal(
                        actor=actor, plan=plan, person=adult, domain=domain, description=description,
                        target_date=TODAY + dt.timedelta(days=90) if situation["goal_dates"][code] else None,
                        actor_type=ActorType.CLIENT if has_actor else "")
                    if not situation["goal_dates"][code]:
                        expected.append(rules["goal_date"].format(goal=description[:60]))
                    if not has_actor:
                        expected.append(rules["goal_actor"].format(goal=description[:60]))
                elif choice == "reason":
                    services.record_low_domain_reason(actor=actor, plan=plan, person=adult, domain=domain,
                                                      reason=NoGoalReason.OTHER_AGENCY)
                elif situation["zrm"] == "recent":
                    expected.append(rules["low_domain"].format(person=adult.full_name, domain=domain.name,
                                                               score=score))
            if situation["agreement"] != "none":
                services.add_agreement(
                    actor=actor, plan=plan, description="Post openen met de buurvrouw", due_date=TODAY,
                    actor_type=ActorType.WORKER if situation["agreement"] == "worker" else situation["agreement"],
                    actor_name="" if situation["agreement"] != ActorType.NETWORK else "Buurvrouw")
            if situation["agreement"] not in (ActorType.CLIENT, ActorType.NETWORK):
                expected.append(rules["own_effort"])
            if situation["network_assessment"]:
                services.record_network_assessment(actor=actor, plan=plan, explored=True, contacted=True,
                                                   contribution_agreed=True)
            else:
                expected.append(rules["network"])
            services.record_family_approach(actor=actor, case=case, person=adult, spoken_to=situation["spoken_to"],
                                            reason_not_spoken="" if situation["spoken_to"] else "Niet thuis")
            if situation["override"]:
                services.record_safety_override(actor=Actor(user=leader.user), case=case, reason="Acuut gevaar")
            if situation["safety_flag"] and not situation["override"] and not situation["spoken_to"]:
                expected.append(rules["safety"].format(persons=adult.full_name))

            problems = services.plan_finalisation_problems(plan)
            assert Counter(problems) == Counter(expected)
            if expected:
                with pytest.raises(ValidationError) as exc:
                    services.finalise_plan(actor=actor, plan=plan)
                assert Counter(exc.value.messages) == Counter(expected)
            else:
                assert services.finalise_plan(actor=actor, plan=plan).status == "vastgesteld"

    check()


# --- Import rows -------------------------------------------------------------------------------------

def _zip(data: dict[str, list[dict]]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for sheet, rows in data.items():
            archive.writestr(f"{sheet}.csv", import_files.csv_bytes(rows))
    buffer.seek(0)
    return buffer


CORRUPTIONS = {
    ("personen", "bsn"): "one digit changed",
    ("personen", "geboortedatum"): "a date in the future",
    ("huishoudens", "postcode"): "not a Dutch postcode",
}


@pytest.mark.django_db
def test_an_import_file_is_rejected_with_exactly_the_corrupted_cells_and_nothing_written(tmp_path):
    actor = Actor(user=StaffFactory().user, client="import")
    base = import_files.dataset(team="-", regisseur="-", households=3, bsn_start=31_000_000)
    base = {sheet: base[sheet] for sheet in ("huishoudens", "personen")}
    cells = [(sheet, index, column) for (sheet, column) in CORRUPTIONS for index in range(len(base[sheet]))]

    @FAST
    @given(st.data())
    def check(data):
        chosen = data.draw(st.sets(st.sampled_from(cells), max_size=4))
        rows = {sheet: [dict(row) for row in sheet_rows] for sheet, sheet_rows in base.items()}
        for sheet, index, column in chosen:
            row = rows[sheet][index]
            if column == "bsn":
                if not row["bsn"]:  # a person without BSN (persoon_sleutel): give a wrong one
                    row["bsn"] = "123456789"
                else:
                    row["bsn"] = data.draw(one_digit_changed(row["bsn"]))
            elif column == "geboortedatum":
                row["geboortedatum"] = (TODAY + dt.timedelta(days=data.draw(st.integers(1, 400)))).isoformat()
            else:
                row["postcode"] = data.draw(st.sampled_from(["0711 AB", "9711", "97111 AB", "9711 A1", "AB 9711"]))
        before = counts()
        if chosen:
            with pytest.raises(ImportRejected) as exc:
                import_registrations(_zip(rows), actor=actor, filename="registraties.zip")
            places = {(issue.sheet, issue.row, issue.column) for issue in exc.value.errors}
            assert places == {(sheet, index + 2, column) for sheet, index, column in chosen}  # row 1 is the header
            assert counts() == before
        else:
            with rolled_back():
                summary = import_registrations(_zip(rows), actor=actor, filename="registraties.zip")
                assert summary.written and Person.objects.count() == before[1] + len(rows["personen"])

    check()
