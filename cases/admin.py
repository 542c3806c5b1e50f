"""Functioneel beheer: organisations, teams, staff, code lists and users (the audit log, the API
clients and the four-eyes requests are in common/admin.py).

Persons, households and cases are deliberately not registered: a beheerder configures the
system but has no need to know case content. A membership or role is a request that another
beheerder approves (cases.services.staff); every change here is an audit event (common.admin_audit).
"""
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError

from common.admin import AdministratorAdmin, AdministratorInlineMixin, FourEyesAdminMixin, issue_enrolment_codes
from common.audit import Actor

from .models import (
    ClosureReason,
    InterventionType,
    MeldingSource,
    Organisation,
    StaffMembership,
    Team,
)
from .services import staff as staff_services


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
        if data.get("role") in staff_services.TEAM_ROLE_VALUES and not data.get("team"):
            self.add_error("team", "Een sociaal werker of teamleider hoort bij een team.")
        if data.get("user") and data.get("role"):
            try:
                staff_services.check_separation_of_duties(user=data["user"], role=data["role"],
                                                          active=data.get("active", False), exclude=self.instance.pk)
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(StaffMembership)
class StaffMembershipAdmin(FourEyesAdminMixin, AdministratorAdmin):
    """A new membership, and another user, team or role or switching one back on, is a request that another
    beheerder approves (four eyes); fte, discipline, organisation, telephone and switching off are saved at once."""

    form = StaffMembershipForm
    list_display = ("user", "team", "role", "fte", "discipline", "home_organisation", "active")
    list_filter = ("role", "team", "active", "home_organisation")
    list_select_related = ("user", "team", "home_organisation")
    search_fields = ("user__username", "user__first_name", "user__last_name", "discipline")
    autocomplete_fields = ("user",)
    audit_redacted_fields = ("phone",)

    def grant_request(self, request, obj, form, change):
        membership = StaffMembership.objects.get(pk=obj.pk) if change else None
        before, after = staff_services.membership_state(membership), staff_services.state_from(form.cleaned_data)
        if not staff_services.grants_access(before, after):
            return None
        return staff_services.request_membership(actor=Actor.from_request(request), values=form.cleaned_data,
                                                 membership=membership)


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
    """The user's memberships, read-only: a membership or role is requested under Teamlidmaatschappen (four eyes)."""

    model = StaffMembership
    extra = 0
    fields = ("team", "role", "fte", "discipline", "home_organisation", "active")
    readonly_fields = fields
    verbose_name_plural = "teamlidmaatschappen (aanvragen via Teamlidmaatschappen, vier ogen)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)

SUPERUSER_ONLY_FIELDS = {"is_superuser", "groups", "user_permissions"}


@admin.register(User)
class StaffUserAdmin(AdministratorAdmin, UserAdmin):
    """Accounts of staff. A beheerder cannot grant superuser rights or edit a superuser."""

    inlines = (StaffMembershipInline,)
    actions = [issue_enrolment_codes]  # a first authenticator app needs a beheerder's one-time code
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
