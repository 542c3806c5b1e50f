"""Municipality endpoints (scope aggregaten.lezen): the progress engine's stored cells, suppressed server-side.

GET /api/v1/aggregaten          the cells of one scope (all teams, a team or a wijk) and one period
GET /api/v1/aggregaten/export   the same as CSV
GET /api/v1/aggregaten/perioden the periods that have been computed

A count under the small-cell threshold is withheld (`count` null, `suppressed` true); a mean or share
computed over fewer persons or cases than the threshold is withheld the same way. Per-worker cells
never leave the team.
"""
import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from cases.models import Team
from common.api.problems import problem
from common.audit import Actor, record_call
from common.exports import CSV_TYPE, csv_bytes
from common.models import AuditAction, AuditPurpose, Scope

from ..models import AggregateCell, PeriodKind, ReportPeriod, ScopeKind

PURPOSE = AuditPurpose.STEERING_API.value
STAFF_ROLES = ("gemeente", "teamleider")


class CellSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    key1 = serializers.CharField(allow_blank=True)
    key2 = serializers.CharField(allow_blank=True)
    key3 = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    base = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


class PeriodSerializer(serializers.Serializer):
    periodKind = serializers.ChoiceField(choices=PeriodKind.values)
    periodStart = serializers.DateField()


PARAMETERS = [
    OpenApiParameter("scopeKind", str, enum=ScopeKind.values, description="all (gemeente), team of wijk"),
    OpenApiParameter("scopeKey", str, description="team-id bij team, wijknaam bij wijk; leeg bij all"),
    OpenApiParameter("periodKind", str, enum=PeriodKind.values, required=True),
    OpenApiParameter("periodStart", OpenApiTypes.DATE, required=True, description="eerste dag van de periode"),
    OpenApiParameter("indicator", str, description="alleen deze indicator"),
]


def suppress_cell(row: dict) -> dict:
    threshold = settings.WIJKREGIE["SMALL_CELL_THRESHOLD"]
    small_count = row["count"] is not None and row["count"] < threshold
    small_base = row["base"] is not None and row["base"] < threshold
    out = dict(row)
    if small_count:
        out["count"] = None
    if small_base or small_count:
        out["value"] = None
        out["base"] = None if small_base else out["base"]
    out["suppressed"] = small_count or small_base
    return out


def parse(params) -> tuple[dict | None, list[dict]]:
    errors = []
    scope_kind = params.get("scopeKind", ScopeKind.ALL)
    scope_key = params.get("scopeKey", "")
    period_kind = params.get("periodKind", "")
    if scope_kind not in ScopeKind.values:
        errors.append({"name": "scopeKind", "code": "invalid", "reason": f"Kies uit {', '.join(ScopeKind.values)}."})
    elif scope_kind == ScopeKind.TEAM and not Team.objects.filter(pk=scope_key if scope_key.isdigit() else 0).exists():
        errors.append({"name": "scopeKey", "code": "invalid", "reason": "Geef het id van een bestaand team."})
    elif scope_kind == ScopeKind.WIJK and not scope_key:
        errors.append({"name": "scopeKey", "code": "required", "reason": "Geef de naam van de wijk."})
    if period_kind not in PeriodKind.values:
        errors.append({"name": "periodKind", "code": "invalid", "reason": f"Kies uit {', '.join(PeriodKind.values)}."})
    try:
        period_start = dt.date.fromisoformat(params.get("periodStart", ""))
    except ValueError:
        errors.append({"name": "periodStart", "code": "invalid", "reason": "Een datum als 2026-10-01 (ISO 8601)."})
        period_start = None
    if errors:
        return None, errors
    return {"scope_kind": scope_kind, "scope_key": "" if scope_kind == ScopeKind.ALL else scope_key,
            "period_kind": period_kind, "period_start": period_start,
            "indicator": params.get("indicator", "")}, []


def cells(query: dict) -> list[dict]:
    qs = AggregateCell.objects.filter(
        scope_kind=query["scope_kind"], scope_key=query["scope_key"], period_kind=query["period_kind"],
        period_start=query["period_start"],
    ).exclude(indicator__startswith="caseload_worker")  # per-worker figures stay inside the team
    if query["indicator"]:
        qs = qs.filter(indicator=query["indicator"])
    rows = qs.order_by("indicator", "key1", "key2", "key3").values(
        "indicator", "key1", "key2", "key3", "count", "value", "base")
    return [suppress_cell(row) for row in rows]


class AggregatesBase(GenericAPIView):
    required_scopes = Scope.AGGREGATES_READ
    staff_roles = STAFF_ROLES

    def audit(self, request, query):
        record_call(Actor.from_request(request), AuditAction.EXPORT if self.is_export else AuditAction.READ,
                    "sturingsinformatie", f"{query['scope_kind']}:{query['scope_key']}:{query['period_kind']}:"
                    f"{query['period_start']:%Y-%m-%d}"[:64], purpose=PURPOSE)

    is_export = False


class AggregatesView(AggregatesBase):
    """The suppressed cells of one scope and period (paginated)."""

    serializer_class = CellSerializer

    @extend_schema(operation_id="aggregaten_list", parameters=PARAMETERS, responses=CellSerializer(many=True))
    def get(self, request):
        query, errors = parse(request.query_params)
        if errors:
            return problem(400, detail="De parameters bevatten fouten; zie invalid-params.", invalid_params=errors)
        self.audit(request, query)
        page = self.paginate_queryset(cells(query))
        return self.get_paginated_response(page)


class AggregatesExportView(AggregatesBase):
    """The same cells as CSV (semicolon-separated, UTF-8 with BOM for spreadsheet programs)."""

    is_export = True
    serializer_class = CellSerializer

    @extend_schema(operation_id="aggregaten_export", parameters=PARAMETERS,
                   responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        query, errors = parse(request.query_params)
        if errors:
            return problem(400, detail="De parameters bevatten fouten; zie invalid-params.", invalid_params=errors)
        self.audit(request, query)
        rows = [["indicator", "key1", "key2", "key3", "count", "value", "base", "suppressed"]]
        for row in cells(query):
            rows.append([row["indicator"], row["key1"], row["key2"], row["key3"],
                         "<%d" % settings.WIJKREGIE["SMALL_CELL_THRESHOLD"] if row["count"] is None
                         and row["suppressed"] else row["count"] if row["count"] is not None else "",
                         "" if row["value"] is None else row["value"],
                         "" if row["base"] is None else row["base"], "ja" if row["suppressed"] else "nee"])
        response = HttpResponse(csv_bytes(rows), content_type=CSV_TYPE)
        response["Content-Disposition"] = (f'attachment; filename="wijkregie-{query["scope_kind"]}-'
                                           f'{query["period_kind"]}-{query["period_start"]:%Y-%m-%d}.csv"')
        return response


class PeriodsView(AggregatesBase):
    """The periods for which aggregates have been computed, newest first."""

    serializer_class = PeriodSerializer

    @extend_schema(operation_id="aggregaten_perioden", responses=PeriodSerializer(many=True))
    def get(self, request):
        rows = ReportPeriod.objects.order_by("-start_date", "kind").values_list("kind", "start_date")
        page = self.paginate_queryset([{"periodKind": kind, "periodStart": start} for kind, start in rows])
        return self.get_paginated_response(PeriodSerializer(page, many=True).data)
