from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


class CommonConfig(AppConfig):
    """The bottom layer: what every app shares and no domain owns (API conventions and problem details,
    API-client authentication and scopes, the audit log, export helpers, validators). Imports no other app."""

    name = "common"
    verbose_name = "Auditlog en koppelingen"

    def ready(self):
        post_migrate.connect(seal_after_migrate, sender=self, dispatch_uid="common.seal_after_migrate")
        from .services import register_grants

        register_grants()  # four eyes on API clients with personal data (common.grants)


def seal_after_migrate(sender, apps=None, using=DEFAULT_DB_ALIAS, verbosity=1, **kwargs):
    """Seal what the migrations queued (the rows of an older log, common/migrations/0002) right away."""
    if apps is None:  # sent by flush: the current models
        return
    try:
        event, _ = apps.get_model("common", "AuditEvent"), apps.get_model("common", "AuditSeal")
    except LookupError:
        return  # migrated back to before the seals
    if using != DEFAULT_DB_ALIAS or any(f.name == "row_hash" for f in event._meta.fields):
        return  # another database, or the old chain columns still there: not the schema the sealer reads
    from .audit_chain import seal_pending  # models are loaded only once the app registry is ready

    sealed = seal_pending()
    if sealed and verbosity:
        print(f"  Auditlog: {sealed} regels verzegeld.")
