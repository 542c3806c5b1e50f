"""Writes on the shared models: machine clients of the API (their tokens are stored only hashed).

A beheerder gives a client a personal-data scope only through four eyes (request_api_client, approved in
common.grants by another beheerder); create_api_client and rotate_api_client_token write directly and
serve the server operator's command (cases/management/commands/create_api_client.py), clients without
personal data and the approval itself.
"""
from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from . import audit, grants
from .models import PERSONAL_DATA_SCOPES, REGISTRATION_SCOPES, AccessGrantRequest, ApiClient, AuditAction, Scope

API_CLIENT_GRANT = "api_client"
# The server operator's command (cases/management/commands/create_api_client.py).
OPERATOR = audit.Actor(user=None, client="beheer:create_api_client")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _validate(name: str, scopes, teams, *, client: ApiClient | None = None) -> None:
    errors: dict = {}
    if not name:
        errors.setdefault("name", []).append("Geef de client een naam.")
    elif ApiClient.objects.filter(name=name).exclude(pk=getattr(client, "pk", None)).exists():
        errors.setdefault("name", []).append("Er is al een API-client met deze naam.")
    unknown = sorted(set(scopes) - set(Scope.values))
    if not scopes:
        errors.setdefault("scopes", []).append("Kies minstens één scope.")
    if unknown:
        errors.setdefault("scopes", []).append(f"Onbekende scope(s): {', '.join(unknown)}.")
    if REGISTRATION_SCOPES & set(scopes) and not teams:
        errors.setdefault("teams", []).append("Een registratie-scope geldt alleen voor genoemde teams: kies teams.")
    if errors:
        raise ValidationError(errors)


def _team_id(team) -> int:
    return int(getattr(team, "pk", team))


def api_client_state(client: ApiClient | None) -> dict | None:
    """What a client may do, as ids and codes: the before and after of a grant and of its audit event."""
    if client is None:
        return None
    return {"name": client.name, "scopes": sorted(client.scopes or []),
            "teams": sorted(client.teams.values_list("pk", flat=True)), "active": client.active}


def grants_personal_data(before: dict | None, after: dict) -> bool:
    """Does going from `before` to `after` give a client personal data it could not reach before? A new
    personal-data scope, another team for a registration scope, or switching such a client back on."""
    granted = PERSONAL_DATA_SCOPES & set(after["scopes"]) if after.get("active", True) else set()
    if not granted:
        return False
    held = PERSONAL_DATA_SCOPES & set(before["scopes"]) if before and before.get("active") else set()
    if granted - held:
        return True
    return bool(REGISTRATION_SCOPES & granted and set(after["teams"]) - set(before["teams"]))


def _operator_only(actor: audit.Actor | None, scopes) -> None:
    if actor is not None and actor.user is not None and PERSONAL_DATA_SCOPES & set(scopes or []):
        raise ValidationError("Een API-client met toegang tot persoonsgegevens vraagt goedkeuring van een tweede "
                              "beheerder: dien een aanvraag in.")


def create_api_client(*, name: str, scopes: list[str], teams=(), created_by=None,
                      actor: audit.Actor | None = None) -> tuple[ApiClient, str]:
    """Create a machine client. Returns it with its token, which is shown this once and stored only hashed.

    Registration scopes need at least one team: an integration never sees every team. A person (a web actor)
    never creates a client with a personal-data scope here: that is request_api_client (four eyes); the
    server operator's command (no actor) may.
    """
    name = (name or "").strip()
    teams = [_team_id(team) for team in teams]
    _validate(name, scopes, teams)
    _operator_only(actor, scopes)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name, token_prefix=token[:8], token_hash=hash_token(token), scopes=sorted(set(scopes)),
            pseudonym_key=secrets.token_hex(32), created_by=created_by,
        )
        client.teams.set(teams)
        if actor is not None:  # every caller in the application passes one (tests/architecture/test_access_grants.py)
            audit.record_change(actor, AuditAction.CREATE, "apiclient", str(client.pk),
                                changes={"fields": grants.diff(None, api_client_state(client))})
    return client, token


def _apply(client: ApiClient, state: dict) -> None:
    client.name, client.scopes, client.active = state["name"], state["scopes"], state["active"]
    client.save(update_fields=["name", "scopes", "active"])
    client.teams.set(state["teams"])


