"""Household type (LPBL): gezin, ouderen, overig — derived from the members living at home."""
import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import override_settings

from cases.selectors import household_type

TODAY = dt.date(2026, 11, 22)


def member(role, age, at_home=True):
    born = dt.date(TODAY.year - age, 1, 1)
    return SimpleNamespace(role=role, living_at_home=at_home, valid_to=None,
                           person=SimpleNamespace(date_of_birth=born))


@pytest.mark.parametrize("members,expected", [
    ([member("ouder", 40), member("kind", 10)], "gezin"),
    ([member("ouder", 40), member("partner", 42), member("kind", 10), member("kind", 8)], "gezin"),
    ([member("ouder", 70), member("kind", 40)], "overig"),  # parent 65+ with a child at home
    ([member("ouder", 40), member("kind", 10, at_home=False)], "overig"),  # child not at home
    ([member("overig", 70)], "ouderen"),
    ([member("ouder", 70), member("partner", 66)], "ouderen"),
    ([member("ouder", 70), member("partner", 60)], "overig"),
    ([member("overig", 30)], "overig"),
    ([member("overig", 30), member("overig", 31), member("overig", 32)], "overig"),
])
def test_household_type_from_members(members, expected):
    assert household_type(members, TODAY) == expected


@override_settings(WIJKREGIE={"SENIOR_AGE": 67})
def test_the_age_boundary_is_a_setting():
    assert household_type([member("overig", 66)], TODAY) == "overig"
    assert household_type([member("overig", 67)], TODAY) == "ouderen"
