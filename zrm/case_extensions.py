"""What zrm adds to the cases app through its extension points (cases/extensions.py), registered in
ZrmConfig.ready: the next ZRM due per case, the persons' latest measurements and low scores, the ZRM domains
of a plan's goals, the ZRM panel of the casus page and the measurements in a subject-access export."""
from __future__ import annotations

import datetime as dt

from cases import extensions
from cases.extensions import CasePagePanel, DueAction, LatestMeasurement, LowScore, SubjectAccessSection
from common.audit import PURPOSE_CASEWORK

from . import schedule, selectors, services
from .models import Domain, Measurement, MeasurementStatus, MeasurementType, Score


class ZrmSchedule:
    """The next ZRM of each case's schedule (zrm/schedule.py): one query whatever the number of cases."""

    def next_due_by_case(self, cases, today: dt.date) -> dict[int, DueAction | None]:
        return {pk: _due_action(item) for pk, item in selectors.next_due_by_case(cases, today).items()}


def _due_action(item: schedule.DueItem | None) -> DueAction | None:
    if item is None:
        return None
    return DueAction(label=f"ZRM: {item.label.lower()}", due=item.due, is_overdue=item.is_overdue)


class ZrmMeasurements:
    """Effective = vastgesteld and not replaced by a vastgestelde correction (selectors.effective)."""

    def latest_effective(self, case_id: int, person_ids, *, measured_from: dt.date | None = None,
                         measured_to: dt.date | None = None) -> dict[int, LatestMeasurement]:
        qs = Measurement.objects.filter(case_id=case_id, person_id__in=list(person_ids))
        if measured_from is not None:
            qs = qs.filter(date__gte=measured_from)
        if measured_to is not None:
            qs = qs.filter(date__lte=measured_to)
        latest: dict[int, LatestMeasurement] = {}
        for person_id, pk, day, problems in selectors.effective(qs).order_by("person_id", "-date", "-pk").values_list(
                "person_id", "pk", "date", "problem_domain_count"):
            latest.setdefault(person_id, LatestMeasurement(person_id, pk, day, problems))
        return latest

    def low_scores(self, measurement_ids, max_score: int) -> list[LowScore]:
        return [
            LowScore(measurement_id=s.measurement_id, domain=s.domain, score=s.score)
            for s in Score.objects.filter(measurement_id__in=list(measurement_ids), score__lte=max_score)
            .select_related("domain__version").order_by("domain__order", "pk")
        ]

    def persons_without_closing_measurement(self, case_id: int) -> set[int]:
        finals = Measurement.objects.filter(case_id=case_id, status=MeasurementStatus.FINAL)
        measured = set(finals.values_list("person_id", flat=True))
        closed = set(finals.filter(type=MeasurementType.AFSLUITING).values_list("person_id", flat=True))
        return measured - closed


def latest_of(measurements) -> dict[int, LatestMeasurement]:
    """Each person's latest effective measurement among these (read with `is_superseded`)."""
    latest: dict[int, LatestMeasurement] = {}
    final = [m for m in measurements if m.status == MeasurementStatus.FINAL and not m.is_superseded]
    for m in sorted(final, key=lambda m: (m.person_id, m.date, m.pk), reverse=True):
        latest.setdefault(m.person_id, LatestMeasurement(m.person_id, m.pk, m.date, m.problem_domain_count))
    return latest


class ZrmDomains:
    def for_goals(self, case_id: int, persons):
        version_ids = set(Measurement.objects.filter(case_id=case_id, person__in=persons)
                          .values_list("version_id", flat=True).distinct())
        active = selectors.active_version()
        if active is not None:
            version_ids.add(active.pk)
        return Domain.objects.filter(version_id__in=version_ids).select_related("version").order_by(
            "version__year", "order")

    def find(self, code: str, version_code: str | None = None):
        version = selectors.version_by_code(version_code) if version_code else selectors.active_version()
        if version is None:
            return None, None
        return version, Domain.objects.filter(version=version, code=code).first()


def case_page_panel(case, members) -> CasePagePanel:
    """The ZRM panel (zrm_tags.zrm_case_panel), read once: its measurements also give the plan's low domains.
    Its audit rows keep the casework purpose, also under break-the-glass, as services.record_view writes them."""
    panel = selectors.case_panel(case, services.today(), members=members)
    return CasePagePanel(
        template="zrm/_case_panel.html", context={"zrm_panel": panel},
        reads=[(m, m.person, m.case) for m in panel.shown], reads_purpose=PURPOSE_CASEWORK,
        latest_measurements=latest_of(panel.measurements),
    )


# --- Subject access: the person's measurements with every score ----------------------------------------------

def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _d(value) -> str | None:
    return value.isoformat() if value else None


def subject_access_rows(person) -> list[dict]:
    from django.db.models import Prefetch

    measurements = (
        Measurement.objects.filter(person=person).select_related("version", "case", "assessor__user")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("domain")
                                   .order_by("domain__order")))
        .order_by("date", "pk")
    )
    return [
        {"id": m.pk, "case_id": m.case_id, "date": _d(m.date), "type": m.get_type_display(),
         "status": m.get_status_display(), "instrument_version": m.version.name,
         "assessor": _name(m.assessor.user), "participatieladder": m.participatieladder,
         "income_source": m.get_income_source_display() if m.income_source else "",
         "problem_domain_count": m.problem_domain_count, "acute_domain_count": m.acute_domain_count,
         "household_category": m.get_household_category_display() if m.household_category else "",
         "supersedes": m.supersedes_id, "correction_reason": m.correction_reason,
         "scores": [{"domain": s.domain.name, "score": s.score,
                     "not_scored_reason": s.get_not_scored_reason_display() if s.not_scored_reason else ""}
                    for s in m.scores.all()]}
        for m in measurements
    ]


SUBJECT_ACCESS_SECTION = SubjectAccessSection(
    key="zrm_measurements", title="ZRM-metingen", count_key="measurements",
    columns=["id", "case_id", "date", "type", "status", "problem_domain_count"],
    collect=subject_access_rows,
    details=lambda row: (f"Scores van meting {row['id']} ({row['date']})", row["scores"],
                         ["domain", "score", "not_scored_reason"]),
    labels={"problem_domain_count": "Probleemdomeinen", "score": "Score", "not_scored_reason": "Niet gescoord"},
)


def register() -> None:
    extensions.case_schedule.register(ZrmSchedule())
    extensions.measurements.register(ZrmMeasurements())
    extensions.domains.register(ZrmDomains())
    extensions.case_page_panels.register(case_page_panel)
    extensions.subject_access_sections.register(SUBJECT_ACCESS_SECTION)
