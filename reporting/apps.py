from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Rapportage"

    def ready(self):
        # The layers below announce their writes by signals (they never import reporting); follow them.
        from cases.signals import case_changed, retention_applied
        from zrm.signals import measurement_finalised

        from . import receivers

        case_changed.connect(receivers.on_case_changed, dispatch_uid="reporting.on_case_changed")
        measurement_finalised.connect(receivers.on_measurement_finalised,
                                      dispatch_uid="reporting.on_measurement_finalised")
        retention_applied.connect(receivers.on_retention_applied, dispatch_uid="reporting.on_retention_applied")
