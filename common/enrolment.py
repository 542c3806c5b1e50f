"""One-time enrolment codes: an account links its first authenticator app only with a code a beheerder issued.

Without one, anyone who learned an account's password could link their own authenticator app to it and so
hold both factors. The beheerder issues a code (admin action on the user list, or `manage.py
issue_enrolment_code` for the very first beheerder), hands it over outside Wijkregie (in person, by phone),
and the account's owner types it before the QR code is shown (cases.account_views.otp_setup).

A code is shown once and stored only as an HMAC (keyed with SECRET_KEY); it works once, for that account
only, until ENROLMENT_CODE_HOURS after issue. Issuing a new code voids the earlier unused ones. A beheerder
never issues a code for their own account. Issuing and redeeming are audited.
"""
from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import audit
from .models import AuditAction, EnrolmentCode

# No 0/O, 1/I/L: read out over the phone without mistakes. 12 characters: 60 bits, not guessable online.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_LENGTH = 3, 4
PURPOSE = audit.PURPOSE_ADMIN  # issuing and redeeming enrolment codes is functioneel beheer


def _hours() -> int:
    return settings.WIJKREGIE.get("ENROLMENT_CODE_HOURS", 24)


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _hash(code: str) -> str:
    return salted_hmac("wijkregie.enrolment-code", _normalise(code), algorithm="sha256").hexdigest()


def has_authenticator(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def issue_enrolment_code(*, user, issued_by, actor: audit.Actor) -> str:
    """A new code for `user`'s first authenticator enrolment, returned this once (only its HMAC is kept).

    Refused for the issuer's own account, for an inactive account and for one that has an authenticator.
    """
    if issued_by is not None and issued_by.pk == user.pk:
        raise ValidationError("U kunt geen inschrijfcode voor uw eigen account uitgeven; vraag een andere beheerder.",
                              code="own_account")
    if not user.is_active:
        raise ValidationError("Dit account is niet actief.", code="inactive")
    if has_authenticator(user):
        raise ValidationError("Dit account heeft al een authenticator-app. Verwijder die eerst als de "
                              "medewerker een nieuwe telefoon heeft.", code="enrolled")
    code = "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    now = timezone.now()
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
        EnrolmentCode.objects.create(user=user, code_hash=_hash(code), issued_by=issued_by,
                                     expires_at=now + dt.timedelta(hours=_hours()))
        audit.record_call(actor, AuditAction.CREATE, "inschrijfcode", str(user.pk), purpose=PURPOSE)
    return code


def redeem_enrolment_code(*, user, code: str, actor: audit.Actor) -> bool:
    """True, once, for an unexpired, unused code issued for this user; the code is spent. False otherwise."""
    if not _normalise(code):
        return False
    now = timezone.now()
    with transaction.atomic():
        # One conditional UPDATE: two requests racing with the same code cannot both spend it.
        spent = EnrolmentCode.objects.filter(
            user=user, code_hash=_hash(code), used_at__isnull=True, expires_at__gt=now,
        ).update(used_at=now)
        if spent:
            audit.record_call(actor, AuditAction.UPDATE, "inschrijfcode", str(user.pk), purpose=PURPOSE)
    return bool(spent)
