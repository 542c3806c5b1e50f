"""Municipality endpoints (scope aggregaten.lezen): the progress engine's stored cells, suppressed server-side.

GET /api/v1/aggregaten          the cells of one scope (all teams, a team or a wijk) and one period
GET /api/v1/aggregaten/export   the same as CSV
GET /api/v1/aggregaten/perioden the periods that have been computed

A count under the small-cell threshold is withheld (`count` null, `suppressed` true); a mean or share
computed over fewer persons or cases than the threshold is withheld the same way. Per-worker cells
never leave the team.
"""
import re

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from cases.models import Team
from common.api.fields import OneReasonMixin
from common.api.views import parse_query
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


class _Choice(OneReasonMixin, serializers.ChoiceField):
    pass


class _Date(OneReasonMixin, serializers.DateField):
    pass


class AggregateQuerySerializer(serializers.Serializer):
    """Which cells: one scope (all teams, a team or a wijk) and one period. Every refused parameter is named."""

    scopeKind = _Choice(choices=ScopeKind.values, default=ScopeKind.ALL,
                        reason=f"Kies uit {', '.join(ScopeKind.values)}.", help_text="all (gemeente), team of wijk")
    scopeKey = serializers.CharField(required=False, default="", allow_blank=True, trim_whitespace=False,
                                     help_text="team-id bij team, wijknaam bij wijk; leeg bij all")
    periodKind = _Choice(choices=PeriodKind.values, reason=f"Kies uit {', '.join(PeriodKind.values)}.")
    periodStart = _Date(reason="Een datum als 2026-10-01 (ISO 8601).", help_text="eerste dag van de periode")
    indicator = serializers.CharField(required=False, default="", allow_blank=True, trim_whitespace=False,
                                      help_text="alleen deze indicator")

    def validate_scopeKey(self, value: str) -> str:
        kind = self.initial_data.get("scopeKind", ScopeKind.ALL)
        if kind == ScopeKind.TEAM:
            # ASCII digits only: str.isdigit() and int() also take '²' or '١٢'.
            if not re.fullmatch(r"[0-9]{1,18}", value) or not Team.objects.filter(pk=int(value)).exists():
                raise serializers.ValidationError("Geef het id van een bestaand team.", code="invalid")
        elif kind == ScopeKind.WIJK and not value:
            raise serializers.ValidationError("Geef de naam van de wijk.", code="required")
        return "" if kind == ScopeKind.ALL else value


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


def cells(query: dict) -> list[dict]:
    qs = AggregateCell.objects.filter(
        scope_kind=query["scopeKind"], scope_key=query["scopeKey"], period_kind=query["periodKind"],
        period_start=query["periodStart"],
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
                    "sturingsinformatie", f"{query['scopeKind']}:{query['scopeKey']}:{query['periodKind']}:"
                    f"{query['periodStart']:%Y-%m-%d}"[:64], purpose=PURPOSE)

    is_export = False


class AggregatesView(AggregatesBase):
    """The suppressed cells of one scope and period (paginated)."""

    serializer_class = CellSerializer

    @extend_schema(operation_id="aggregaten_list", parameters=[AggregateQuerySerializer],
                   responses=CellSerializer(many=True), summary="Aggregaten",
                   description="De cellen van één scope (alle teams, een team of een wijk) en één periode; kleine "
                               "aantallen zijn onderdrukt. Elke opvraging staat in het auditlog.")
    def get(self, request):
        query = parse_query(request, AggregateQuerySerializer)
        self.audit(request, query)
        page = self.paginate_queryset(cells(query))
        return self.get_paginated_response(page)


class AggregatesExportView(AggregatesBase):
    """The same cells as CSV (semicolon-separated, UTF-8 with BOM for spreadsheet programs)."""

    is_export = True
    serializer_class = CellSerializer

    @extend_schema(operation_id="aggregaten_export", parameters=[AggregateQuerySerializer],
                   responses={(200, "text/csv"): OpenApiTypes.STR}, summary="Aggregaten als CSV",
                   description="Dezelfde cellen als CSV (puntkomma's, UTF-8 met BOM voor spreadsheetprogramma's), "
                               "met dezelfde onderdrukking.")
    def get(self, request):
        query = parse_query(request, AggregateQuerySerializer)
        self.audit(request, query)
        rows = [["indicator", "key1", "key2", "key3", "count", "value", "base", "suppressed"]]
        for row in cells(query):
            rows.append([row["indicator"], row["key1"], row["key2"], row["key3"],
                         "<%d" % settings.WIJKREGIE["SMALL_CELL_THRESHOLD"] if row["count"] is None
                         and row["suppressed"] else row["count"] if row["count"] is not None else "",
                         "" if row["value"] is None else row["value"],
                         "" if row["base"] is None else row["base"], "ja" if row["suppressed"] else "nee"])
        response = HttpResponse(csv_bytes(rows), content_type=CSV_TYPE)
        response["Content-Disposition"] = (f'attachment; filename="wijkregie-{query["scopeKind"]}-'
                                           f'{query["periodKind"]}-{query["periodStart"]:%Y-%m-%d}.csv"')
        return response


class PeriodsView(AggregatesBase):
    """The periods for which aggregates have been computed, newest first."""

    serializer_class = PeriodSerializer

    @extend_schema(operation_id="aggregaten_perioden", responses=PeriodSerializer(many=True), summary="Perioden",
                   description="De perioden waarvoor aggregaten zijn berekend, de nieuwste eerst.")
    def get(self, request):
        rows = ReportPeriod.objects.order_by("-start_date", "kind").values_list("kind", "start_date")
        page = self.paginate_queryset([{"periodKind": kind, "periodStart": start} for kind, start in rows])
        return self.get_paginated_response(PeriodSerializer(page, many=True).data)
