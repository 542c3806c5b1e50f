"""Functioneel beheer of the ZRM: the active version, domains (aliases), licensed anchor texts.

Measurements are deliberately not registered: a beheerder configures, but does not read case content.
"""
from django.contrib import admin, messages

from common.admin import AdministratorAdmin
from common.audit import Actor

from . import services
from .models import AnchorText, Domain, DomainMapping, InstrumentVersion, LevelLabel


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LevelInline(ReadOnlyInline):
    model = LevelLabel
    fields = ("level", "label")
    readonly_fields = fields


class DomainInline(ReadOnlyInline):
    model = Domain
    fields = ("order", "code", "name", "cluster", "is_child_module")
    readonly_fields = fields


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(AdministratorAdmin):
    """The versions ship as data; the beheerder chooses the municipality's active one (action)."""

    list_display = ("name", "code", "year", "is_active", "domain_count")
    readonly_fields = ("instrument", "code", "name", "year", "is_active")
    inlines = (LevelInline, DomainInline)
    actions = ("make_active",)

    @admin.display(description="domeinen")
    def domain_count(self, obj):
        return obj.domains.count()

    @admin.action(description="Maak de gekozen versie de actieve versie van de gemeente")
    def make_active(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Kies precies één versie.", level=messages.ERROR)
            return
        version = services.set_active_version(actor=Actor.from_request(request), version=queryset.get())
        self.message_user(request, f"{version.name} is nu de actieve versie. Bestaande metingen houden hun versie.")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Domain)
class DomainAdmin(AdministratorAdmin):
    list_display = ("name", "version", "code", "order", "cluster", "is_child_module")
    list_filter = ("version", "cluster", "is_child_module")
    list_select_related = ("version",)
    fields = ("version", "code", "name", "order", "cluster", "is_child_module", "aliases")
    readonly_fields = ("version", "code", "name", "order", "cluster", "is_child_module")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnchorText)
class AnchorTextAdmin(AdministratorAdmin):
    """Licensed texts (© GGD Amsterdam); bulk loading: `manage.py import_zrm_anchors FILE.csv`."""

    list_display = ("domain", "version", "level")
    list_filter = ("domain__version",)
    list_select_related = ("domain__version",)

    @admin.display(description="versie")
    def version(self, obj):
        return obj.domain.version.name


@admin.register(DomainMapping)
class DomainMappingAdmin(AdministratorAdmin):
    list_display = ("source", "source_version", "target", "target_version")
    list_select_related = ("source__version", "target__version")

    @admin.display(description="van versie")
    def source_version(self, obj):
        return obj.source.version.name

    @admin.display(description="naar versie")
    def target_version(self, obj):
        return obj.target.version.name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
