"""The beheerder sees every rebuild of the reporting figures, with its status and error (read-only)."""
from django.contrib import admin

from common.admin import AdministratorAdmin

from .models import RebuildRun


@admin.register(RebuildRun)
class RebuildRunAdmin(AdministratorAdmin):
    list_display = ("started_at", "kind", "status", "trigger", "scope", "duration_ms", "cells_written", "attempt",
                    "short_error")
    list_filter = ("status", "kind")
    fields = ("kind", "status", "trigger", "scope", "started_at", "finished_at", "duration_ms", "cells_written",
              "attempt", "task_id", "error")
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="fout")
    def short_error(self, obj):
        return (obj.error[:120] + "…") if len(obj.error) > 120 else (obj.error or "–")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
