"""The sheet trajecten: interventions by extern_id, created or updated, checked by the rules of
cases.services (the same as the entry screen), and bridging one another within a case."""
from __future__ import annotations

from cases import services
from cases.models import Case, Deliverer, DeviationReason, Intervention, InterventionType, OtherSubcategory, TeamAction
from common.models import AuditAction

from . import bulk
from .cells import Column
from .context import ImportContext, Row, Sheet, code_lookup

UNSAVED_CASE = Case()  # the intervention rules need a case only for checks this module does against the file
INTERVENTION_FIELDS = [
    "type", "subcategory", "provider", "start_date", "end_date", "team_action", "deliverer",
    "would_have_started_without_team", "monthly_hours", "most_appropriate_type", "deviation_reason",
    "replaces_type", "on_waiting_list", "carried_out_at_6_months",
]
INTERVENTION_FKS = {"type", "most_appropriate_type", "replaces_type"}
INTERVENTION_COLUMNS = {
    "type": "soort", "subcategory": "subcategorie", "team_action": "rol_team", "deliverer": "uitvoerder",
    "start_date": "startdatum", "end_date": "einddatum", "monthly_hours": "uren_per_maand",
    "deviation_reason": "reden_afwijking", "bridging_for": "overbrugging_voor", "person": "bsn",
}


