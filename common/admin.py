"""Functioneel beheer of the shared models: the audit log (read-only) and the API clients.

Who is a beheerder is the admin site's business (cases/admin_site.py: the beheerder role, not Django's
is_staff flag or per-model permissions); every model admin here asks its site.
"""
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from . import enrolment, services
from .audit import Actor
from .models import ApiClient, AuditEvent, Scope


class AdministratorAdmin(admin.ModelAdmin):
    """Rights come from the beheerder role (the site's has_permission), not from Django's per-model permissions.

    Other apps' configuration models can inherit from this to be managed by beheerders.
    """

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)


class AdministratorInlineMixin:
    """The same for inlines: `class MyInline(AdministratorInlineMixin, admin.TabularInline)`."""

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)


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


@admin.action(description="Inschrijfcode voor tweestapsverificatie uitgeven", permissions=["change"])
def issue_enrolment_codes(modeladmin, request, queryset):
    """For the user admin: a one-time code per selected account (common.enrolment), shown on this page only."""
    issued, refused = [], []
    for user in queryset.order_by("username"):
        if user.is_superuser and not request.user.is_superuser:
            refused.append((user, "Alleen een superuser geeft een code uit voor een superuser."))
            continue
        try:
            code = enrolment.issue_enrolment_code(user=user, issued_by=request.user, actor=Actor.from_request(request))
        except ValidationError as exc:
            refused.append((user, " ".join(exc.messages)))
        else:
            issued.append((user, code))
    response = TemplateResponse(request, "admin/enrolment_codes.html", {
        **modeladmin.admin_site.each_context(request), "opts": modeladmin.opts,
        "title": "Inschrijfcodes voor tweestapsverificatie", "issued": issued, "refused": refused,
        "hours": settings.WIJKREGIE["ENROLMENT_CODE_HOURS"],
    })
    response["Cache-Control"] = "no-store"  # the codes are shown once: never from a cache or the back button
    return response
