"""Bulk demo data: the scales (tiny, demo, leeuwarden, amsterdam), their teams and their staff."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from cases.models import Role
from demo.small import load as small_load
from demo.small import plan as small_plan


@dataclass(frozen=True)
class BulkScale:
    name: str
    teams: int
    workers_per_team: int
    cases: int
    persons: int  # what the household compositions give, roughly: documentation and tests
    measurements: int
    interventions: int
    years: int = 5
    municipality: str = "Leeuwarden"


SCALES = {
    "tiny": BulkScale("tiny", 2, 4, 400, 850, 2_500, 2_000),
    "demo": BulkScale("demo", 4, 8, 4_000, 8_500, 25_000, 20_000),
    "leeuwarden": BulkScale("leeuwarden", 8, 13, 40_000, 85_000, 250_000, 200_000),
    "amsterdam": BulkScale("amsterdam", 80, 13, 400_000, 850_000, 2_500_000, 2_000_000, municipality="Amsterdam"),
}
# The scales `seed_demo --scale` offers besides the small hand-built `demo` set of demo/small.
COMMAND_SCALES = ("tiny", "leeuwarden", "amsterdam")

HOUSEHOLDS_PER_CASE = 1 / 1.16  # some households have a second (reopened or later) case

# 13 workers: 7 full-time, 5 at 0.89 and 1 at 0.67 -> 12.12 fte; with the team leader about 13.1 per team,
# so 8 teams make Leeuwarden's ~105 fte.
WORKER_FTE = ("1.00", "0.89", "1.00", "0.89", "1.00", "0.67", "1.00", "0.89", "1.00", "0.89", "1.00", "0.89", "1.00")

# Leeuwarden: (team, {postcode area: wijk}, a few streets). Neighbouring teams share a wijk, as
# team areas and wijk borders do not coincide in practice.
LEEUWARDEN_TEAMS = (
    ("Wijkteam Binnenstad", {"8911": "Binnenstad", "8912": "Oud-Oost"}, ("Nieuwestad", "Tweebaksmarkt", "Zaailand")),
    ("Wijkteam Oost", {"8913": "Oud-Oost", "8914": "Vrijheidswijk"}, ("Oostersingel", "Cambuursterweg")),
    ("Wijkteam Heechterp-Schieringen", {"8915": "Heechterp-Schieringen", "8916": "Camminghaburen"},
     ("Heechterp", "Schieringen")),
    ("Wijkteam Camminghaburen", {"8917": "Camminghaburen", "8918": "Bilgaard"}, ("Valeriusstraat",)),
    ("Wijkteam Noord", {"8921": "Bilgaard", "8922": "Westeinde"}, ("Bilgaardpark",)),
    ("Wijkteam West", {"8923": "Westeinde", "8924": "Wielenpôlle"}, ("Westersingel",)),
    ("Wijkteam Zuid", {"8925": "Huizum", "8926": "Nijlân"}, ("Schrans",)),
    ("Wijkteam Zuiderburen", {"8931": "Nijlân", "8932": "Zuiderburen"}, ()),
)
AMSTERDAM_DISTRICTS = (("Centrum", 8), ("West", 12), ("Nieuw-West", 16), ("Zuid", 12), ("Oost", 12), ("Noord", 10),
                       ("Zuidoost", 10))


@dataclass(frozen=True)
class _TeamArea:
    spec: small_plan.TeamSpec
    wijken: dict[str, str]  # postcode area -> wijk


def _teams(scale: BulkScale) -> list[_TeamArea]:
    if scale.municipality == "Leeuwarden":
        if scale.teams > len(LEEUWARDEN_TEAMS):
            raise ValueError(f"Leeuwarden has {len(LEEUWARDEN_TEAMS)} teams in this generator")
        return [_TeamArea(small_plan.TeamSpec(name=name, municipality="Leeuwarden", wijk=next(iter(wijken.values())),
                                        streets={area: streets if i == 0 else () for i, area in enumerate(wijken)}),
                          wijken)
                for name, wijken, streets in LEEUWARDEN_TEAMS[:scale.teams]]
    teams, area = [], 1011
    for district, count in AMSTERDAM_DISTRICTS:
        for k in range(count):
            wijk = f"{district} gebied {k // 2 + 1}"  # two teams per gebied
            teams.append(_TeamArea(small_plan.TeamSpec(name=f"Buurtteam {district} {k + 1}", municipality="Amsterdam",
                                                 wijk=wijk, streets={str(area): ()}), {str(area): wijk}))
            area += 1
    if scale.teams > len(teams):
        raise ValueError(f"Amsterdam has {len(teams)} teams in this generator")
    return teams[:scale.teams]


def _organisations(municipality: str) -> list[str]:
    # Same positions as demo.ORGANISATIONS, so demo.DISCIPLINES and demo.MUNICIPALITY_ORG apply.
    region = "Fryslân" if municipality == "Leeuwarden" else municipality
    return [f"Welzijn {municipality}", f"Jeugdhulp {region}", f"GGZ {region}", f"Verslavingszorg {region}",
            f"Thuiszorg {municipality}", f"Gemeente {municipality}"]


def staff_plan(scale: BulkScale, seed_value: int) -> list[small_plan.StaffPlan]:
    """The staff, named as the demo accounts: per team a teamleider and its sociaal werkers, then
    gemeente, beheerder and privacy. Usernames depend only on the scale, never on the seed."""
    teams = _teams(scale)
    spec = small_plan.Scale(name=scale.name, teams=tuple(t.spec for t in teams), workers_per_team=scale.workers_per_team,
                      households_per_team=0)
    staff = small_plan.plan_staff(spec, seed_value)
    position: Counter = Counter()
    for member in staff:
        if member.role == Role.SOCIAL_WORKER:
            member.fte = WORKER_FTE[position[member.team] % len(WORKER_FTE)]
            position[member.team] += 1
    return staff


def has_data(scale: BulkScale) -> bool:
    """True when the database holds registration data or a user with a demo or bulk-demo username."""
    if small_load.has_data():
        return True
    usernames = [m.username for m in staff_plan(scale, 0)]
    return get_user_model().objects.filter(username__in=usernames).exists()
