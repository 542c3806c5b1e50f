"""Sign-in's second step: set up a TOTP app once, then a six-digit code at every login."""
import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.audit import Actor
from common.enrolment import redeem_enrolment_code

from .forms import StyledFormMixin

# The session holds the id of the account whose enrolment code was accepted (it ends with the session).
ENROLMENT_SESSION_KEY = "wijkregie_enrolment_code_accepted"


class TokenForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label="Code uit uw authenticator-app", max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}),
        error_messages={"required": "Vul de zescijferige code in.", "min_length": "De code heeft zes cijfers.",
                        "max_length": "De code heeft zes cijfers."},
    )


class EnrolmentCodeForm(StyledFormMixin, forms.Form):
    enrolment_code = forms.CharField(
        label="Inschrijfcode van de functioneel beheerder", max_length=40,
        help_text="Twaalf letters en cijfers, bijvoorbeeld ABCD-EFGH-JKMN. U krijgt de code van de functioneel "
                  "beheerder, niet per e-mail.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": "Vul de inschrijfcode in."},
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"


@login_required
def otp_verify(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", "Deze code klopt niet of is verlopen. Probeer de volgende code.")
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def otp_setup(request):
    """First sign-in: link an authenticator app by scanning the QR code, then confirm with a code."""
    if user_has_device(request.user):
        return redirect("otp_verify")
    if request.session.get(ENROLMENT_SESSION_KEY) != request.user.pk:
        return _enrolment_code(request)
    device, _ = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False, defaults={"name": "Authenticator"})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", "Deze code klopt niet. Controleer de tijd op uw telefoon en probeer opnieuw.")
    svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).to_string()
    return render(request, "registration/otp_setup.html", {
        "form": form, "next": _next(request),
        "qr_data_uri": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
    })


def _enrolment_code(request):
    """Before the QR code: the one-time code a beheerder issued for this account (common.enrolment)."""
    form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if redeem_enrolment_code(user=request.user, code=form.cleaned_data["enrolment_code"],
                                 actor=Actor.from_request(request)):
            request.session[ENROLMENT_SESSION_KEY] = request.user.pk
            return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _next(request)})}")
        form.add_error("enrolment_code", "Deze inschrijfcode klopt niet, is al gebruikt of is verlopen. "
                                         "Vraag de functioneel beheerder om een nieuwe.")
    return render(request, "registration/otp_enrol.html", {"form": form, "next": _next(request)})
