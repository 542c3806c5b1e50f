"""Writes on the shared models: machine clients of the API (their tokens are stored only hashed)."""
from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import ApiClient, Scope


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_client(*, name: str, scopes: list[str], teams=(), created_by=None) -> tuple[ApiClient, str]:
    """Create a machine client. Returns it with its token, which is shown this once and stored only hashed.

    Registration scopes need at least one team: an integration never sees every team.
    """
    errors: dict = {}
    name = (name or "").strip()
    teams = list(teams)
    if not name:
        errors.setdefault("name", []).append("Geef de client een naam.")
    elif ApiClient.objects.filter(name=name).exists():
        errors.setdefault("name", []).append("Er is al een API-client met deze naam.")
    unknown = sorted(set(scopes) - set(Scope.values))
    if not scopes:
        errors.setdefault("scopes", []).append("Kies minstens één scope.")
    if unknown:
        errors.setdefault("scopes", []).append(f"Onbekende scope(s): {', '.join(unknown)}.")
    if {Scope.REGISTRATION_READ, Scope.REGISTRATION_WRITE} & set(scopes) and not teams:
        errors.setdefault("teams", []).append("Een registratie-scope geldt alleen voor genoemde teams: kies teams.")
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name, token_prefix=token[:8], token_hash=hash_token(token), scopes=sorted(set(scopes)),
            pseudonym_key=secrets.token_hex(32), created_by=created_by,
        )
        client.teams.set(teams)
    return client, token


def rotate_api_client_token(*, client: ApiClient) -> str:
    """Issue a new token; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    ApiClient.objects.filter(pk=client.pk).update(token_prefix=token[:8], token_hash=hash_token(token))
    return token
