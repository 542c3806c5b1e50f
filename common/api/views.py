"""What every API view shares: who acts (for the audit log), input and query serializers, and problem details
for every error."""
from common.audit import Actor
from common.models import Scope

from .problems import InvalidQuery, problem_details_handler


def api_actor(request) -> Actor:
    actor = Actor.from_request(request)
    if actor.client == "web":  # a staff session through the API
        return Actor(user=request.user, client="api (sessie)", source_ip=actor.source_ip)
    return actor


def parse_query(request, serializer_class, **context) -> dict:
    """The query parameters through a query serializer (one value per key, as sent: an empty value is not a
    missing one); a bad one is a 400 problem naming every parameter (InvalidQuery)."""
    serializer = serializer_class(data=request.query_params.dict(), context={"request": request, **context})
    if not serializer.is_valid():
        raise InvalidQuery(serializer.errors)
    return serializer.validated_data


class ProblemDetailsMixin:
    # Machine clients need a registration scope (and see only their teams, via team_ids_of).
    required_scopes = {"read": Scope.REGISTRATION_READ, "write": Scope.REGISTRATION_WRITE}
    input_serializer = None  # the serializer get_input used: the handler names service errors by its sources
    unresolved: list[dict] | tuple = ()  # lookups deferred by get_input's serializer (common/api/fields.py)

    def get_exception_handler(self):
        return problem_details_handler

    def get_input(self, serializer_class, *, partial: bool = False, **context) -> dict:
        """The request body through an input serializer (with the request and `context` for its lookups); a
        bad one raises, and leaves as a 400 problem naming every field."""
        self.unresolved = []
        self.input_serializer = serializer_class(
            data=self.request.data, partial=partial,
            context={"request": self.request, "view": self, **context, "unresolved": self.unresolved})
        self.input_serializer.is_valid(raise_exception=True)
        return self.input_serializer.validated_data
