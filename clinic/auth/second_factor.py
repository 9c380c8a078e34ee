"""Time-based one-time codes (TOTP, RFC 6238) as a second login factor.

Pure Python: no Flask, no database; the caller stores the secret and the last accepted time step.
"""
from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
import segno

ISSUER = "MoveWell Chiropractie"
# Accept the previous and next 30-second step too: phone clocks drift and typing takes time.
ACCEPTED_STEPS = (-1, 0, 1)
CODE_DIGITS = 6


def new_secret() -> str:
    """Return a fresh random base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, email: str) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """Return the QR code of ``uri`` as an SVG ``data:`` URI, fit for an ``<img src>``."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def accepted_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """Return the time step ``code`` belongs to, or ``None`` if the code is wrong or already used.

    A code is accepted once: its step must be later than ``last_step``, the step of the last
    code accepted for this secret. The comparison takes constant time.
    """
    code = "".join(code.split())
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current + offset for offset in ACCEPTED_STEPS):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def formatted_secret(secret: str) -> str:
    """Return the secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