class InterventionSheet(Sheet):
    name = "trajecten"
    columns = (
        Column("extern_id", "key", required=True, max_length=64),
        Column("casus_id", "key", required=True, max_length=64),
        Column("soort", required=True),
        Column("subcategorie", "choice", choices=OtherSubcategory),
        Column("rol_team", "choice", required=True, choices=TeamAction),
        Column("uitvoerder", "choice", required=True, choices=Deliverer),
        Column("aanbieder"),
        Column("startdatum", "date"),
        Column("einddatum", "date", not_future=False),
        Column("zonder_team_gestart", "bool"),
        Column("uren_per_maand", "decimal"),
        Column("meest_passende_soort"),
        Column("reden_afwijking", "choice", choices=DeviationReason),
        Column("vervangt_soort"),
        Column("op_wachtlijst", "bool"),
        Column("overbrugging_voor", "key", max_length=64),
        Column("uitgevoerd_na_6_maanden", "bool"),
        Column("bsn", "bsn"),
        Column("persoon_sleutel", "key", max_length=64),
    )
    references = {"casus_id": "case", "bsn": "person"}

    def validate(self, context: ImportContext) -> None:
        """After the cases and the persons."""
        cases = context.sheet("casussen")
        self.types = code_lookup(InterventionType.objects.all())
        rows = self.by_key = context.unique_keys(self.name, "extern_id")
        self.db_interventions = {i.external_id: i for i in bulk.filter_in(
            Intervention.objects.all(), "external_id",
            set(rows) | {r.values.get("overbrugging_voor") for r in rows.values()} - {None})}
        self.plan: dict[str, dict] = {}
        for key, row in rows.items():
            self._validate_intervention(context, key, row)
        for key, item in self.plan.items():  # bridging: another trajectory of the same case
            target = item["row"].values.get("overbrugging_voor")
            if target is None:
                continue
            other = self.plan.get(target)
            other_case = other["case_key"] if other else None
            if other is None and target in self.db_interventions:
                db = self.db_interventions[target]
                other_case = next((k for k, c in cases.db_cases.items() if c.pk == db.case_id), ("db", db.case_id))
            if other_case is None:
                context.error(self.name, item["row"].number, "overbrugging_voor",
                              f"Onbekend traject '{target}': niet in het tabblad trajecten en niet in Wijkregie.")
            elif other_case != item["case_key"]:
                context.error(self.name, item["row"].number, "overbrugging_voor",
                              "Overbrugging kan alleen voor een traject in deze casus.")
            elif target == key:
                context.error(self.name, item["row"].number, "overbrugging_voor",
                              "Een traject kan geen overbrugging voor zichzelf zijn.")

    def _validate_intervention(self, context: ImportContext, key: str, row: Row) -> None:
        cases, persons = context.sheet("casussen"), context.sheet("personen")
        sheet, v, n = self.name, row.values, row.number
        case_key, plan, db_case = cases.case_for(context, sheet, row)
        person = persons.person_for(context, sheet, row, required=False)
        type_ = context.code(sheet, row, "soort", self.types, "soort traject")
        most = context.code(sheet, row, "meest_passende_soort", self.types, "soort traject")
        replaces = context.code(sheet, row, "vervangt_soort", self.types, "soort traject")
        if plan is None and db_case is None:
            return
        state = cases.final_state(plan, db_case)
        if person is not None and state["household"] is not None and not persons.is_member(state["household"], person):
            context.error(sheet, n, "bsn" if v.get("bsn") else "persoon_sleutel",
                          "Dit is geen gezinslid van dit huishouden.")
        data = services.InterventionData(
            type=type_, team_action=v.get("rol_team") or "", deliverer=v.get("uitvoerder") or "",
            subcategory=v.get("subcategorie") or "", provider=v.get("aanbieder") or "",
            start_date=v.get("startdatum"), end_date=v.get("einddatum"),
            would_have_started_without_team=v.get("zonder_team_gestart"), monthly_hours=v.get("uren_per_maand"),
            most_appropriate_type=most, deviation_reason=v.get("reden_afwijking") or "", replaces_type=replaces,
            on_waiting_list=bool(v.get("op_wachtlijst")), carried_out_at_6_months=v.get("uitgevoerd_na_6_maanden"),
        )
        # The service's own rules (person and bridging are checked above, against the file).
        errors, warnings = services._validate_intervention(UNSAVED_CASE, data)
        for field_name, messages in errors.items():
            column = INTERVENTION_COLUMNS.get(field_name, field_name)
            if context.had_error(sheet, n, column) or (field_name == "type" and v.get("soort") is not None):
                continue
            if field_name in ("team_action", "deliverer") and row.values.get(column) is None:
                continue  # already reported as a required or unknown value
            for message in messages:
                context.error(sheet, n, column, message)
        for message in warnings:
            context.warn(sheet, n, "uren_per_maand", message)
        existing = self.db_interventions.get(key)
        changes = {}
        if existing is not None:
            if existing.case_id != cases.case_pk(plan, db_case):
                context.error(sheet, n, "casus_id", "Dit traject hoort in Wijkregie bij een andere casus.")
            for name in INTERVENTION_FIELDS:
                value = getattr(data, name)
                current = getattr(existing, f"{name}_id") if name in INTERVENTION_FKS else getattr(existing, name)
                wanted = value.pk if name in INTERVENTION_FKS and value is not None else value
                if current != wanted:
                    changes[name] = value
            person_id = None if person is None else person[1] if person[0] == "db" else -1
            if existing.person_id != person_id:
                changes["person"] = person
        self.plan[key] = {"row": row, "case_key": case_key, "person": person, "data": data,
                          "existing": existing, "changes": changes}

    def write(self, context: ImportContext) -> None:
        cases, persons = context.sheet("casussen"), context.sheet("personen")
        summary = context.summary[self.name]
        new, changed = [], []
        for key, item in self.plan.items():
            data, existing = item["data"], item["existing"]
            person = persons.person(item["person"]) if item["person"] else None
            case = cases.cases[item["case_key"]]
            if existing is None:
                intervention = Intervention(case=case, person=person, external_id=key,
                                            **{name: getattr(data, name) for name in INTERVENTION_FIELDS})
                new.append(intervention)
                item["object"] = intervention
                continue
            item["object"] = existing
            if item["changes"]:
                for name in INTERVENTION_FIELDS:
                    setattr(existing, name, getattr(data, name))
                existing.person = person
                changed.append(existing)
        bulk.bulk_create(Intervention, new)
        # Bridging points at another trajectory, which may be new too: set once every row has a key.
        by_key = {i.external_id: i for i in self.db_interventions.values()}
        by_key.update({key: item["object"] for key, item in self.plan.items()})
        new_bridging = []
        for item in self.plan.values():
            target = item["row"].values.get("overbrugging_voor")
            obj = item["object"]
            wanted = by_key[target].pk if target else None
            if obj.bridging_for_id == wanted:
                continue
            obj.bridging_for_id = wanted
            if item["existing"] is None:
                new_bridging.append(obj)
            elif obj not in changed:
                changed.append(obj)
        if changed:
            Intervention.objects.bulk_update(changed, INTERVENTION_FIELDS + ["person", "bridging_for"],
                                             batch_size=bulk.BATCH)
        if new_bridging:
            Intervention.objects.bulk_update(new_bridging, ["bridging_for"], batch_size=bulk.BATCH)
        for obj in new:
            context.audit(AuditAction.CREATE, obj, person=obj.person, case=obj.case)
        for obj in changed:
            context.audit(AuditAction.UPDATE, obj, person=obj.person, case=obj.case)
        summary.created, summary.updated = len(new), len(changed)
        summary.unchanged = len(self.plan) - len(new) - len(changed)
