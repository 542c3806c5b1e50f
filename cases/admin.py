"""Functioneel beheer: organisations, teams, staff, code lists, users, and the audit log (read-only).

Persons, households and cases are deliberately not registered: a beheerder configures the
system but has no need to know case content.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .admin_site import is_administrator
from . import services
from .models import (
    TEAM_ROLES,
    ApiClient,
    AuditEvent,
    ClosureReason,
    InterventionType,
    Scope,
    MeldingSource,
    Organisation,
    StaffMembership,
    Team,
)


class AdministratorAdmin(admin.ModelAdmin):
    """Rights come from the beheerder role, not from Django's per-model permissions.

    Other apps' configuration models can inherit from this to be managed by beheerders.
    """

    def has_module_permission(self, request):
        return is_administrator(request)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request)

    def has_add_permission(self, request):
        return is_administrator(request)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request)


class AdministratorInlineMixin:
    """The same for inlines: `class MyInline(AdministratorInlineMixin, admin.TabularInline)`."""

    def has_view_permission(self, request, obj=None):
        return is_administrator(request)

    def has_add_permission(self, request, obj=None):
        return is_administrator(request)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request)


@admin.register(Organisation)
class OrganisationAdmin(AdministratorAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(AdministratorAdmin):
    list_display = ("name", "municipality", "areas")
    list_filter = ("municipality",)
    search_fields = ("name", "municipality")

    @admin.display(description="werkgebied")
    def areas(self, obj):
        return ", ".join(obj.postcode_areas)


class StaffMembershipForm(forms.ModelForm):
    class Meta:
        model = StaffMembership
        fields = ("user", "team", "role", "fte", "discipline", "home_organisation", "phone", "active")

    def clean(self):
        data = super().clean()
        if data.get("role") in [r.value for r in TEAM_ROLES] and not data.get("team"):
            self.add_error("team", "Een sociaal werker of teamleider hoort bij een team.")
        return data


@admin.register(StaffMembership)
class StaffMembershipAdmin(AdministratorAdmin):
    form = StaffMembershipForm
    list_display = ("user", "team", "role", "fte", "discipline", "home_organisation", "active")
    list_filter = ("role", "team", "active", "home_organisation")
    list_select_related = ("user", "team", "home_organisation")
    search_fields = ("user__username", "user__first_name", "user__last_name", "discipline")
    autocomplete_fields = ("user",)


class CodeListAdmin(AdministratorAdmin):
    list_display = ("label", "code", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("active",)
    search_fields = ("label", "code")
    prepopulated_fields = {"code": ("label",)}

    def has_delete_permission(self, request, obj=None):
        # Codes are referenced by cases and reports: deactivate instead of deleting.
        return False


admin.site.register(MeldingSource, CodeListAdmin)
admin.site.register(ClosureReason, CodeListAdmin)
admin.site.register(InterventionType, CodeListAdmin)


class StaffMembershipInline(AdministratorInlineMixin, admin.TabularInline):
    model = StaffMembership
    form = StaffMembershipForm
    extra = 0
    fields = ("team", "role", "fte", "discipline", "home_organisation", "phone", "active")


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)

SUPERUSER_ONLY_FIELDS = {"is_superuser", "groups", "user_permissions"}


@admin.register(User)
class StaffUserAdmin(AdministratorAdmin, UserAdmin):
    """Accounts of staff. A beheerder cannot grant superuser rights or edit a superuser."""

    inlines = (StaffMembershipInline,)
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_superuser")
    list_filter = ("is_active", "is_superuser", "memberships__role")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in SUPERUSER_ONLY_FIELDS)})
            for name, options in fieldsets
        ]

    def _touches_superuser(self, request, obj) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._touches_superuser(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._touches_superuser(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(AdministratorAdmin):
    """The audit log, read-only. Persons and cases appear by id only, never by name."""

    list_display = ("at", "user", "client", "action", "object_type", "object_id", "case_ref", "person_ref",
                    "purpose", "source_ip")
    list_filter = ("action", "object_type", "at", "client")
    list_select_related = ("user",)
    search_fields = ("=object_id",)
    search_help_text = "Zoek op het id van het object (exacte waarde)."
    fields = ("at", "user", "on_behalf_of", "client", "action", "object_type", "object_id", "case_ref", "person_ref",
              "purpose", "source_ip")
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="casus", ordering="case_id")
    def case_ref(self, obj):
        return obj.case_id or "–"

    @admin.display(description="persoon (id)", ordering="person_id")
    def person_ref(self, obj):
        return obj.person_id or "–"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple, label="Scopes")

    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "teams", "active"]

    def clean(self):
        data = super().clean()
        registration = {Scope.REGISTRATION_READ, Scope.REGISTRATION_WRITE} & set(data.get("scopes") or [])
        if registration and not data.get("teams"):
            self.add_error("teams", "Een registratie-scope geldt alleen voor genoemde teams: kies teams.")
        return data


@admin.register(ApiClient)
class ApiClientAdmin(AdministratorAdmin):
    """Machine clients. The token is shown once, after creating or rotating; only its hash is stored."""

    form = ApiClientForm
    list_display = ["name", "scope_list", "active", "created_at", "last_used_at"]
    list_filter = ["active"]
    filter_horizontal = ["teams"]
    readonly_fields = ["token_prefix", "created_at", "created_by", "last_used_at"]
    actions = ["rotate_token"]

    @admin.display(description="Scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit log refers to clients by name

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        client, token = services.create_api_client(
            name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
            teams=form.cleaned_data["teams"], created_by=request.user,
        )
        obj.pk = client.pk
        obj.__dict__.update(client.__dict__)
        messages.warning(request, f"Token voor {client.name} (wordt niet opnieuw getoond): {token}")

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.action(description="Nieuw token uitgeven (het oude vervalt)")
    def rotate_token(self, request, queryset):
        for client in queryset:
            token = services.rotate_api_client_token(client=client)
            messages.warning(request, f"Nieuw token voor {client.name} (wordt niet opnieuw getoond): {token}")
