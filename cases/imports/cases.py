"""The sheet casussen: cases by extern_id, created with their director history and timeline, or moved forward
(first contact, closing, transfer) along the state machine of cases.services. It also knows, for the other
sheets, which case a casus_id names, the state that case will have, and which households the importer may
change."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    ClosureReason,
    DirectorAssignment,
    MeldingSource,
    Team,
)
from common.models import AuditAction

from . import bulk
from .cells import Column
from .context import ImportContext, Row, Sheet, code_lookup


class CaseSheet(Sheet):
    name = "casussen"
    columns = (
        Column("extern_id", "key", required=True, max_length=64),
        Column("huishouden_id", "key", required=True, max_length=64),
        Column("team", required=True),
        Column("meldingsdatum", "date", required=True),
        Column("bron", required=True),
        Column("status", "choice", choices=CaseStatus),
        Column("regisseur", required=True, max_length=150),
        Column("eerste_contact", "date"),
        Column("afsluitdatum", "date"),
        Column("afsluitreden"),
        Column("veiligheid", "bool"),
    )
    references = {"huishouden_id": "household", "regisseur": "staff"}

    # --- validating ---------------------------------------------------------------------------------

    def validate(self, context: ImportContext) -> None:
        households = context.sheet("huishoudens")
        self.teams = {t.name.casefold(): t for t in Team.objects.all()}
        self.sources = code_lookup(MeldingSource.objects.all())
        self.reasons = code_lookup(ClosureReason.objects.all())
        self.by_key = context.unique_keys(self.name, "extern_id")
        refs = set(self.by_key) | context.referenced("case")
        self.db_cases = {c.external_id: c for c in bulk.filter_in(
            Case.objects.select_related("team", "closure_reason", "household", "regisseur__user"), "external_id",
            refs)}
        # Every case of the households concerned: one open case per household, reopening, authorisation.
        self.household_pks = ({h.pk for h in households.db_households.values()}
                              | {c.household_id for c in self.db_cases.values()})
        self.household_cases: dict[int, list[Case]] = defaultdict(list)
        self.load_household_cases(self.household_pks)
        self.plan: dict[str, dict] = {}  # extern_id -> what to write
        for key, row in self.by_key.items():
            self._validate_case(context, households, key, row)
        self.households_with_my_case = {plan["household"][1] for plan in self.plan.values()
                                        if plan["household"] and plan["household"][0] == "db"
                                        and plan["team"] is not None}

    def load_household_cases(self, household_pks) -> None:
        """Read every case of these households (once per household)."""
        reopened = Case.objects.filter(reopened_from=OuterRef("pk"))
        queryset = Case.objects.select_related("closure_reason").annotate(already_reopened=Exists(reopened))
        for case in bulk.filter_in(queryset, "household_id", set(household_pks) - set(self.household_cases)):
            self.household_cases[case.household_id].append(case)

    def _validate_case(self, context: ImportContext, households, key: str, row: Row) -> None:
        sheet, v, n = self.name, row.values, row.number
        household = households.resolve(context, sheet, row)
        team = None
        if v.get("team") is not None:
            team = self.teams.get(v["team"].casefold())
            if team is None:
                context.error(sheet, n, "team", f"Onbekend team '{v['team']}'.")
            elif not context.authorised_team(team.pk):
                context.error(sheet, n, "team",
                              f"U mag alleen importeren voor uw eigen team(s); team {team.name} hoort daar niet bij.")
                team = None
        source = context.code(sheet, row, "bron", self.sources, "meldingsbron")
        reason = context.code(sheet, row, "afsluitreden", self.reasons, "reden van afsluiting")
        melding, contact, closed_on = v.get("meldingsdatum"), v.get("eerste_contact"), v.get("afsluitdatum")
        status = v.get("status")
        if status is None:  # left blank: follows from the dates
            status = CaseStatus.CLOSED if closed_on else (CaseStatus.IN_PROGRESS if contact else CaseStatus.REGISTERED)
        if melding and contact and contact < melding:
            context.error(sheet, n, "eerste_contact", "Het eerste contact kan niet vóór de meldingsdatum liggen.")
        if melding and closed_on and closed_on < melding:
            context.error(sheet, n, "afsluitdatum", "De afsluitdatum kan niet vóór de meldingsdatum liggen.")
        if status == CaseStatus.CLOSED:
            if closed_on is None and not context.had_error(sheet, n, "afsluitdatum"):
                context.error(sheet, n, "afsluitdatum", "Een afgesloten casus heeft een afsluitdatum.")
            if v.get("afsluitreden") is None:
                context.error(sheet, n, "afsluitreden", "Kies een reden van afsluiting.")
        else:
            if closed_on is not None:
                context.error(sheet, n, "afsluitdatum",
                              f"Een casus met status '{CaseStatus(status).label}' heeft geen afsluitdatum.")
            if v.get("afsluitreden") is not None:
                context.error(sheet, n, "afsluitreden",
                              f"Een casus met status '{CaseStatus(status).label}' heeft geen reden van afsluiting.")
        if status == CaseStatus.IN_PROGRESS and contact is None and not context.had_error(sheet, n, "eerste_contact"):
            context.error(sheet, n, "eerste_contact", "Een casus in behandeling heeft een datum eerste contact.")
        if status == CaseStatus.REGISTERED and contact is not None:
            context.error(sheet, n, "status",
                          "Met een eerste contact is de casus in behandeling (of afgesloten), niet aangemeld.")
        plan = {"row": row, "household": household, "team": team, "source": source, "reason": reason,
                "status": status, "melding": melding, "contact": contact, "closed_on": closed_on,
                "safety": bool(v.get("veiligheid")), "regisseur": None, "existing": self.db_cases.get(key),
                "changes": {}, "transfer": False}
        self.plan[key] = plan
        existing = plan["existing"]
        if existing is not None:
            if not context.authorised_team(existing.team_id):
                context.error(sheet, n, "extern_id", "Deze casus hoort bij een team waarvoor u niet mag importeren.")
                return
            self._compare_case(context, plan, row)
        if team is not None and v.get("regisseur") is not None and (
                existing is None or existing.regisseur is None
                or existing.regisseur.user.get_username() != v["regisseur"]):
            director = context.team_member(v["regisseur"], team, status != CaseStatus.CLOSED)
            if isinstance(director, str):
                context.error(sheet, n, "regisseur", director)
            else:
                plan["regisseur"] = director
        elif existing is not None:
            plan["regisseur"] = existing.regisseur

    def _compare_case(self, context: ImportContext, plan: dict, row: Row) -> None:
        sheet, existing, n, v = self.name, plan["existing"], row.number, row.values
        if plan["household"] is not None and plan["household"] != ("db", existing.household_id):
            context.error(sheet, n, "huishouden_id", "Deze casus hoort in Wijkregie bij een ander huishouden.")
        if plan["team"] is not None and plan["team"].pk != existing.team_id:
            context.error(sheet, n, "team",
                          "Een casus kan niet via de import naar een ander team; draag de casus over in Wijkregie.")
        if plan["melding"] is not None and plan["melding"] != existing.melding_date:
            context.error(sheet, n, "meldingsdatum",
                          "De meldingsdatum van een bestaande casus kan niet via de import worden gewijzigd.")
        old, new = CaseStatus(existing.status), plan["status"]
        if new != old:
            refused = services.case_transition_error(old, new)
            if refused is not None:
                context.error(sheet, n, "status", refused)
                return
        changes = plan["changes"]
        if existing.first_contact_date is not None and plan["contact"] != existing.first_contact_date:
            context.error(sheet, n, "eerste_contact",
                          f"Het eerste contact is al geregistreerd op {existing.first_contact_date:%d-%m-%Y}; "
                          "dat kan niet via de import worden gewijzigd.")
        elif existing.first_contact_date is None and plan["contact"] is not None:
            changes["first_contact_date"] = plan["contact"]
        if old == CaseStatus.CLOSED:
            if plan["closed_on"] != existing.closed_on or (
                    plan["reason"] is not None and plan["reason"].pk != existing.closure_reason_id):
                context.error(sheet, n, "afsluitdatum",
                              "Deze casus is al afgesloten; datum en reden van afsluiting kunnen niet via de import "
                              "worden gewijzigd.")
        elif new == CaseStatus.CLOSED and plan["closed_on"] is not None and plan["reason"] is not None:
            changes.update(closed_on=plan["closed_on"], closure_reason=plan["reason"])
        if new != old:
            changes["status"] = new
        if plan["source"] is not None and plan["source"].pk != existing.melding_source_id:
            changes["melding_source"] = plan["source"]
        if plan["safety"] != existing.safety_flag:
            changes["safety_flag"] = plan["safety"]
        if v.get("regisseur") is not None and (existing.regisseur is None
                                                or existing.regisseur.user.get_username() != v["regisseur"]):
            if old == CaseStatus.CLOSED:
                context.error(sheet, n, "regisseur", "Een afgesloten casus kan niet worden overgedragen.")
            else:
                plan["transfer"] = True

    def check(self, context: ImportContext) -> None:
        """One open case per household (services.MSG_OPEN_CASE), counting the cases in Wijkregie that the file
        does not mention and the file's rows in order."""
        in_file = {plan["existing"].pk for plan in self.plan.values() if plan["existing"] is not None}
        open_by_household: dict[tuple, list] = defaultdict(list)
        for pk, cases in self.household_cases.items():
            for case in cases:
                if case.pk not in in_file and case.status != CaseStatus.CLOSED:
                    open_by_household[("db", pk)].append(None)
        for key in sorted(self.plan, key=lambda k: self.plan[k]["row"].number):
            plan = self.plan[key]
            if plan["household"] is None or plan["status"] == CaseStatus.CLOSED:
                continue
            if open_by_household[plan["household"]]:
                context.error(self.name, plan["row"].number, "huishouden_id", services.MSG_OPEN_CASE)
            open_by_household[plan["household"]].append(key)

    # --- for the other sheets -----------------------------------------------------------------------

    def household_authorised(self, context: ImportContext, pk: int) -> bool:
        """An existing household may be changed only when one of its cases (in Wijkregie or in this file)
        belongs to a team the importer may write for."""
        if context.allowed is None or pk in self.households_with_my_case:
            return True
        return any(case.team_id in context.allowed for case in self.household_cases.get(pk, []))

    def case_for(self, context: ImportContext, sheet: str, row: Row) -> tuple[str | None, dict | None, Case | None]:
        """(extern_id, plan of a case in this file, existing case) for a row's casus_id."""
        key = row.values.get("casus_id")
        if key is None:
            return None, None, None
        plan, existing = self.plan.get(key), self.db_cases.get(key)
        if plan is None and existing is None:
            context.error(sheet, row.number, "casus_id",
                          f"Onbekende casus '{key}': niet in het tabblad casussen en niet in Wijkregie.")
        elif plan is None and not context.authorised_team(existing.team_id):
            context.error(sheet, row.number, "casus_id",
                          "Deze casus hoort bij een team waarvoor u niet mag importeren.")
            return key, None, None
        return key, plan, existing

    @staticmethod
    def final_state(plan: dict | None, existing: Case | None) -> dict:
        """The case as it will be after the import: household token, team, status, dates, director."""
        if plan is not None:
            return {"household": plan["household"], "team": plan["team"] or (existing.team if existing else None),
                    "status": plan["status"], "closed_on": plan["closed_on"], "melding": plan["melding"],
                    "regisseur": plan["regisseur"]}
        return {"household": ("db", existing.household_id), "team": existing.team, "status": existing.status,
                "closed_on": existing.closed_on, "melding": existing.melding_date, "regisseur": existing.regisseur}

    @staticmethod
    def case_pk(plan: dict | None, existing: Case | None) -> int | None:
        """The primary key of a case already in Wijkregie that a casus_id names."""
        return plan["existing"].pk if plan and plan["existing"] else (existing.pk if existing else None)

    def first_melding(self, household: tuple) -> dt.date | None:
        """The earliest melding of the household (file or database): when its members' membership starts."""
        if not hasattr(self, "_first_meldingen"):
            first: dict[tuple, dt.date] = {}
            for plan in self.plan.values():
                if plan["household"] and plan["melding"]:
                    first[plan["household"]] = min(plan["melding"], first.get(plan["household"], plan["melding"]))
            for pk, cases in self.household_cases.items():
                for case in cases:
                    first[("db", pk)] = min(case.melding_date, first.get(("db", pk), case.melding_date))
            self._first_meldingen = first
        return self._first_meldingen.get(household)

    # --- writing ------------------------------------------------------------------------------------

    def write(self, context: ImportContext) -> None:
        households = context.sheet("huishoudens")
        summary = context.summary[self.name]
        now = timezone.now()
        events: list[tuple] = []  # CaseEvent rows, in timeline order
        assignments: list[tuple] = []  # DirectorAssignment rows
        names: dict[int, str] = {}

        def event(case, kind, on, description=""):
            events.append((case.pk, kind, on, description[:500], context.user_id(case.regisseur), now))

        def assignment(case, regisseur, started_on, ended_on, reason):
            assignments.append((case.pk, regisseur.pk, started_on, ended_on, reason, context.user_id(regisseur), now))

        def name_of(regisseur) -> str:
            if regisseur.pk not in names:
                names[regisseur.pk] = str(regisseur)
            return names[regisseur.pk]

        # Existing cases first: a case closed by this file frees its household for a new one.
        changed, to_end = [], {}
        for key, plan in self.plan.items():
            case = plan["existing"]
            if case is None:
                continue
            changes = dict(plan["changes"])
            if plan["transfer"]:
                changes["regisseur"] = plan["regisseur"]
            if not changes:
                summary.unchanged += 1
                continue
            for field_name, value in changes.items():
                setattr(case, field_name, value)
            case.updated_at = now
            changed.append(case)
            if "first_contact_date" in changes:
                event(case, CaseEventKind.FIRST_CONTACT, case.first_contact_date)
            closing = changes.get("closed_on")
            if plan["transfer"]:  # on the closing date when the same file closes the case
                on = closing or context.today
                to_end[case.pk] = on
                assignment(case, plan["regisseur"], on, closing, "Regie overgedragen via registratie-import")
                event(case, CaseEventKind.TRANSFER, on, f"Naar {name_of(plan['regisseur'])}: via registratie-import")
            elif closing:
                to_end[case.pk] = closing
            if closing:
                event(case, CaseEventKind.CLOSED, closing, f"Reden: {case.closure_reason.label}")
            context.audit(AuditAction.UPDATE, case, case=case)
        if to_end:
            current = bulk.filter_in(DirectorAssignment.objects.filter(ended_on__isnull=True), "case_id", to_end)
            for row in current:
                row.ended_on = max(to_end[row.case_id], row.started_on)
            DirectorAssignment.objects.bulk_update(current, ["ended_on"], batch_size=bulk.BATCH)
        if changed:
            Case.objects.bulk_update(changed, ["status", "first_contact_date", "closed_on", "closure_reason",
                                               "regisseur", "melding_source", "safety_flag", "updated_at"],
                                     batch_size=bulk.BATCH)
        summary.updated = len(changed)

        new: list[Case] = []
        for key, plan in self.plan.items():
            if plan["existing"] is not None:
                continue
            new.append(Case(
                external_id=key, household=households.household(plan["household"]), team=plan["team"],
                melding_date=plan["melding"], melding_source=plan["source"], status=plan["status"],
                regisseur=plan["regisseur"], first_contact_date=plan["contact"], closed_on=plan["closed_on"],
                closure_reason=plan["reason"] if plan["status"] == CaseStatus.CLOSED else None,
                safety_flag=plan["safety"],
            ))
        bulk.bulk_create(Case, new)
        self.cases = {c.external_id: c for c in self.db_cases.values()}
        self.cases.update({c.external_id: c for c in new})
        relinked = self._link_reopenings(new)
        if relinked:
            Case.objects.bulk_update(relinked, ["reopened_from"], batch_size=bulk.BATCH)
        for case in new:
            assignment(case, case.regisseur, case.melding_date, case.closed_on, "Eerste toewijzing (registratie-import)")
            if case.reopened_from_id:
                old = case.reopened_from
                event(case, CaseEventKind.REOPENED, case.melding_date,
                      f"Heropend {(case.melding_date - old.closed_on).days} dagen na afsluiting "
                      f"(reden toen: {old.closure_reason.label})")
            event(case, CaseEventKind.MELDING, case.melding_date, f"Bron: {case.melding_source.label}")
            event(case, CaseEventKind.DIRECTOR, case.melding_date, f"Regisseur: {name_of(case.regisseur)}")
            if case.first_contact_date:
                event(case, CaseEventKind.FIRST_CONTACT, case.first_contact_date)
            if case.closed_on:
                event(case, CaseEventKind.CLOSED, case.closed_on, f"Reden: {case.closure_reason.label}")
            context.audit(AuditAction.CREATE, case, case=case)
        bulk.insert_rows(DirectorAssignment, ["case", "regisseur", "started_on", "ended_on", "reason", "assigned_by",
                                              "created_at"], assignments)
        bulk.insert_rows(CaseEvent, ["case", "kind", "occurred_on", "description", "actor", "created_at"], events)
        summary.created = len(new)

    def _link_reopenings(self, new: list[Case]) -> list[Case]:
        """A new case of a household whose earlier case closed within the reopening window is its reopening."""
        window = settings.WIJKREGIE["REOPEN_WINDOW_DAYS"]
        closed: dict[int, list[Case]] = defaultdict(list)
        taken: set[int] = set()
        for cases in self.household_cases.values():
            for case in cases:
                if getattr(case, "already_reopened", False):
                    taken.add(case.pk)
        for case in self.cases.values():
            if case.status == CaseStatus.CLOSED:
                closed[case.household_id].append(case)
        for household_id, cases in self.household_cases.items():
            known = {c.pk for c in closed[household_id]}
            closed[household_id] += [c for c in cases if c.status == CaseStatus.CLOSED and c.pk not in known]
        linked = []
        for case in sorted(new, key=lambda c: (c.melding_date, c.pk)):
            candidates = [c for c in closed[case.household_id]
                          if c.pk != case.pk and c.pk not in taken and c.closed_on
                          and case.melding_date - dt.timedelta(days=window) <= c.closed_on <= case.melding_date]
            if not candidates:
                continue
            previous = max(candidates, key=lambda c: (c.closed_on, c.pk))
            case.reopened_from = previous
            taken.add(previous.pk)
            linked.append(case)
        return linked
