from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Casussen"

    def ready(self):
        from .services.staff import register_grants

        register_grants()  # four eyes on staff memberships and roles (common.grants applies them through cases)
