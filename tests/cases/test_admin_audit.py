"""Issue 15, finding 2: every change in the admin is an event in the hash-chained audit log.

Not only in django_admin_log: who changed what, with before and after as ids and codes, never a name,
e-mail address, telephone number, password or token. The tests walk every model the admin site has
registered, so a model registered tomorrow is covered too. They failed on the code before the change
(no admin change reached common.audit).
"""
import datetime as dt
import itertools
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from common import audit, audit_chain
from common.models import AuditEvent, AuditSeal
from tests.factories import OrganisationFactory, StaffFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """What a browser would send back for the admin's change form, unchanged."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.data.pop()
            self.data.append((name, value + data))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_values(html: str, model) -> dict:
    parser = _FormValues(f"{model._meta.model_name}_form")
    parser.feed(html)
    values: dict = {}
    for name, value in parser.data:
        values.setdefault(name, []).append(value.lstrip("\n") if name else value)
    return values


_numbers = itertools.count()


def an_object(model):
    """An instance of every registered model, made here when the migrations did not bring one."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from common.models import AccessGrantRequest, ApiClient
    from reporting.models import RebuildRun
    from zrm.models import AnchorText, Domain

    user, n = UserFactory(), next(_numbers)
    makers = {
        Group: lambda: Group.objects.create(name=f"Gebruikersgroep {n}"),
        TOTPDevice: lambda: TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True),
        AccessAttempt: lambda: AccessAttempt.objects.create(username=f"iemand{n}", ip_address="10.0.0.1",
                                                            user_agent="test", failures_since_start=1),
        AccessLog: lambda: AccessLog.objects.create(username="iemand", ip_address="10.0.0.1", user_agent="test"),
        AccessFailureLog: lambda: AccessFailureLog.objects.create(username="iemand", ip_address="10.0.0.1",
                                                                  user_agent="test", locked_out=False),
        AuditEvent: lambda: audit.record_call(audit.Actor(user=user), "read", "rapport", purpose=audit.PURPOSE_CASEWORK),
        ApiClient: lambda: __import__("common.services", fromlist=["x"]).create_api_client(
            name="CBS", scopes=["aggregaten.lezen"])[0],
        AccessGrantRequest: lambda: AccessGrantRequest.objects.create(
            kind="api_client", target_type="apiclient", after={"name": "K", "scopes": ["onderzoek.lezen"],
                                                                "teams": [], "active": True},
            requested_by=user, requested_at=timezone.now()),
        get_user_model(): lambda: user,
        RebuildRun: lambda: RebuildRun.objects.create(kind="full", trigger="test"),
        AnchorText: lambda: AnchorText.objects.create(domain=Domain.objects.order_by("pk")[n % Domain.objects.count()],
                                                      level=1 + n // Domain.objects.count() % 5,
                                                      text="Acute problematiek"),
    }
    if model._meta.label == "cases.StaffMembership":
        return StaffFactory()
    if model._meta.label == "cases.Team":
        return TeamFactory()
    if model._meta.label == "cases.Organisation":
        return OrganisationFactory()
    if model in makers:
        return makers[model]()
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"make an object of {model._meta.label} for this test"
    return obj


REGISTERED = sorted(model._meta.label for model in admin.site._registry)


def model_admin(label: str):
    return next((model, model_admin) for model, model_admin in admin.site._registry.items()
                if model._meta.label == label)


@pytest.fixture
def superuser_client(client):
    """A superuser sees every registered model (a beheerder sees those of the beheerder role)."""
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    client.user = user
    return client


def admin_events(model, obj_id, action):
    return AuditEvent.objects.filter(object_type=model._meta.model_name, object_id=str(obj_id), action=action,
                                     purpose=audit.PURPOSE_ADMIN)


def test_the_site_audits_every_registered_model_admin():
    from common.admin_audit import AuditedAdminMixin

    assert len(REGISTERED) > 15
    unaudited = [model._meta.label for model, model_admin in admin.site._registry.items()
                 if not isinstance(model_admin, AuditedAdminMixin)]
    assert unaudited == []


def test_a_model_registered_later_is_audited_too():
    from django.contrib.admin import ModelAdmin

    from cases.admin_site import WijkregieAdminSite
    from common.admin_audit import AuditedAdminMixin
    from common.models import AccessGrantRequest

    site = WijkregieAdminSite(name="proef")
    site.register(AccessGrantRequest, ModelAdmin)
    assert isinstance(site._registry[AccessGrantRequest], AuditedAdminMixin)


@pytest.mark.parametrize("label", REGISTERED)
def test_every_admin_change_and_deletion_is_an_audit_event(superuser_client, label):
    model, model_admin_ = model_admin(label)
    obj = an_object(model)
    request = RequestFactory().get("/")
    request.user = superuser_client.user
    changed = deleted = False
    if model_admin_.has_change_permission(request, obj):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        page = superuser_client.get(url)
        assert page.status_code == 200
        data = form_values(page.content.decode(), model)
        data["_save"] = "Opslaan"
        response = superuser_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
        assert admin_events(model, obj.pk, "update").count() == 1
        changed = True
    if model_admin_.has_delete_permission(request, obj):
        obj = an_object(model)
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[obj.pk])
        response = superuser_client.post(url, {"post": "yes"})
        assert response.status_code == 302
        event = admin_events(model, obj.pk, "delete").get()
        assert event.changes["model"] == model._meta.label_lower
        deleted = True
    if not (changed or deleted):  # read-only in the admin: nothing to change, nothing to add
        assert not model_admin_.has_add_permission(request)