def rotate_api_client_token(*, client: ApiClient, actor: audit.Actor | None = None) -> str:
    """Issue a new token; the old one stops working at once. For a beheerder, a client with a personal-data
    scope gets a new token only through four eyes (request_api_client with rotate)."""
    _operator_only(actor, client.scopes)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiClient.objects.filter(pk=client.pk).update(token_prefix=token[:8], token_hash=hash_token(token))
        if actor is not None:
            audit.record_change(actor, AuditAction.UPDATE, "apiclient", str(client.pk),
                                changes={"fields": {"token": {"changed": True}}})
    return token


# --- Four eyes: a client with a personal-data scope ----------------------------------------------------

def request_api_client(*, actor: audit.Actor, name: str, scopes: list[str], teams=(), active: bool = True,
                       client: ApiClient | None = None) -> AccessGrantRequest:
    """Ask for a new client, or a change of `client`, that gives it personal data. Nothing changes until another
    beheerder approves (common.grants.approve); the approval issues the client a new token, shown once to the
    approver. A token with personal-data scopes is thus never in the hands of one beheerder alone."""
    name, teams = (name or "").strip(), sorted({_team_id(team) for team in teams})
    after = {"name": name, "scopes": sorted(set(scopes)), "teams": teams, "active": bool(active)}
    _validate(name, after["scopes"], teams, client=client)
    before = api_client_state(client)
    if not grants_personal_data(before, after):
        raise ValidationError("Alleen toegang tot persoonsgegevens gaat via een aanvraag; wijzig deze client direct.")
    if client is None and grants.pending(API_CLIENT_GRANT).filter(after__name=name).exists():
        raise ValidationError({"name": "Voor een client met deze naam wacht al een aanvraag op beoordeling."})
    return grants.submit(actor=actor, kind=API_CLIENT_GRANT, before=before, after=after,
                         target_id=str(client.pk) if client else "")


def request_api_client_token(*, actor: audit.Actor, client: ApiClient) -> AccessGrantRequest:
    """Ask for a new token of a client with a personal-data scope: approved, the token goes to the approver."""
    state = api_client_state(client)
    return grants.submit(actor=actor, kind=API_CLIENT_GRANT, before=state, after={**state, "token": "nieuw"},
                         target_id=str(client.pk))


def _apply_grant(request: AccessGrantRequest, actor: audit.Actor) -> grants.GrantOutcome:
    """Approve: the client as requested, with a new token (for the approver, once). Refused when the client
    changed since the request: the approver approves what is there now, or nothing."""
    after = {key: value for key, value in request.after.items() if key != "token"}
    token = secrets.token_urlsafe(32)
    if not request.target_id:
        _validate(after["name"], after["scopes"], after["teams"])
        client = ApiClient.objects.create(
            name=after["name"], token_prefix=token[:8], token_hash=hash_token(token), scopes=after["scopes"],
            pseudonym_key=secrets.token_hex(32), created_by=request.requested_by, active=after["active"],
        )
        client.teams.set(after["teams"])
        return grants.GrantOutcome(target_id=str(client.pk), action=AuditAction.CREATE, secret=token,
                                   changes={**grants.diff(None, after), "token": {"changed": True}})
    client = ApiClient.objects.select_for_update().filter(pk=request.target_id).first()
    if client is None or api_client_state(client) != request.before:
        raise ValidationError("De API-client is gewijzigd sinds de aanvraag; vraag opnieuw aan.")
    _validate(after["name"], after["scopes"], after["teams"], client=client)
    _apply(client, after)
    ApiClient.objects.filter(pk=client.pk).update(token_prefix=token[:8], token_hash=hash_token(token))
    return grants.GrantOutcome(target_id=str(client.pk), secret=token,
                               changes={**grants.diff(request.before, after), "token": {"changed": True}})


def _describe_grant(request: AccessGrantRequest) -> str:
    after = request.after
    what = "Nieuw token voor" if after.get("token") else ("Wijziging van" if request.target_id else "Nieuwe")
    team_model = ApiClient.teams.field.related_model  # cases.Team, without importing a higher layer
    names = sorted(team_model.objects.filter(pk__in=after["teams"]).values_list("name", flat=True))
    teams = f", teams {', '.join(names)}" if names else ""
    return f"{what} API-client '{after['name']}': scopes {', '.join(after['scopes'])}{teams}"


def register_grants() -> None:
    grants.register(grants.GrantKind(code=API_CLIENT_GRANT, label="API-client met persoonsgegevens",
                                     target_type="apiclient", apply=_apply_grant, describe=_describe_grant))
