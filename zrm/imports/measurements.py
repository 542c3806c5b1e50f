"""The sheet zrm-metingen: vastgestelde ZRM measurements by extern_id, one column per domain code, checked by
the rules of zrm.validation (the same as the entry screen) and written with their scores and derived values.
A vastgestelde measurement is never changed: the same values again are unchanged, other values are an error."""
from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from cases.imports import Column, ImportContext, Row, Sheet, bulk
from cases.models import CaseStatus
from common.models import AuditAction

from .. import derived, validation
from ..models import (
    Domain,
    IncomeSource,
    InstrumentVersion,
    Measurement,
    MeasurementPurpose,
    MeasurementStatus,
    MeasurementType,
    NotScoredReason,
    Score,
)

MSG_SCORE = "Kies een score van 1 tot en met 5, of niet_relevant of onbekend."


class MeasurementSheet(Sheet):
    name = "zrm-metingen"
    columns = (
        Column("extern_id", "key", required=True, max_length=64),
        Column("casus_id", "key", required=True, max_length=64),
        Column("bsn", "bsn"),
        Column("persoon_sleutel", "key", max_length=64),
        Column("versie", required=True),
        Column("datum", "date", required=True),
        Column("soort", "choice", required=True, choices=MeasurementType),
        Column("beoordelaar", max_length=150),
        Column("doel", "choice", choices=MeasurementPurpose),
        Column("participatieladder", "int"),
        Column("inkomensbron", "choice", choices=IncomeSource),
    )
    references = {"casus_id": "case", "bsn": "person", "beoordelaar": "staff"}
    extra_columns_hint = " of een domeincode van de ZRM"

    def is_extra_column(self, context: ImportContext, name: str) -> bool:
        """A column per domain code (of any version): its score."""
        if not hasattr(self, "domain_codes"):
            self.domain_codes = set(Domain.objects.values_list("code", flat=True))
        return name in self.domain_codes

    # --- validating ---------------------------------------------------------------------------------

    def validate(self, context: ImportContext) -> None:
        """After the cases and the persons."""
        self.by_key = context.unique_keys(self.name, "extern_id")
        self.versions = {}
        for version in InstrumentVersion.objects.filter(instrument__code="zrm"):
            for alias in (version.code, version.name, str(version.year)):
                self.versions[alias.casefold()] = version
        self.domains: dict[int, dict[str, Domain]] = defaultdict(dict)
        for domain in Domain.objects.order_by("order"):
            self.domains[domain.version_id][domain.code] = domain
        existing = {m.external_id: m for m in bulk.filter_in(Measurement.objects.select_related("assessor__user"),
                                                             "external_id", self.by_key)}
        stored_scores: dict[int, dict] = defaultdict(dict)
        for chunk in bulk.chunks([m.pk for m in existing.values()]):
            for mid, code, score, reason in _stored_score_rows(chunk):
                stored_scores[mid][code] = score if score is not None else reason
        self.new: list[dict] = []
        for key, row in self.by_key.items():
            self._validate_measurement(context, row, existing.get(key), stored_scores)

    def _validate_measurement(self, context: ImportContext, row: Row, existing, stored_scores) -> None:
        cases, persons = context.sheet("casussen"), context.sheet("personen")
        sheet, v, n = self.name, row.values, row.number
        case_key, plan, db_case = cases.case_for(context, sheet, row)
        person = persons.person_for(context, sheet, row, required=True)
        version = None
        if v.get("versie") is not None:
            version = self.versions.get(v["versie"].casefold())
            if version is None:
                context.error(sheet, n, "versie", f"Onbekende ZRM-versie '{v['versie'][:40]}'; gebruik bijvoorbeeld "
                                                  "zrm-2017 of zrm-2013.")
        # Scores: 1-5, niet_relevant, onbekend or blank; only domains of this version.
        scores: dict[str, object] = {}
        version_domains = self.domains.get(version.pk, {}) if version else {}
        for code, text in row.cells.items():
            if text == "":
                continue
            parsed = validation.parse_score(text.casefold().replace(" ", "_"))
            if parsed is None:
                context.error(sheet, n, code, MSG_SCORE)
                continue
            if version is not None and code not in version_domains:
                context.error(sheet, n, code, f"Het domein '{code}' hoort niet bij {version.name}.")
                continue
            score, reason = parsed
            scores[code] = reason or score
        if plan is None and db_case is None:
            return
        state = cases.final_state(plan, db_case)
        assessor = None
        if existing is not None:
            if self._same_measurement(existing, row, cases.case_pk(plan, db_case), person, version, scores,
                                      stored_scores):
                context.summary[sheet].unchanged += 1
            else:
                context.error(sheet, n, "extern_id",
                              "Deze meting is al vastgesteld en wijkt af van het bestand; een vastgestelde meting "
                              "wordt niet gewijzigd (leg in Wijkregie een correctie vast).")
            return
        if person is not None and state["household"] is not None and not persons.is_member(state["household"],
                                                                                             person):
            context.error(sheet, n, "bsn" if v.get("bsn") else "persoon_sleutel",
                          "Deze persoon is geen huidig lid van het huishouden van deze casus.")
        date = v.get("datum")
        if date is not None:  # a date in the future is refused with the cell
            for message in validation.date_errors(date, state["melding"], context.today):
                context.error(sheet, n, "datum", message)
        # Historical data: only measurements dated after the closing must be afsluiting or follow-up.
        if (v.get("soort") and state["status"] == CaseStatus.CLOSED and date is not None and state["closed_on"]
                and date > state["closed_on"] and not validation.allowed_after_closing(v["soort"])):
            context.error(sheet, n, "soort", "Na de afsluiting van de casus is alleen een afsluitende meting of een "
                                             "follow-up mogelijk.")
        if not validation.participatieladder_is_valid(v.get("participatieladder")):
            context.error(sheet, n, "participatieladder", validation.MSG_PARTICIPATIELADDER)
        team = state["team"]
        if v.get("beoordelaar") is not None and team is not None:
            found = context.team_member(v["beoordelaar"], team, state["status"] != CaseStatus.CLOSED)
            if isinstance(found, str):
                context.error(sheet, n, "beoordelaar", found.replace("De regisseur", "De beoordelaar"))
            else:
                assessor = found
        elif team is not None:
            assessor = state["regisseur"]
        offered = {}
        numbers = {code: value for code, value in scores.items() if isinstance(value, int)}
        if version is not None:
            child = state["household"] is not None and persons.has_child_at_home(state["household"])
            offered = {d.code: d for d in validation.offered_domains(version_domains.values(), child_at_home=child)}
            for code in scores:
                if code not in offered:
                    context.error(sheet, n, code, validation.MSG_CHILD_MODULE.format(name=version_domains[code].name))
            none_scored, unscored = validation.missing_scores(offered, numbers)
            if none_scored:
                context.error(sheet, n, "", "Scoor minstens één domein met 1 tot en met 5: de meting wordt als "
                                            "vastgesteld geïmporteerd.")
            for code, message in unscored.items():
                context.error(sheet, n, code, message)
        limit = validation.benefit_financien_limit(v.get("inkomensbron") or "", numbers.get("financien"))
        if limit is not None:
            context.warn(sheet, n, "financien", f"Let op: met een uitkering is de score op Financiën meestal niet "
                                                f"hoger dan {limit}.")
        self.new.append({
            "row": row, "case_key": case_key, "person": person, "version": version, "assessor": assessor,
            "scores": scores, "offered": offered,
        })

    @staticmethod
    def _same_measurement(existing, row, case_pk, person, version, scores, stored_scores) -> bool:
        v = row.values
        if existing.status != MeasurementStatus.FINAL:
            return False
        if existing.case_id != case_pk or person != ("db", existing.person_id):
            return False
        if version is None or existing.version_id != version.pk or existing.date != v.get("datum"):
            return False
        if existing.type != v.get("soort") or existing.purpose != (v.get("doel") or ""):
            return False
        if existing.participatieladder != v.get("participatieladder") or existing.income_source != (
                v.get("inkomensbron") or ""):
            return False
        if v.get("beoordelaar") is not None and existing.assessor.user.get_username() != v["beoordelaar"]:
            return False
        stored = stored_scores.get(existing.pk, {})
        for code in set(stored) | set(scores):
            mine = scores.get(code, NotScoredReason.UNKNOWN)
            theirs = stored.get(code, NotScoredReason.UNKNOWN)
            if mine != theirs:
                return False
        return True

    # --- writing ------------------------------------------------------------------------------------

    def write(self, context: ImportContext) -> None:
        cases, persons = context.sheet("casussen"), context.sheet("personen")
        summary = context.summary[self.name]
        measurements, scores = [], []  # scores: (measurement id, domain id, score, reason)
        now = timezone.now()
        for item in self.new:
            v = item["row"].values
            case = cases.cases[item["case_key"]]
            filled = {code: item["scores"].get(code, NotScoredReason.UNKNOWN) for code in item["offered"]}
            result = derived.derive([(item["offered"][code].cluster, value if isinstance(value, int) else None)
                                     for code, value in filled.items()])
            assessor = item["assessor"]
            measurement = Measurement(
                external_id=v["extern_id"], person=persons.person(item["person"]), case=case,
                version=item["version"], date=v["datum"], type=v["soort"], purpose=v.get("doel") or "",
                assessor=assessor, participatieladder=v.get("participatieladder"),
                income_source=v.get("inkomensbron") or "", problem_domain_count=result.problem_domain_count,
                acute_domain_count=result.acute_domain_count, bucket=result.bucket,
                cluster_scores=result.cluster_scores, household_category=result.household_category,
                status=MeasurementStatus.DRAFT, created_by=context.user or assessor.user, finalised_by=context.user,
                finalised_at=now,
            )
            measurements.append(measurement)
            item["measurement"], item["filled"] = measurement, filled
        # Scores go in while the measurement is still a concept (PostgreSQL rejects score writes on a
        # vastgestelde one); then all are vastgesteld in one UPDATE.
        bulk.bulk_create(Measurement, measurements)
        for item in self.new:
            mid = item["measurement"].pk
            for code, value in item["filled"].items():
                scores.append((mid, item["offered"][code].pk, value if isinstance(value, int) else None,
                               "" if isinstance(value, int) else value))
        with bulk.generic_trigger_plans():
            bulk.insert_rows(Score, ["measurement", "domain", "score", "not_scored_reason"], scores)
        for chunk in bulk.chunks([m.pk for m in measurements]):
            Measurement.objects.filter(pk__in=chunk).update(status=MeasurementStatus.FINAL)
        for m in measurements:
            m.status = MeasurementStatus.FINAL
            context.audit(AuditAction.CREATE, m, person=m.person, case=m.case)
        summary.created = len(measurements)


def _stored_score_rows(measurement_ids):
    return Score.objects.filter(measurement_id__in=measurement_ids).values_list(
        "measurement_id", "domain__code", "score", "not_scored_reason")
