"""Creating accounts, checking passwords, issuing API tokens and ending sessions."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    burn_verification_time,
    hash_password,
    needs_rehash,
    verify_password,
)
from clinic.errors import Conflict, Invalid
from clinic.localtime import utcnow
from clinic.models import ApiToken, Chiropractor, Role, User


def normalize_email(email: str) -> str:
    """Return the form in which an e-mail address is stored and compared."""
    return email.strip().lower()


def create_user(
    session: Session, email: str, password: str, role: Role, chiropractor: Chiropractor | None = None
) -> User:
    """Create an account; a chiropractor account is linked to its chiropractor."""
    email = normalize_email(email)
    if "@" not in email:
        raise Invalid("That is not an e-mail address.", fields={"email": "not an e-mail address"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
            fields={"password": f"at least {MIN_PASSWORD_LENGTH} characters"},
        )
    if (role is Role.CHIROPRACTOR) != (chiropractor is not None):
        raise Invalid("A chiropractor account must be linked to exactly one chiropractor.")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"An account for {email} already exists.")
    user = User(email=email, password_hash=hash_password(password), role=role.value)
    session.add(user)
    if chiropractor is not None:
        chiropractor.user = user
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    """Return the account with this e-mail address, if any."""
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active account if the password is right, else ``None``.

    Unknown, inactive and wrong-password cases cost the same time and look the same to the caller.
    """
    user = find_user(session, email)
    if user is None:
        burn_verification_time(password)
        return None
    if not verify_password(user.password_hash, password):
        user.failed_login_count += 1
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_login_count = 0
    user.last_login_at = utcnow()
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every session cookie the account holds, on every device."""
    user.session_version += 1


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end the account's other sessions."""
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
            fields={"password": f"at least {MIN_PASSWORD_LENGTH} characters"},
        )
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)


def hash_token(token: str) -> str:
    """Return the stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(session: Session, user: User) -> str:
    """Create a new API token for ``user`` and return it; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=hash_token(token)))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """Return the active account an unrevoked API token belongs to, else ``None``."""
    api_token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if api_token is None or not api_token.user.is_active:
        return None
    return api_token.user
