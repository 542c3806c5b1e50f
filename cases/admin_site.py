"""The admin site at /beheer/: for functioneel beheerders (role `beheerder`) and superusers.

The role, not Django's is_staff flag, grants access. Installed through INSTALLED_APPS
("cases.admin_site.WijkregieAdminConfig" instead of "django.contrib.admin"), so every app's
`admin.site` is this site. No model imports at module level: Django loads this module while
the app registry is still being populated. Every registered model admin is audited (register below).
"""
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url
from django.urls import reverse

from common.admin_search import PostSearchMixin
from common.admin_audit import audited


def is_administrator(request) -> bool:
    """Active superuser, or active user with an active beheerder membership (cached per request)."""
    cached = getattr(request, "_wijkregie_is_administrator", None)
    if cached is not None:
        return cached
    user = request.user
    allowed = False
    if getattr(user, "is_authenticated", False) and user.is_active:
        if user.is_superuser:
            allowed = True
        else:
            from .models import Role
            from .selectors import roles_of

            allowed = Role.ADMINISTRATOR in roles_of(user)
    request._wijkregie_is_administrator = allowed
    return allowed


class WijkregieAdminSite(admin.AdminSite):
    site_header = "Wijkregie beheer"
    site_title = "Wijkregie beheer"
    index_title = "Functioneel beheer"

    def has_permission(self, request):
        return is_administrator(request)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every changelist here, third-party ones included, searches by POST (no search term in a URL), and every
        model admin writes its changes to the audit log (common.admin_audit), also one registered by a third-party
        app or tomorrow: the site gives it both mixins when it lacks them."""
        admin_class = audited(admin_class or admin.ModelAdmin)
        if not issubclass(admin_class, PostSearchMixin):
            admin_class = type(admin_class.__name__, (PostSearchMixin, admin_class),
                               {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        """Signed-in users without the role get 403 straight away (anonymous users go to the login page)."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            if (request.user.is_authenticated and not self.has_permission(request)
                    and request.path != reverse("admin:logout", current_app=self.name)):
                raise PermissionDenied("Alleen functioneel beheerders hebben toegang tot het beheer.")
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        """One login page for the whole app; signed-in users without the role get 403, not a second login."""
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.GET.get("next") or reverse("admin:index", current_app=self.name),
                                     resolve_url(settings.LOGIN_URL))
        if not self.has_permission(request):
            raise PermissionDenied("Alleen functioneel beheerders hebben toegang tot het beheer.")
        return super().login(request, extra_context)


class WijkregieAdminConfig(AdminConfig):
    default_site = "cases.admin_site.WijkregieAdminSite"
