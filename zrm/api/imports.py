"""POST /api/v1/imports: bulk import of registrations (multipart upload of an XLSX file, a zip of CSV
files or one CSV file; docs/import-format.md).

Machine clients need the scope registratie.schrijven and may import only for their own teams; staff
may use their session when they are teamleider, for the teams they lead. A rejected file answers
400 problem details with one invalid-params entry per error, named `sheet[row].column`.
"""
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Role
from cases.selectors import led_teams, team_ids_of
from common.api.problems import problem, problem_for
from common.api.views import ProblemDetailsMixin, api_actor, parse_query
from common.models import Scope
from zrm.imports import ImportRejected, import_registrations

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class SheetSummarySerializer(serializers.Serializer):
    sheet = serializers.CharField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportWarningSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="sheet[row].column, bijvoorbeeld zrm-metingen[4].financien")
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    column = serializers.CharField()
    reason = serializers.CharField()


class ImportSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Aantal gegevensrijen in het bestand.")
    written = serializers.BooleanField(help_text="Onwaar bij dryRun: alleen gecontroleerd.")
    seconds = serializers.FloatField()
    sheets = SheetSummarySerializer(many=True)
    warnings = ImportWarningSerializer(many=True)


class DryRunField(serializers.BooleanField):
    TRUE_VALUES = serializers.BooleanField.TRUE_VALUES | {"ja", "Ja", "JA"}
    FALSE_VALUES = serializers.BooleanField.FALSE_VALUES | {"nee", "Nee", "NEE", ""}


class ImportQuerySerializer(serializers.Serializer):
    dryRun = DryRunField(required=False, default=False, help_text="Alleen controleren, niets opslaan.")


@problem_for(ImportRejected)
def _rejected(rejected: ImportRejected, request) -> Response:
    """A rejected file: 400 with one invalid parameter per error, named sheet[row].column."""
    params = [{"name": e.name, "code": "invalid", "reason": e.message, "sheet": e.sheet, "row": e.row,
               "column": e.column} for e in rejected.errors]
    return problem(400, detail=f"Het importbestand is geweigerd: {len(params)} fout(en); er is niets opgeslagen.",
                   invalid_params=params, instance=request.path, code="import_rejected")


def allowed_teams(request) -> set[int]:
    """The teams the caller may import for: a client's teams, or the teams a teamleider leads."""
    if getattr(request.user, "client", None) is not None:
        return team_ids_of(request.user)
    return set(led_teams(request.user).values_list("pk", flat=True))


class RegistrationImportView(ProblemDetailsMixin, APIView):
    required_scopes = Scope.REGISTRATION_WRITE
    staff_roles = (Role.TEAM_LEADER,)
    parser_classes = (MultiPartParser,)

    @extend_schema(
        operation_id="registraties_importeren",
        summary="Registraties importeren (CSV/XLSX)",
        description="Eén tabblad (XLSX) of één CSV-bestand (in een zip) per soort: huishoudens, personen, casussen, "
                    "zrm-metingen, trajecten; zie docs/import-format.md. Het hele bestand wordt eerst gecontroleerd; "
                    "bij een fout wordt niets opgeslagen en staat elke fout in invalid-params. Opnieuw importeren "
                    "maakt geen dubbele gegevens.",
        request={"multipart/form-data": inline_serializer(
            name="RegistratieImportBestand", fields={"file": serializers.FileField()})},
        parameters=[ImportQuerySerializer],
        responses={200: ImportSummarySerializer,
                   400: OpenApiResponse(description="Problem details; invalid-params per fout (tabblad, rij, kolom).")},
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return problem(400, detail="Stuur het importbestand mee in het veld 'file' (multipart/form-data).",
                           invalid_params=[{"name": "file", "code": "required", "reason": "Dit veld is verplicht."}],
                           instance=request.path)
        if upload.size > MAX_UPLOAD_BYTES:
            return problem(400, detail="Het bestand is te groot.", instance=request.path, invalid_params=[{
                "name": "file", "code": "too_large",
                "reason": f"Een importbestand is hoogstens {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; splits het bestand.",
            }])
        dry_run = parse_query(request, ImportQuerySerializer)["dryRun"]
        summary = import_registrations(upload, filename=upload.name, actor=api_actor(request),
                                       allowed_team_ids=allowed_teams(request), dry_run=dry_run)
        return Response(ImportSummarySerializer(summary.as_dict()).data)
