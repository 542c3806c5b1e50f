"""What every API view shares: who acts (for the audit log) and problem details for every error."""
from common.audit import Actor
from common.models import Scope

from .problems import problem_details_handler


def api_actor(request) -> Actor:
    actor = Actor.from_request(request)
    if actor.client == "web":  # a staff session through the API
        return Actor(user=request.user, client="api (sessie)", source_ip=actor.source_ip)
    return actor


class ProblemDetailsMixin:
    # Machine clients need a registration scope (and see only their teams, via team_ids_of).
    required_scopes = {"read": Scope.REGISTRATION_READ, "write": Scope.REGISTRATION_WRITE}

    def get_exception_handler(self):
        return problem_details_handler
