from django.apps import AppConfig


class CommonConfig(AppConfig):
    """The bottom layer: what every app shares and no domain owns (API conventions and problem details,
    API-client authentication and scopes, the audit log, export helpers, validators). Imports no other app."""

    name = "common"
    verbose_name = "Auditlog en koppelingen"

    def ready(self):
        from .services import register_grants

        register_grants()  # four eyes on API clients with personal data (common.grants)
