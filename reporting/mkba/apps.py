from django.apps import AppConfig


class MkbaConfig(AppConfig):
    name = "reporting.mkba"
    label = "mkba"
    verbose_name = "MKBA (maatschappelijke kosten-batenanalyse)"
