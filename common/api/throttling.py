from rest_framework.throttling import SimpleRateThrottle


class ApiClientRateThrottle(SimpleRateThrottle):
    """Per machine client: API_CLIENT_RATE requests (default 1200/min). Staff sessions are not throttled here."""

    scope = "api_client"

    def get_cache_key(self, request, view):
        client = getattr(request.user, "client", None)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
