"""The sheet personen: persons by BSN (or, without BSN, by household, names and date of birth) and their
membership of a household. It also tells the other sheets which person a bsn or persoon_sleutel names and who
will be a member of which household."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from cases.crypto import bsn_lookup_hash
from cases.models import HouseholdMembership, MemberRole, Person
from common import audit
from common.models import AuditAction, AuditPurpose

from . import bulk
from .cells import Column
from .context import ImportContext, Row, Sheet
from .households import MSG_HOUSEHOLD_NOT_YOURS

# A person is named by a token: ("db", pk) for one in Wijkregie, ("new", row number in personen) for one this
# file creates.
PersonToken = tuple

# Whether a BSN is known outside the importer's teams is the regiecheck's question (BSN, date of birth and
# address; audited; WHO, not WHAT), never the import's: validation and a dry run answer such a BSN exactly as
# an unknown one (a new person). Only a real write, which cannot give one BSN a second person, refuses it,
# with this message, and never links the other team's person (issue 15, finding 5).
MSG_BSN_NOT_LINKABLE = ("Dit BSN kan niet via de import aan een huishouden van uw team(s) worden gekoppeld; er is "
                        "niets opgeslagen. Ga met de regiecheck (BSN, geboortedatum en adres) na wie al betrokken "
                        "is, en koppel de persoon daarna op de casus met 'Bekende persoon koppelen'.")
MSG_PERSON_UNKNOWN = ("Onbekende persoon: dit BSN staat niet in het tabblad personen en niet bij een huishouden van "
                      "uw team(s).")


def identity(first_name: str, last_name: str, date_of_birth: dt.date) -> tuple:
    """How a person without BSN is known within a household."""
    return (first_name.strip().casefold(), last_name.strip().casefold(), date_of_birth)


class PersonSheet(Sheet):
    name = "personen"
    columns = (
        Column("huishouden_id", "key", required=True, max_length=64),
        Column("bsn", "bsn"),
        Column("persoon_sleutel", "key", max_length=64),
        Column("voornaam", required=True, max_length=100),
        Column("tussenvoegsel", max_length=20),
        Column("achternaam", required=True, max_length=100),
        Column("geboortedatum", "date", required=True),
        Column("rol", "choice", required=True, choices=MemberRole),
        Column("thuiswonend", "bool"),
        Column("lid_vanaf", "date"),
    )
    references = {"huishouden_id": "household"}

    # --- validating ---------------------------------------------------------------------------------

    def validate(self, context: ImportContext) -> None:
        """After the cases: which households the importer may change depends on them."""
        households, cases = context.sheet("huishoudens"), context.sheet("casussen")
        self.by_bsn = context.unique_keys(self.name, "bsn")
        self.by_key = context.unique_keys(self.name, "persoon_sleutel")
        bsns = set(self.by_bsn) | context.referenced("person")
        # The BSN is encrypted: look persons up by keyed hash, and know them by the number of the file (the
        # hash of a number is its key), so no stored BSN needs decrypting here (bsn is not even loaded).
        by_hash = {bsn_lookup_hash(bsn): bsn for bsn in bsns if bsn}
        found = {by_hash[p.bsn_hash]: p for p in bulk.filter_in(Person.objects.defer("bsn"), "bsn_hash", by_hash)}
        # Only persons the importer may know are persons here; the others are as unknown as an unknown BSN.
        linkable = self._linkable(context, {p.pk for p in found.values()})
        self.db_persons = {bsn: p for bsn, p in found.items() if p.pk in linkable}
        self.elsewhere = {bsn: p for bsn, p in found.items() if p.pk not in linkable}
        # Current memberships of the households concerned, and of persons known by BSN.
        person_pks = {p.pk for p in self.db_persons.values()}
        current = HouseholdMembership.objects.filter(valid_to__isnull=True).select_related("person").defer("person__bsn")
        memberships = {m.pk: m for m in bulk.filter_in(current, "household_id", cases.household_pks)}
        memberships.update({m.pk: m for m in bulk.filter_in(current, "person_id", person_pks)})
        self.db_memberships: dict[tuple, HouseholdMembership] = {}
        bsnless: dict[tuple, Person] = {}
        person_households: dict[int, set[int]] = defaultdict(set)
        for m in memberships.values():
            self.db_memberships[(("db", m.household_id), ("db", m.person_id))] = m
            person_households[m.person_id].add(m.household_id)
            if m.person.bsn_hash is None:  # no BSN (a database constraint keeps the two together)
                bsnless[(m.household_id, *identity(m.person.first_name, m.person.last_name,
                                                   m.person.date_of_birth))] = m.person
        cases.load_household_cases(set().union(*person_households.values()) if person_households else set())
        self.token_of_row: dict[int, PersonToken] = {}  # personen row number -> person token
        self.new_persons: dict[int, Row] = {}
        self.changes: dict[int, dict] = {}  # db person pk -> changes
        self.rows_of_db: dict[int, Row] = {}
        self.final_memberships: dict[tuple, tuple[str, bool]] = {
            key: (m.role, m.living_at_home) for key, m in self.db_memberships.items()}
        self.new_memberships: list[tuple[tuple, tuple, Row]] = []
        self.membership_changes: dict[int, dict] = {}
        identities: dict[tuple, Row] = {}
        for row in context.rows[self.name]:
            v, n = row.values, row.number
            household = households.resolve(context, self.name, row)
            if household and household[0] == "db" and not cases.household_authorised(context, household[1]):
                context.error(self.name, n, "huishouden_id", MSG_HOUSEHOLD_NOT_YOURS)
            bsn = v.get("bsn")
            if bsn is None and v.get("persoon_sleutel") is None and not context.had_error(self.name, n, "bsn"):
                context.error(self.name, n, "bsn", "Vul een BSN in, of een persoon_sleutel als het BSN onbekend is.")
            wanted = {"first_name": v.get("voornaam"), "name_prefix": v.get("tussenvoegsel") or "",
                      "last_name": v.get("achternaam"), "date_of_birth": v.get("geboortedatum")}
            person = None
            if bsn is not None:
                person = self.db_persons.get(bsn)
            elif household and household[0] == "db" and None not in (wanted["first_name"], wanted["last_name"],
                                                                     wanted["date_of_birth"]):
                person = bsnless.get((household[1], *identity(wanted["first_name"], wanted["last_name"],
                                                              wanted["date_of_birth"])))
            if bsn is None and household and None not in wanted.values():
                known_as = (household, *identity(wanted["first_name"], wanted["last_name"], wanted["date_of_birth"]))
                if known_as in identities:
                    context.error(self.name, n, "voornaam",
                                  f"Deze persoon (zonder BSN) staat al op rij {identities[known_as].number} "
                                  "in hetzelfde huishouden.")
                identities[known_as] = row
            if person is None:
                token = ("new", n)
                self.new_persons[n] = row
            else:
                token = ("db", person.pk)
                self.rows_of_db[person.pk] = row
                # A person the importer may link is theirs to correct, whoever else holds them (no refusal that
                # would tell them so); the audit row names the person.
                changes = {f: value for f, value in wanted.items() if value is not None and getattr(person, f) != value}
                if changes:
                    self.changes[person.pk] = changes
            self.token_of_row[n] = token
            if household is None or v.get("rol") is None:
                continue
            living = v.get("thuiswonend") if v.get("thuiswonend") is not None else True
            key = (household, token)
            existing_membership = self.db_memberships.get(key)
            if existing_membership is None:
                self.new_memberships.append((household, token, row))
            elif (existing_membership.role, existing_membership.living_at_home) != (v["rol"], living):
                self.membership_changes[existing_membership.pk] = {"role": v["rol"], "living_at_home": living,
                                                                   "person_id": existing_membership.person_id}
            self.final_memberships[key] = (v["rol"], living)

        if self.elsewhere:  # the lookup found other teams' persons by BSN: the log names them, the answer does not
            audit.record_many(context.actor, AuditAction.SEARCH, [(p, p, None) for p in self.elsewhere.values()],
                              purpose=AuditPurpose.IMPORT)

    @staticmethod
    def _linkable(context: ImportContext, person_pks: set[int]) -> set[int]:
        """The persons the importer may know: those who are or were a member of a household it may change
        (one with a case of its teams, in Wijkregie or in this file). Everyone, for an import without a team
        limit."""
        if context.allowed is None or not person_pks:
            return set(person_pks)
        cases = context.sheet("casussen")
        memberships = list(bulk.filter_in(HouseholdMembership.objects.only("person_id", "household_id"), "person_id",
                                          person_pks))
        cases.load_household_cases({m.household_id for m in memberships})
        return {m.person_id for m in memberships if cases.household_authorised(context, m.household_id)}

    def check_writable(self, context: ImportContext) -> None:
        """Before a real write only: a new person whose BSN another team's person holds cannot be written (one
        person per BSN) and is never linked; refuse the row (see MSG_BSN_NOT_LINKABLE)."""
        for number in sorted(self.new_persons):
            if self.new_persons[number].values.get("bsn") in self.elsewhere:
                context.error(self.name, number, "bsn", MSG_BSN_NOT_LINKABLE)

    # --- for the other sheets -----------------------------------------------------------------------

    def person_for(self, context: ImportContext, sheet: str, row: Row, required: bool) -> PersonToken | None:
        """The person a row names by bsn or persoon_sleutel (errors when unknown or contradictory)."""
        bsn, key = row.values.get("bsn"), row.values.get("persoon_sleutel")
        token = None
        if bsn is not None:
            if bsn in self.by_bsn:
                token = self.token_of_row.get(self.by_bsn[bsn].number)
            elif bsn in self.db_persons:
                token = ("db", self.db_persons[bsn].pk)
            else:
                context.error(sheet, row.number, "bsn", MSG_PERSON_UNKNOWN)
                return None
        if key is not None:
            by_key = self.by_key.get(key)
            if by_key is None:
                context.error(sheet, row.number, "persoon_sleutel",
                              f"Onbekende persoon_sleutel '{key}': niet in het tabblad personen.")
                return None
            key_token = self.token_of_row.get(by_key.number)
            if token is not None and key_token != token:
                context.error(sheet, row.number, "persoon_sleutel", "BSN en persoon_sleutel wijzen naar "
                                                                    "verschillende personen.")
                return None
            token = key_token
        if token is None and required and not context.had_error(sheet, row.number, "bsn"):
            context.error(sheet, row.number, "bsn", "Vul het BSN of de persoon_sleutel van de persoon in.")
        return token

    def is_member(self, household: tuple, person: PersonToken) -> bool:
        """Whether the person will be a current member of the household after the import."""
        return (household, person) in self.final_memberships

    def has_child_at_home(self, household: tuple) -> bool:
        """Whether a child will live at home in the household after the import."""
        if not hasattr(self, "_children"):
            self._children = {h for (h, _), (role, living) in self.final_memberships.items()
                              if role == MemberRole.CHILD and living}
        return household in self._children

    # --- writing ------------------------------------------------------------------------------------

    def write(self, context: ImportContext) -> None:
        households, cases = context.sheet("huishoudens"), context.sheet("casussen")
        summary = context.summary[self.name]
        new: dict[int, Person] = {}
        for number, row in self.new_persons.items():
            v = row.values
            new[number] = Person(bsn=v.get("bsn"), first_name=v["voornaam"], name_prefix=v.get("tussenvoegsel") or "",
                                 last_name=v["achternaam"], date_of_birth=v["geboortedatum"])
        bulk.bulk_create(Person, list(new.values()))
        self.persons_new = new
        db_persons = {p.pk: p for p in self.db_persons.values()}
        db_persons.update({m.person_id: m.person for m in self.db_memberships.values()})
        self.persons_db = db_persons
        changed_people = set()
        changed = []
        for pk, changes in self.changes.items():
            person = db_persons[pk]
            for name, value in changes.items():
                setattr(person, name, value)
            changed.append(person)
            changed_people.add(pk)
        if changed:
            Person.objects.bulk_update(changed, ["first_name", "name_prefix", "last_name", "date_of_birth"],
                                       batch_size=bulk.BATCH)
        memberships = []
        for household, token, row in self.new_memberships:
            v = row.values
            h = households.household(household)
            valid_from = v.get("lid_vanaf") or cases.first_melding(household) or context.today
            memberships.append((h.pk, self.person(token).pk, v["rol"], v.get("thuiswonend") is not False,
                                valid_from))
            if token[0] == "db":
                changed_people.add(token[1])
        bulk.insert_rows(HouseholdMembership, ["household", "person", "role", "living_at_home", "valid_from"],
                         memberships)
        if self.membership_changes:
            rows = []
            for m in self.db_memberships.values():
                if m.pk in self.membership_changes:
                    m.role = self.membership_changes[m.pk]["role"]
                    m.living_at_home = self.membership_changes[m.pk]["living_at_home"]
                    rows.append(m)
                    changed_people.add(m.person_id)
            HouseholdMembership.objects.bulk_update(rows, ["role", "living_at_home"], batch_size=bulk.BATCH)
        for person in new.values():
            context.audit(AuditAction.CREATE, person, person=person)
        for pk in sorted(changed_people):
            context.audit(AuditAction.UPDATE, db_persons[pk], person=db_persons[pk])
        summary.created = len(new)
        changed_rows = {self.rows_of_db[pk].number for pk in changed_people if pk in self.rows_of_db}
        summary.updated = len(changed_rows)
        summary.unchanged = len(context.rows[self.name]) - summary.created - summary.updated

    def person(self, token: PersonToken) -> Person:
        """The person behind a token, once written."""
        return self.persons_db[token[1]] if token[0] == "db" else self.persons_new[token[1]]
