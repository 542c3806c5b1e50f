"""Every change made in the admin is an event in the hash-chained audit log, not only in django_admin_log.

One mechanism for every model: the admin site (cases/admin_site.py) gives each registered model admin this
mixin (AdministratorAdmin has it already), so a model registered tomorrow is audited without anyone
remembering to. It hooks the points where Django writes its own LogEntry (log_addition, log_change,
log_deletions) and every admin action, and records who changed what, with before and after as a
structured diff of ids and codes. Values that are personal data or secrets (names, e-mail addresses,
telephone numbers, passwords, tokens, BSNs) appear only as {"changed": true}.
"""
from __future__ import annotations

import datetime as dt
import decimal
import uuid
from functools import wraps

from django.db import models

# Field names whose values never reach the audit log; a model admin can add its own (audit_redacted_fields).
REDACTED_FIELDS = frozenset({
    "first_name", "last_name", "email", "phone", "bsn", "bsn_encrypted", "date_of_birth", "token", "token_hash",
    "token_prefix", "pseudonym_key", "key", "bin_key", "secret", "otp_secret",
})


def is_redacted(name: str, extra=()) -> bool:
    return name in REDACTED_FIELDS or name in extra or "password" in name


def plain(value):
    """A value as JSON the audit chain can hash: model instances as their pk, collections as sorted lists."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (models.QuerySet, list, tuple, set, frozenset)):
        items = [plain(item) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, float, uuid.UUID)):
        return str(value)
    return str(value)


def _field(name: str, before, after, *, add: bool, redacted) -> dict:
    if is_redacted(name, redacted):
        return {"changed": True}
    return {"after": plain(after)} if add else {"before": plain(before), "after": plain(after)}


def form_changes(form, *, add: bool, redacted=()) -> dict:
    """Field -> before/after of a bound, valid form: every filled-in field for something new, else the changed ones."""
    data = getattr(form, "cleaned_data", {}) or {}
    if add:
        names = [name for name, value in data.items() if value not in (None, "", [], ())]
    else:
        names = list(form.changed_data)  # a password form reports "password", which is no field of it
    return {name: _field(name, form.initial.get(name), data.get(name), add=add, redacted=redacted)
            for name in names}


def object_state(obj, redacted=()) -> dict:
    """An object's concrete fields (ids for relations), for a deletion's "before"."""
    return {field.name: ({"changed": True} if is_redacted(field.name, redacted) else
                         {"before": plain(getattr(obj, field.attname))})
            for field in obj._meta.concrete_fields}


def _label(model) -> str:
    return model._meta.label_lower


def formset_changes(formsets, redacted=()) -> list[dict]:
    """The inlines saved with the form: what was added, changed and deleted in each."""
    changes = []
    for formset in formsets or ():
        new = {id(obj) for obj in getattr(formset, "new_objects", ())}
        changed = {id(obj) for obj, _ in getattr(formset, "changed_objects", ())}
        deleted = {id(obj) for obj in getattr(formset, "deleted_objects", ())}
        pk_name = formset.model._meta.pk.name
        for form in formset.forms:
            obj, key = form.instance, id(form.instance)
            if key in new:
                action, fields = "create", form_changes(form, add=True, redacted=redacted)
            elif key in changed:
                action, fields = "update", form_changes(form, add=False, redacted=redacted)
            elif key in deleted:
                action, fields = "delete", {}
            else:
                continue
            changes.append({"model": _label(formset.model), "id": plain(obj.pk or form.initial.get(pk_name)),
                            "action": action, "fields": fields})
    return changes


class AuditedAdminMixin:
    """Writes an audit event wherever the admin writes its LogEntry, and for every admin action."""

    audit_redacted_fields: tuple = ()

    def _audit(self, request, action, obj, changes: dict) -> None:
        from . import audit

        audit.record_change(audit.Actor.from_request(request), action, obj._meta.model_name, str(obj.pk),
                            changes={"model": _label(obj), **changes})

    def construct_change_message(self, request, form, formsets, add=False):
        # The one place that sees the form and inlines before and after: keep the diff for log_addition/log_change.
        request._audit_admin_changes = {
            "fields": form_changes(form, add=add, redacted=self.audit_redacted_fields),
            **({"related": related} if (related := formset_changes(formsets, self.audit_redacted_fields)) else {}),
        }
        return super().construct_change_message(request, form, formsets, add)

    def audited_by_service(self, request) -> None:
        """The save went through a service that recorded its own audit event: the admin's would repeat it."""
        request._audit_by_service = True

    def _audit_save(self, request, action, obj) -> None:
        changes = request.__dict__.pop("_audit_admin_changes", None) or {}
        if not request.__dict__.pop("_audit_by_service", False):
            self._audit(request, action, obj, changes)

    def log_addition(self, request, obj, message):
        from .models import AuditAction

        self._audit_save(request, AuditAction.CREATE, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        from .models import AuditAction

        self._audit_save(request, AuditAction.UPDATE, obj)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        from .models import AuditAction

        for obj in queryset:
            self._audit(request, AuditAction.DELETE, obj, {"fields": object_state(obj, self.audit_redacted_fields)})
        return super().log_deletions(request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {name: (func if name == "delete_selected" else _audited_action(func, name), name_, description)
                for name, (func, name_, description) in actions.items()}


def _audited_action(func, name: str):
    """An admin action, audited per selected object after it ran (its services audit what they change, too)."""

    @wraps(func)
    def action(modeladmin, request, queryset):
        from . import audit
        from .models import AuditAction

        selected = list(queryset.values_list("pk", flat=True))
        response = func(modeladmin, request, queryset)
        actor, model = audit.Actor.from_request(request), queryset.model
        for pk in selected:
            audit.record_change(actor, AuditAction.UPDATE, model._meta.model_name, str(pk),
                                changes={"model": _label(model), "admin_action": name})
        return response

    return action


def audited(admin_class):
    """The admin class itself when it is audited already, else a subclass with AuditedAdminMixin first."""
    if issubclass(admin_class, AuditedAdminMixin):
        return admin_class
    return type(admin_class.__name__, (AuditedAdminMixin, admin_class), {"__module__": admin_class.__module__})
