from django.apps import AppConfig


class ZrmConfig(AppConfig):
    name = "zrm"
    verbose_name = "Zelfredzaamheid-Matrix"

    def ready(self):
        from . import case_extensions

        case_extensions.register()  # what the casus pages, plans and exports of cases read from zrm
