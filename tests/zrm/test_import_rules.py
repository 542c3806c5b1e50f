"""The bulk import applies the entry screen's ZRM rules (zrm.validation): the same municipality settings, the
same limits, the same messages where the two paths say the same thing."""
from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings

from common.audit import Actor
from tests.cases import import_files as files
from tests.factories import StaffFactory, TeamFactory, UserFactory
from tests.zrm.factories import all_scores, case_with_adult, record
from zrm import validation
from zrm.imports import ImportIssue, ImportRejected, import_registrations
from zrm.imports.measurements import MSG_SCORE

pytestmark = pytest.mark.django_db

ACTOR = Actor(user=None, client="beheer:import_registrations")


@pytest.fixture
def data():
    director = StaffFactory(team=TeamFactory(name="Wijkteam Oosterpark"), user=UserFactory(username="sanne"))
    return files.dataset(team=director.team.name, regisseur=director.user.username, households=2)


def rejected(data, tmp_path) -> list[ImportIssue]:
    with pytest.raises(ImportRejected) as excinfo:
        import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=ACTOR)
    return excinfo.value.errors


def test_when_every_domain_must_be_scored_the_import_names_the_same_domains_as_the_entry_screen(data, tmp_path):
    # Row 2 leaves middelengebruik open, row 3 has justitie niet_relevant (import_files.dataset).
    with override_settings(WIJKREGIE={**settings.WIJKREGIE, "ZRM_REQUIRE_ALL_DOMAINS": True}):
        errors = rejected(data, tmp_path)
        case, person = case_with_adult()
        with pytest.raises(ValidationError) as excinfo:
            record(case, person, scores=all_scores() | {"justitie": "niet_relevant"})

    assert [(e.sheet, e.row, e.column) for e in errors] == [("zrm-metingen", 2, "middelengebruik"),
                                                            ("zrm-metingen", 3, "justitie")]
    assert errors[1].message == excinfo.value.message_dict["score_justitie"][0]


def test_a_benefit_with_a_high_financien_score_is_a_warning_not_an_error(data, tmp_path):
    row = files.sheet_row(data, "zrm-metingen", 2)
    row.update(inkomensbron="uitkering", financien="5")

    summary = import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=ACTOR)

    limit = settings.WIJKREGIE["ZRM_BENEFIT_FINANCIEN_MAX_SCORE"]
    assert summary.written and [(w.sheet, w.row, w.column) for w in summary.warnings] == [
        ("zrm-metingen", 2, "financien")]
    assert summary.warnings[0].message.endswith(f"meestal niet hoger dan {limit}.")


def test_dates_ladder_and_scores_follow_the_entry_screens_limits(data, tmp_path):
    melding = dt.date.fromisoformat(files.sheet_row(data, "casussen", 2)["meldingsdatum"])
    days = settings.WIJKREGIE["ZRM_DAYS_BEFORE_MELDING"]
    first = files.sheet_row(data, "zrm-metingen", 2)
    first.update(datum=(melding - dt.timedelta(days=days + 1)).isoformat(), participatieladder="7", financien="6")
    files.sheet_row(data, "zrm-metingen", 3)["justitie"] = "Niet relevant"  # the label's spelling is fine

    errors = rejected(data, tmp_path)

    assert [(e.row, e.column, e.message) for e in errors] == [
        (2, "datum", validation.date_errors(melding - dt.timedelta(days=days + 1), melding, dt.date.today())[0]),
        (2, "financien", MSG_SCORE),
        (2, "participatieladder", validation.MSG_PARTICIPATIELADDER),
    ]
    assert errors[0].message.startswith("De meting kan niet eerder zijn dan")
