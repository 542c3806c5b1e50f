from django.db import models


class TeamCaseCount(models.Model):
    """Open cases per team, recomputed by a Celery task (reporting.tasks.recount_open_cases)."""

    team = models.OneToOneField("cases.Team", on_delete=models.CASCADE, related_name="case_count")
    open_cases = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "aantal open casussen per team"
        verbose_name_plural = "aantallen open casussen per team"
