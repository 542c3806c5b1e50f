"""Functioneel beheer of the shared models: the audit log (read-only), the API clients and the four-eyes
requests that grant access to personal data.

Who is a beheerder is the admin site's business (cases/admin_site.py: the beheerder role, not Django's
is_staff flag or per-model permissions); every model admin here asks its site. Every change made here is
an audit event (common.admin_audit, given to every model admin by the site).
"""
import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from . import enrolment, grants, services
from .admin_audit import AuditedAdminMixin
from .audit import Actor
from .models import PERSONAL_DATA_SCOPES, AccessGrantRequest, ApiClient, AuditEvent, GrantDecision, Scope


class AdministratorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Rights come from the beheerder role (the site's has_permission), not from Django's per-model permissions.

    Other apps' configuration models can inherit from this to be managed by beheerders. Every change is audited.
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
              "purpose", "source_ip", "change")
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="casus", ordering="case_id")
    def case_ref(self, obj):
        return obj.case_id or "–"

    @admin.display(description="persoon (id)", ordering="person_id")
    def person_ref(self, obj):
        return obj.person_id or "–"

    @admin.display(description="wijziging (functioneel beheer)")
    def change(self, obj):
        if obj.changes is None:
            return "–"
        return format_html("<pre>{}</pre>", json.dumps(obj.changes, indent=2, ensure_ascii=False, sort_keys=True))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FourEyesAdminMixin:
    """A model admin whose saves can grant access to personal data. `grant_request(request, obj, form, change)`
    turns such a save into a request (common.grants) and returns it: nothing is saved, and another beheerder
    approves or rejects it under Toegangsaanvragen. It returns None for an ordinary save."""

    def grant_request(self, request, obj, form, change):
        return None

    def save_model(self, request, obj, form, change):
        try:
            request._access_grant = self.grant_request(request, obj, form, change)
        except ValidationError as exc:
            request._access_grant = exc
        if request._access_grant is None:
            self.save_without_grant(request, obj, form, change)

    def save_without_grant(self, request, obj, form, change):
        super(FourEyesAdminMixin, self).save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "_access_grant", None) is None:
            super().save_related(request, form, formsets, change)

    def log_addition(self, request, obj, message):
        if getattr(request, "_access_grant", None) is None:  # else grants.submit recorded the request
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if getattr(request, "_access_grant", None) is None:
            return super().log_change(request, obj, message)

    def _grant_response(self, request):
        grant = request._access_grant
        if isinstance(grant, ValidationError):
            self.message_user(request, " ".join(grant.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)
        self.message_user(request, f"Aanvraag {grant.pk} ingediend: {grants.describe(grant)}. Dit gaat pas in als "
                                   f"een andere functioneel beheerder de aanvraag goedkeurt.", messages.WARNING)
        return HttpResponseRedirect(reverse("admin:common_accessgrantrequest_change", args=[grant.pk]))

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_access_grant", None) is not None:
            return self._grant_response(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "_access_grant", None) is not None:
            return self._grant_response(request)
        return super().response_change(request, obj)


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
class ApiClientAdmin(FourEyesAdminMixin, AdministratorAdmin):
    """Machine clients. The token is shown once, after creating or rotating; only its hash is stored.

    A client with a personal-data scope (registratie.*, onderzoek.lezen) needs four eyes: creating it, adding
    such a scope or a team, switching it back on and a new token are requests; the approving beheerder gets
    the token, once. Removing scopes or teams and switching a client off take effect at once.
    """

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

    def grant_request(self, request, obj, form, change):
        data = form.cleaned_data
        client = ApiClient.objects.get(pk=obj.pk) if change else None
        after = {"name": data["name"].strip(), "scopes": sorted(set(data["scopes"])),
                 "teams": sorted(team.pk for team in data["teams"]), "active": data.get("active", True)}
        if not services.grants_personal_data(services.api_client_state(client), after):
            return None
        return services.request_api_client(actor=Actor.from_request(request), client=client, **after)

    def save_without_grant(self, request, obj, form, change):
        if change:
            return super().save_without_grant(request, obj, form, change)
        client, token = services.create_api_client(
            name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
            teams=form.cleaned_data["teams"], created_by=request.user, actor=Actor.from_request(request),
        )
        obj.pk = client.pk
        obj.__dict__.update(client.__dict__)
        self.audited_by_service(request)
        messages.warning(request, f"Token voor {client.name} (wordt niet opnieuw getoond): {token}")

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.action(description="Nieuw token uitgeven (het oude vervalt)")
    def rotate_token(self, request, queryset):
        actor = Actor.from_request(request)
        for client in queryset:
            if client.active and PERSONAL_DATA_SCOPES & set(client.scopes):
                try:
                    grant = services.request_api_client_token(actor=actor, client=client)
                except ValidationError as exc:
                    messages.error(request, f"{client.name}: {' '.join(exc.messages)}")
                    continue
                messages.warning(request, f"Aanvraag {grant.pk}: een nieuw token voor {client.name} (persoonsgegevens) "
                                          "wordt uitgegeven aan de beheerder die de aanvraag goedkeurt.")
                continue
            token = services.rotate_api_client_token(client=client, actor=actor)
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


class DecisionForm(forms.Form):
    reason = forms.CharField(label="Toelichting (verplicht bij afwijzen)", required=False,
                             widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RequestedByMeFilter(admin.SimpleListFilter):
    title = "aanvrager"
    parameter_name = "van"

    def lookups(self, request, model_admin):
        return [("mij", "Mijn aanvragen"), ("anderen", "Aanvragen van anderen")]

    def queryset(self, request, queryset):
        if self.value() == "mij":
            return queryset.filter(requested_by=request.user)
        if self.value() == "anderen":
            return queryset.exclude(requested_by=request.user)
        return queryset


@admin.register(AccessGrantRequest)
class AccessGrantRequestAdmin(AdministratorAdmin):
    """Four eyes: the requests that grant access to personal data. Another beheerder than the requester approves
    (the grant takes effect) or rejects (with a reason); the requester follows the status here."""

    list_display = ("number", "requested_at", "kind_label", "summary", "requested_by", "decision", "decided_by",
                    "decided_at", "decide_link")
    list_display_links = ("number", "summary")
    list_filter = ("decision", RequestedByMeFilter, "kind")
    list_select_related = ("requested_by", "decided_by")
    fields = ("kind_label", "summary", "changes_table", "requested_by", "requested_at", "decision", "decided_by",
              "decided_at", "reason", "decide_link")
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="nr.", ordering="pk")
    def number(self, obj):
        return obj.pk

    @admin.display(description="soort")
    def kind_label(self, obj):
        return grants.kind_label(obj.kind)

    @admin.display(description="aanvraag")
    def summary(self, obj):
        return grants.describe(obj)

    @admin.display(description="wijziging")
    def changes_table(self, obj):
        rows = grants.diff(obj.before, obj.after)
        return format_html("<table>{}</table>", format_html_join(
            "", "<tr><th>{}</th><td>{}</td><td>→</td><td>{}</td></tr>",
            ((name, "–" if change["before"] is None else change["before"], change["after"])
             for name, change in rows.items())))

    @admin.display(description="beoordelen")
    def decide_link(self, obj):
        if obj.decision != GrantDecision.PENDING:
            return "–"
        return format_html('<a href="{}">Beoordelen</a>', reverse("admin:common_accessgrantrequest_decide",
                                                                 args=[obj.pk]))

    def has_add_permission(self, request):
        return False  # requests come from the screens that grant (API-clients, teamlidmaatschappen)

    def has_change_permission(self, request, obj=None):
        return False  # a decision goes through the decide view (common.grants), never a form over the row

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        decide = path("<path:object_id>/beoordelen/", self.admin_site.admin_view(self.decide_view),
                      name="common_accessgrantrequest_decide")
        return [decide, *super().get_urls()]

    def decide_view(self, request, object_id):
        grant = get_object_or_404(AccessGrantRequest, pk=object_id)
        form = DecisionForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "grant": grant, "form": form,
                   "title": f"Toegangsaanvraag {grant.pk} beoordelen", "summary": grants.describe(grant),
                   "own": grant.requested_by_id == request.user.pk, "changes": grants.diff(grant.before, grant.after)}
        status = 200
        if request.method == "POST" and form.is_valid():
            actor, reason = Actor.from_request(request), form.cleaned_data["reason"]
            try:
                if "approve" in request.POST:
                    outcome = grants.approve(actor=actor, request_id=grant.pk, reason=reason)
                    grant.refresh_from_db()
                    # The token is in this response only: never in a message, the session or the database.
                    response = TemplateResponse(request, "admin/common/accessgrantrequest/approved.html",
                                                {**context, "secret": outcome.secret,
                                                 "title": f"Toegangsaanvraag {grant.pk} goedgekeurd"})
                    response["Cache-Control"] = "no-store"
                    return response
                grants.reject(actor=actor, request_id=grant.pk, reason=reason)
                self.message_user(request, f"Aanvraag {grant.pk} afgewezen.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:common_accessgrantrequest_changelist"))
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                status = 400
        return TemplateResponse(request, "admin/common/accessgrantrequest/decide.html", context, status=status)
