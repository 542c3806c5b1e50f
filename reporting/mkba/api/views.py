"""POST /api/v1/mkba/berekeningen: an input document in, the MKBA result out (or problem details).

Machine clients need scope mkba.lezen (common.api.scopes.ScopePermission); staff sessions need role gemeente,
beheerder or teamleider (cases.permissions.StaffRolePermission). The calculation is
services.calculate_document, the same as `manage.py mkba_calculate`.
"""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.permissions import StaffRolePermission
from cases.models import Role
from common.api.problems import problem, problem_for
from common.api.scopes import ScopePermission
from common.models import Scope

from .. import services
from ..calculation import InvalidInput
from .serializers import MkbaInputSerializer, MkbaResultSerializer


@problem_for(InvalidInput)
def _invalid_input(exc: InvalidInput, request) -> Response:
    """An input document with problems: 400, each under its dotted path with a stable code."""
    params = [{"name": issue.path or "nonFieldErrors", "code": issue.code, "reason": issue.message}
              for issue in exc.issues]
    detail = params[0]["reason"] if len(params) == 1 else "Het invoerdocument bevat fouten; zie invalid-params."
    return problem(400, detail=detail, invalid_params=params, instance=request.path)


class CalculationView(APIView):
    permission_classes = [IsAuthenticated, ScopePermission, StaffRolePermission]
    required_scopes = Scope.MKBA_READ
    staff_roles = (Role.MUNICIPALITY, Role.ADMINISTRATOR, Role.TEAM_LEADER)

    @extend_schema(
        operation_id="mkba_berekeningen_create",
        summary="Bereken een MKBA",
        description="Neemt een invoerdocument (zie reporting/mkba/calculation.py) en geeft de contante waarden van "
                    "kosten en baten, saldi, ratio's en de verdeling over actoren terug. Niets wordt opgeslagen.",
        request=MkbaInputSerializer,
        responses={200: MkbaResultSerializer, 400: OpenApiResponse(description="problem details met invalid-params")},
    )
    def post(self, request):
        return Response(services.calculate_document(request.data))
