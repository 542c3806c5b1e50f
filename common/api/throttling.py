"""API throttles: every caller is counted, machine client, staff session and failed token alike.

- ApiClientRateThrottle: per machine client, API_CLIENT_RATE (default 1200/min).
- StaffSessionRateThrottle: per staff member calling the API with a session, STAFF_API_RATE (default 600/min).
- InvalidTokenThrottle: failed token attempts per source address, API_INVALID_TOKEN_RATE (default 20/hour).
  Authentication fails before DRF runs the view's throttles, so ApiClientAuthentication asks this one itself:
  an address over the limit gets 429 before its token is even looked at, whatever the token.

The source address is REMOTE_ADDR, or behind WIJKREGIE_TRUSTED_PROXIES reverse proxies the address they
report (REST_FRAMEWORK NUM_PROXIES), so a client cannot pick its own address with X-Forwarded-For.
"""
from rest_framework.throttling import SimpleRateThrottle


class ApiClientRateThrottle(SimpleRateThrottle):
    """Per machine client: API_CLIENT_RATE requests (default 1200/min)."""

    scope = "api_client"

    def get_cache_key(self, request, view):
        client = getattr(request.user, "client", None)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}


class StaffSessionRateThrottle(SimpleRateThrottle):
    """Per signed-in staff member calling the API with a session: STAFF_API_RATE (default 600/min)."""

    scope = "staff_session"

    def get_cache_key(self, request, view):
        user = request.user
        if getattr(user, "client", None) is not None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class InvalidTokenThrottle(SimpleRateThrottle):
    """Failed token attempts per source address (used by common.api.authentication, not as a view throttle)."""

    scope = "invalid_token"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request) -> None:
        self.key = self.get_cache_key(request)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def blocked(self, request) -> bool:
        """Has this address used up its failed attempts? (self.wait() then says for how long.)"""
        self._load(request)
        return len(self.history) >= self.num_requests

    def record_failure(self, request) -> None:
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
