"""Demo data at municipal scale, loaded into PostgreSQL with COPY (`seed_demo --scale leeuwarden`).

Scales (SCALES): `leeuwarden` is Leeuwarden 2019 (DOMAIN.md §6: 8 teams, about 105 fte, ~7,800
cases a year) over 5 years: 40,000 cases, about 85,000 persons, 250,000 ZRM measurements (ZRM
2013 before 2023, ZRM 2017 after, so trajectories cross versions), 200,000 interventions, plans
with goals, escalations and the case timelines. `amsterdam` is ten times that (80 teams);
`tiny` and `demo` are smaller cuts for tests and smoke runs. The progress benchmark
(tests/bench) loads the same data.

What makes it realistic: household compositions (gezin, ouderen, overig) with ages that fit,
departed partners and children who moved out; Dutch names with tussenvoegsels and elfproef
BSNs (encrypted as the app stores them); unique addresses with valid postcodes per team area,
and wijken that cross team borders; meldingen spread over the years with weighted sources;
cases in every status, transfers, reopenings within the window, closures whose reason follows
how the case went; ZRM scores per person that improve for some, stay for others and worsen for
a few; plans, goals, interventions and escalations.

Staff follow the demo accounts' convention (demo/small): usernames sociaalwerker, sociaalwerker2,
..., teamleider, teamleider2, ..., gemeente, beheerder and privacy, an address in the demo e-mail
domain and the shared demo password, so `manage.py demo_logins` lists them.

How it is fast: households are generated in chunks in pure Python, in a thread that works on the
next chunk while PostgreSQL stores the previous one, and each chunk goes in with `COPY ... FROM
STDIN` (text format, explicit ids) inside ONE transaction, so a failure leaves the database empty.
With session_replication_role = replica (superuser) no per-row trigger or foreign-key check runs:
the generator writes consistent rows itself and the unique indexes still hold. Without that
privilege the triggers run; scores go in before their measurement so the immutability trigger lets
them pass, and the deferred foreign keys are checked at the commit.
Columns not set here get their model default, so fields added later do not break the seed.

Modules: scales.py (the scales, their teams and staff), generate.py (rows from a scale, pure Python),
copy_text.py (rows in COPY text format) and load.py (`seed`: staff through the ORM, the rest by COPY).
"""
from .generate import VERSION_SWITCH
from .load import seed
from .scales import COMMAND_SCALES, HOUSEHOLDS_PER_CASE, SCALES, BulkScale, has_data, staff_plan

__all__ = ["COMMAND_SCALES", "HOUSEHOLDS_PER_CASE", "SCALES", "VERSION_SWITCH", "BulkScale", "has_data", "seed",
           "staff_plan"]
