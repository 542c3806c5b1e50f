"""Two-factor authentication for every staff session (settings.REQUIRE_2FA)."""
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

EXEMPT_PREFIXES = ("/inloggen", "/uitloggen", "/tweestapsverificatie", "/static/")


class RequireTwoFactorMiddleware:
    """A signed-in user who has not passed the second factor reaches only the 2FA pages.

    Runs after django_otp's OTPMiddleware, which sets request.user.is_verified().
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"type": "https://www.rfc-editor.org/rfc/rfc9110#status.403", "title": "Geen toegang.",
                     "status": 403, "detail": "Rond eerst de tweestapsverificatie af."},
                    status=403, content_type="application/problem+json",
                )
            name = "otp_verify" if user_has_device(user) else "otp_setup"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
