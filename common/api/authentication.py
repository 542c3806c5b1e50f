"""Token authentication for machine clients (ApiClient). Staff use their session instead."""
from __future__ import annotations

import hmac

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from common.models import ApiClient
from common.services import hash_token

from .throttling import InvalidTokenThrottle


class ApiClientPrincipal:
    """request.user for a machine client: authenticated, no Django user, carries the client."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, client: ApiClient):
        self.client = client

    def get_username(self) -> str:
        return f"api:{self.client.name}"

    def __str__(self):
        return self.get_username()


class ApiClientAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`)."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="ignore").lower() not in self.keywords:
            return None
        # Every failed attempt counts against the source address; over the limit, no token is even looked at.
        throttle = InvalidTokenThrottle()
        if throttle.blocked(request):
            raise exceptions.Throttled(throttle.wait())
        if len(header) != 2:
            throttle.record_failure(request)
            raise exceptions.AuthenticationFailed(_("Ongeldige Authorization-header."))
        token = header[1].decode(errors="ignore")
        digest = hash_token(token)
        client = ApiClient.objects.filter(token_prefix=token[:8], active=True).first()
        if client is None or not hmac.compare_digest(client.token_hash, digest):
            throttle.record_failure(request)
            raise exceptions.AuthenticationFailed(_("Onbekend of ingetrokken token."))
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return ApiClientPrincipal(client), client

    def authenticate_header(self, request):
        return 'Bearer realm="wijkregie"'


try:  # Describe the token scheme in the OpenAPI document.
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
        target_class = "common.api.authentication.ApiClientAuthentication"
        name = "apiClientToken"

        def get_security_definition(self, auto_schema):
            return {"type": "http", "scheme": "bearer",
                    "description": "Token van een API-client (aangemaakt door de functioneel beheerder)."}
except ImportError:  # pragma: no cover - drf-spectacular is a requirement
    pass