def test_an_addition_records_the_new_values(client):
    from cases.models import Organisation

    staff = StaffFactory(administrator=True)
    client.force_login(staff.user)
    client.post(reverse("admin:cases_meldingsource_add"),
                {"code": "jongerenwerk", "label": "Jongerenwerk", "order": 20, "active": "on"})
    client.post(reverse("admin:cases_organisation_add"), {"name": "GGZ Noord"})
    organisation = Organisation.objects.get(name="GGZ Noord")
    event = admin_events(Organisation, organisation.pk, "create").get()
    assert event.user == staff.user and event.changes["fields"] == {"name": {"after": "GGZ Noord"}}
    source = AuditEvent.objects.get(object_type="meldingsource", action="create")
    assert source.changes["fields"]["code"] == {"after": "jongerenwerk"}


def test_a_list_edit_records_before_and_after(client):
    from cases.models import ClosureReason

    staff = StaffFactory(administrator=True)
    client.force_login(staff.user)
    reasons = list(ClosureReason.objects.order_by("order", "label"))
    data = {"form-TOTAL_FORMS": len(reasons), "form-INITIAL_FORMS": len(reasons), "_save": "Opslaan"}
    for index, reason in enumerate(reasons):
        data.update({f"form-{index}-id": reason.pk, f"form-{index}-order": reason.order,
                     f"form-{index}-active": "on" if reason.active else ""})
    data["form-0-order"] = reasons[0].order + 7
    response = client.post(reverse("admin:cases_closurereason_changelist"), data)
    assert response.status_code == 302
    event = admin_events(ClosureReason, reasons[0].pk, "update").get()
    assert event.changes["fields"] == {"order": {"before": reasons[0].order, "after": reasons[0].order + 7}}


def test_user_changes_leave_names_e_mail_and_passwords_out(client):
    staff = StaffFactory(administrator=True)
    client.force_login(staff.user)
    user = UserFactory(first_name="Fenna", last_name="Kuipers", email="f.kuipers@example.org")
    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), {
        "username": user.username, "first_name": "Femke", "last_name": "Kuiper", "email": "f.kuiper@example.org",
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    response = client.post(reverse("admin:auth_user_password_change", args=[user.pk]), {
        "password1": "nieuw-Wachtwoord-2026!", "password2": "nieuw-Wachtwoord-2026!", "usable_password": "true"})
    assert response.status_code == 302
    events = list(admin_events(get_user_model(), user.pk, "update").order_by("pk"))
    assert len(events) == 2
    assert events[0].changes["fields"]["first_name"] == {"changed": True}
    assert events[0].changes["fields"]["email"] == {"changed": True}
    assert events[1].changes["fields"] == {"password": {"changed": True}}
    text = str([event.changes for event in events])
    for secret in ("Fenna", "Femke", "Kuiper", "example.org", "Wachtwoord"):
        assert secret not in text


def test_an_admin_action_is_an_audit_event(client):
    from zrm.models import InstrumentVersion

    staff = StaffFactory(administrator=True)
    client.force_login(staff.user)
    version = InstrumentVersion.objects.filter(is_active=False).first()
    client.post(reverse("admin:zrm_instrumentversion_changelist"),
                {"action": "make_active", "_selected_action": [version.pk]})
    event = admin_events(InstrumentVersion, version.pk, "update").filter(changes__admin_action="make_active").get()
    assert event.user == staff.user


def test_the_operators_command_and_the_services_are_audited_too():
    import io

    from django.core.management import call_command

    from common.models import ApiClient
    from common.services import OPERATOR, rotate_api_client_token

    team = TeamFactory()
    call_command("create_api_client", "Koppeling", "--scopes", "registratie.lezen", "--teams", team.name,
                 stdout=io.StringIO())
    client = ApiClient.objects.get(name="Koppeling")
    created = admin_events(ApiClient, client.pk, "create").get()
    assert created.client == "beheer:create_api_client"
    assert created.changes["fields"]["scopes"] == {"before": None, "after": ["registratie.lezen"]}
    rotate_api_client_token(client=client, actor=OPERATOR)
    assert admin_events(ApiClient, client.pk, "update").get().changes["fields"] == {"token": {"changed": True}}


def test_admin_events_keep_the_chain_whole(client):
    staff = StaffFactory(administrator=True)
    client.force_login(staff.user)
    client.post(reverse("admin:cases_organisation_add"), {"name": "Thuiszorg Zuid"})
    audit_chain.seal_pending()  # as after the commit (the test runs inside one transaction)
    report = audit_chain.verify_chain()
    assert report.intact and report.unsealed == 0
    event = AuditEvent.objects.filter(changes__isnull=False).latest("pk")
    assert AuditSeal.objects.filter(event=event).exists()  # the seal's HMAC covers `changes` (audit_chain.event_fields)
    assert dt.date.today() - event.at.date() <= dt.timedelta(days=1)
