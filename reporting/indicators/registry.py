"""Every indicator, and the statements that compute their cells and fine sums."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from .base import CELL_COLUMNS, CELLS, FINE_COLUMNS, FS, Ctx, Spec
from .caseload import (
    caseload,
    caseload_monitoring,
    caseload_worker,
    caseload_worker_category,
    caseload_worker_monitoring,
    household_category,
    household_type,
)
from .inflow import closure_reason, inflow, reopened
from .interventions import escalations, interventions
from .progress import cluster_specs, zrm_bucket, zrm_category, zrm_clusters, zrm_domain, zrm_person
from .timeliness import first_contact_days, first_contact_norm, plan_within_norm, zrm_followup, zrm_nulmeting


@dataclass(frozen=True)
class Indicator:
    name: str
    build: Callable[[Ctx], object]  # a Spec, or the SQL of a custom statement
    cells: tuple[str, ...] = ()  # the indicator names of the cells it writes (default: its own name)
    progress_only: bool = False  # depends only on the ZRM progress rows and measurements, not on case facts
    fine: Callable[[Ctx], list[Spec]] | None = None  # for a custom statement: the specs whose sums it rolls up

    def statement(self, ctx: Ctx) -> str | None:
        built = self.build(ctx)
        return built.select(ctx) if isinstance(built, Spec) else built

    def specs(self, ctx: Ctx) -> list[Spec]:
        if self.fine is not None:
            return self.fine(ctx)
        built = self.build(ctx)
        return [built] if isinstance(built, Spec) else []


INDICATORS: list[Indicator] = [
    Indicator("caseload", caseload),
    Indicator("caseload_monitoring", caseload_monitoring),
    Indicator("caseload_worker", caseload_worker),
    Indicator("caseload_worker_monitoring", caseload_worker_monitoring),
    Indicator("caseload_worker_category", caseload_worker_category),
    Indicator("inflow", inflow),
    Indicator("first_contact_days", first_contact_days),
    Indicator("first_contact_norm", first_contact_norm),
    Indicator("plan_within_norm", plan_within_norm),
    Indicator("zrm_nulmeting", zrm_nulmeting),
    Indicator("zrm_followup", zrm_followup, progress_only=True),
    Indicator("household_type", household_type),
    Indicator("household_category", household_category),
    Indicator("closure_reason", closure_reason),
    Indicator("reopened", reopened, ("reopened", "reopened_days")),
    Indicator("interventions", interventions),
    Indicator("escalations", escalations),
    Indicator("zrm_domain", zrm_domain, ("zrm_domain_mean", "zrm_domain_direction"), progress_only=True),
    Indicator("zrm_bucket", zrm_bucket, ("zrm_bucket", "zrm_bucket_movement"), progress_only=True),
    Indicator("zrm_category", zrm_category, ("zrm_category", "zrm_category_movement"), progress_only=True),
    Indicator("zrm_person", zrm_person, ("zrm_paired", "zrm_person_mean"), progress_only=True),
    Indicator("zrm_clusters", zrm_clusters, ("zrm_intake", "zrm_cluster"), progress_only=True,
              fine=cluster_specs),
]


def cell_names(indicators_: list[Indicator]) -> list[str]:
    return [name for indicator in indicators_ for name in (indicator.cells or (indicator.name,))]


def statements(ctx_factory: Callable[[], Ctx], only: list[Indicator] | None = None) -> list[tuple[str, dict]]:
    """Every indicator SELECT (or those in `only`): [(sql, params)]; a fresh Ctx (own parameters) per statement."""
    out = []
    for indicator in INDICATORS if only is None else only:
        ctx = ctx_factory()
        statement = indicator.statement(ctx)
        if statement:
            out.append((statement, ctx.params))
    return out


def fine_statements(ctx_factory: Callable[[], Ctx], only: list[Indicator] | None = None) -> list[tuple[str, dict]]:
    """INSERTs of the fine sums of every spec (or those of `only`)."""
    out = []
    for indicator in INDICATORS if only is None else only:
        for spec in indicator.specs(ctx_factory()):
            ctx = ctx_factory()
            out.append((f"INSERT INTO {FS} ({FINE_COLUMNS}) {spec.fine_select(ctx)}", ctx.params))
    return out


def fine_names(indicators_: list[Indicator] | None = None) -> list[str]:
    ctx = Ctx(today=timezone.localdate())
    return [spec.name for indicator in (INDICATORS if indicators_ is None else indicators_)
            for spec in indicator.specs(ctx)]


def insert_statement(select_sql: str) -> str:
    return f"INSERT INTO {CELLS} ({CELL_COLUMNS}) {select_sql}"
