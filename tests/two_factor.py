"""Test helpers for the second factor: a real TOTP device, real codes, the real session marker.

`force_login` already skips the password step of a login; the test client below also completes the second
step the way the 2FA page does (django_otp.login with a confirmed device), so tests of other features can log
in privileged personas. Tests of 2FA itself use `django.test.Client` and go through the pages.
"""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.accounts.policy import requires_two_factor


def enrolled_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now (or for the next step if this one was used already)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:  # django-otp refuses a code twice: use the next window (tolerance 1)
        totp.time += device.step * (device.last_t - totp.t() + 1)
    return f"{totp.token():0{device.digits}d}"


def code_for_key(hex_key: str) -> str:
    from binascii import unhexlify

    totp = TOTP(unhexlify(hex_key))
    totp.time = time.time()
    return f"{totp.token():06d}"


class TwoFactorClient(Client):
    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if requires_two_factor(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = enrolled_device(user).persistent_id
            session.save()
