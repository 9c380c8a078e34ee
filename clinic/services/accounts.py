"""Creating accounts, checking passwords, issuing API tokens and ending sessions."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from clinic.auth import second_factor
from clinic.auth.lockout import is_locked, lockout_for
from clinic.auth.password_policy import DESCRIPTIONS, password_problems
from clinic.auth.passwords import burn_verification_time, hash_password, needs_rehash, verify_password
from clinic.errors import Conflict, Invalid, NotFound
from clinic.models import ApiToken, Chiropractor, Role, User
from clinic.roles import STAFF_ROLES


class WeakPassword(Invalid):
    """A new password breaks the password policy; ``codes`` says which rules."""

    code = "weak_password"

    def __init__(self, codes: list[str]):
        super().__init__(" ".join(DESCRIPTIONS[code] for code in codes), fields={"password": codes[0]})
        self.codes = codes


NAME_LENGTH = 120


def normalize_email(email: str) -> str:
    """Return the form in which an e-mail address is stored and compared."""
    return email.strip().lower()


def name_from_email(email: str) -> str:
    """Return a name made from an e-mail address's local part: "balie@…" → "Balie", "jan.de-vries@…" → "Jan De Vries"."""
    words = [word for word in re.split(r"[._+\-]+", email.split("@", 1)[0]) if word]
    return " ".join(word.capitalize() for word in words) or email


def clean_name(name: str) -> str:
    """Return the name as stored (spaces collapsed), or raise ``Invalid`` if it is blank or too long."""
    name = " ".join(name.split())
    if not name:
        raise Invalid("A name is required.", fields={"name": "blank_name"})
    if len(name) > NAME_LENGTH:
        raise Invalid(f"A name has at most {NAME_LENGTH} characters.", fields={"name": "name_too_long"})
    return name


def require_acceptable_password(password: str, email: str) -> None:
    """Raise ``WeakPassword`` unless ``password`` meets the policy for ``email``'s account."""
    problems = password_problems(password, email=email)
    if problems:
        raise WeakPassword(problems)


def create_user(
    session: Session, email: str, password: str, role: Role, chiropractor: Chiropractor | None = None,
    *, name: str | None = None,
) -> User:
    """Create an account; a chiropractor account is linked to its chiropractor and carries its name.

    Any other account is called ``name``, or, when it is None, after its e-mail address (``name_from_email``).
    """
    email = normalize_email(email)
    if "@" not in email:
        raise Invalid("That is not an e-mail address.", fields={"email": "not an e-mail address"})
    if chiropractor is not None:
        name = chiropractor.name
    name = clean_name(name_from_email(email) if name is None else name)
    require_acceptable_password(password, email)
    _require_link_fits(role, chiropractor)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"An account for {email} already exists.", fields={"email": "in_use"})
    _require_unlinked(chiropractor)
    user = User(email=email, name=name, password_hash=hash_password(password), role=role.value)
    session.add(user)
    if chiropractor is not None:
        chiropractor.user = user
    session.flush()
    return user


def rename_user(session: Session, user: User, name: str) -> None:
    """Give the account another name; a chiropractor's account renames its chiropractor too (one person, one name)."""
    user.name = clean_name(name)
    chiropractor = session.scalar(select(Chiropractor).where(Chiropractor.user_id == user.id))
    if chiropractor is not None:
        chiropractor.name = user.name
    session.flush()


def _require_link_fits(role: Role, chiropractor: Chiropractor | None) -> None:
    if (role is Role.CHIROPRACTOR) != (chiropractor is not None):
        raise Invalid("A chiropractor account must be linked to exactly one chiropractor.",
                      fields={"chiropractor": "required" if chiropractor is None else "only_for_chiropractors"})


def _require_unlinked(chiropractor: Chiropractor | None, account: User | None = None) -> None:
    if chiropractor is not None and chiropractor.user_id is not None and chiropractor.user is not account:
        raise Conflict(f"{chiropractor.name} already has an account.", fields={"chiropractor": "has_account"})


def change_role(
    session: Session, user: User, role: Role, chiropractor: Chiropractor | None, *, by: User, now: datetime
) -> None:
    """Give a staff account another role (a chiropractor role is linked to one chiropractor).

    Its sessions and API tokens end: they were granted with the old role's rights.

    :raises Invalid: (code ``own_account``) if ``by`` is the account itself: an admin never demotes
        themselves by a slip, so the clinic always keeps the admin who is acting; or if the role is
        not a staff role, or the chiropractor link does not fit the role.
    :raises Conflict: the chiropractor already has another account.
    """
    if by.id == user.id:
        raise Invalid("You cannot change your own role.", code="own_account")
    if role not in STAFF_ROLES or not user.is_staff:
        raise Invalid("Only staff accounts have these roles.", fields={"role": "not_a_staff_role"})
    _require_link_fits(role, chiropractor)
    _require_unlinked(chiropractor, user)
    previous = session.scalar(select(Chiropractor).where(Chiropractor.user_id == user.id))
    if previous is not None and previous is not chiropractor:
        previous.user = None
    user.role = role.value
    if chiropractor is not None:
        chiropractor.user = user
        user.name = chiropractor.name  # one person, one name: the account takes the chiropractor's
    end_all_sessions(user)
    revoke_api_tokens(session, user, now=now)
    session.flush()


def find_user(session: Session, email: str) -> User | None:
    """Return the account with this e-mail address, if any."""
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(session: Session, email: str, password: str, *, now: datetime) -> User | None:
    """Return the active account if the password is right, else ``None``.

    Unknown, locked, inactive and wrong-password cases look the same to the caller and cost the
    same time: an unknown or locked account is checked against a dummy hash, so a locked
    account's real password is not tried at all. A wrong password counts towards a lock-out.
    The login is not recorded yet: call ``record_login`` once every factor has been checked.
    """
    user = find_user(session, email)
    if user is None or is_locked(user.locked_until, now):
        burn_verification_time(password)
        return None
    if not verify_password(user.password_hash, password):
        record_failed_login(session, user, now)
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def record_failed_login(session: Session, user: User, now: datetime) -> None:
    """Count a failed password or code, locking the account for a while after repeated ones.

    The count goes up in the database in one statement, and the lock-out follows from the count
    it returns: simultaneous failures, each of which read the account before any was counted,
    then all count.
    """
    failures = session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_login_count=User.failed_login_count + 1)
        .returning(User.failed_login_count),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    set_committed_value(user, "failed_login_count", failures)
    lockout = lockout_for(failures)
    if lockout is not None:
        user.locked_until = now + lockout


def record_login(user: User, now: datetime) -> None:
    """Note a completed login: the failure count starts again from zero."""
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now


def end_all_sessions(user: User) -> None:
    """Invalidate every session cookie the account holds, on every device."""
    user.session_version += 1


def change_password(
    session: Session, user: User, current_password: str, new_password: str, *, now: datetime
) -> None:
    """Set a new password after checking the current one; the account's sessions and tokens end.

    :raises Invalid: (field ``current_password``) if the current password is not right.
    :raises WeakPassword: if the new password breaks the policy.
    """
    if not verify_password(user.password_hash, current_password):
        raise Invalid("The current password is not right.", fields={"current_password": "wrong_password"})
    set_password(session, user, new_password, now=now)


def set_password(session: Session, user: User, new_password: str, *, now: datetime) -> None:
    """Set a new password (the policy applies); every session and API token of the account ends."""
    require_acceptable_password(new_password, user.email)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    revoke_api_tokens(session, user, now=now)


def deactivate_user(session: Session, user: User, *, now: datetime, by: User | None = None) -> None:
    """Stop the account from logging in and end its sessions and tokens, also if it is reactivated later.

    :raises Invalid: (code ``own_account``) if ``by``, the admin doing it, is the account itself:
        nobody locks themselves out by a slip of the mouse.
    """
    if by is not None and by.id == user.id:
        raise Invalid("You cannot deactivate your own account.", code="own_account")
    user.is_active = False
    end_all_sessions(user)
    revoke_api_tokens(session, user, now=now)


def start_second_factor(user: User) -> str:
    """Return the account's TOTP secret, making one if there is none yet; it is off until confirmed."""
    if user.totp_secret is None:
        user.totp_secret = second_factor.new_secret()
    return user.totp_secret


def confirm_second_factor(session: Session, user: User, code: str, now: datetime) -> bool:
    """Turn the second factor on if ``code`` comes from the account's new secret; tell whether it did."""
    if user.totp_secret is None or user.has_second_factor:
        return False
    if not accept_code(session, user, code, now):
        return False
    user.totp_enabled_at = now
    return True


def check_second_factor(session: Session, user: User, code: str, now: datetime) -> bool:
    """Tell whether ``code`` completes the login; a wrong code counts towards a lock-out.

    While the account is locked no code is checked.
    """
    if is_locked(user.locked_until, now) or not user.is_active:
        return False
    if accept_code(session, user, code, now):
        return True
    record_failed_login(session, user, now)
    return False


def accept_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Accept a code from the account's secret once: the same code cannot be used again.

    The code's time step is claimed in the database by one conditional statement, so of several
    logins sending the same code at once only the one whose statement changed the row wins.
    """
    step = second_factor.accepted_step(user.totp_secret, code, now=now, last_step=user.totp_last_counter)
    if step is None:
        return False
    claimed = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_counter.is_(None), User.totp_last_counter < step))
        .values(totp_last_counter=step),
        execution_options={"synchronize_session": False},
    ).rowcount
    if claimed != 1:
        return False
    set_committed_value(user, "totp_last_counter", step)
    return True


def reset_second_factor(session: Session, user: User, *, now: datetime) -> None:
    """Remove the account's second factor (a lost phone); an admin must enrol again at next login.

    Its sessions and API tokens end: they were opened with the factor that may now be in a stranger's hands.
    """
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None
    end_all_sessions(user)
    revoke_api_tokens(session, user, now=now)


def hash_token(token: str) -> str:
    """Return the stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def may_hold_api_token(user: User) -> bool:
    """Tell whether the account's API tokens may work: an active account, and an admin only with two-factor login."""
    return user.is_active and (user.role != Role.ADMIN.value or user.has_second_factor)


def issue_api_token(session: Session, user: User) -> str:
    """Create a new API token for ``user`` and return it; only its hash is kept.

    :raises Invalid: (code ``second_factor_required``) for an admin without two-factor login, and
        (code ``inactive_account``) for a deactivated account.
    """
    if not user.is_active:
        raise Invalid(f"The account {user.email} is deactivated.", code="inactive_account")
    if not may_hold_api_token(user):
        raise Invalid(
            f"The administrator account {user.email} needs two-factor login before it can have an API token.",
            code="second_factor_required",
        )
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=hash_token(token)))
    session.flush()
    return token


def api_tokens_of(session: Session, user: User) -> list[ApiToken]:
    """Return the account's API tokens, revoked ones too, oldest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_api_token(session: Session, token_id: int, *, now: datetime, of: User | None = None) -> ApiToken:
    """Revoke one API token from now on (a token revoked before keeps its time); return it.

    :raises NotFound: if there is no token with this id (of the account ``of``, if given).
    """
    api_token = session.get(ApiToken, token_id)
    if api_token is None or (of is not None and api_token.user_id != of.id):
        raise NotFound(f"There is no API token {token_id}.")
    if api_token.revoked_at is None:
        api_token.revoked_at = now
    return api_token


def revoke_api_tokens(session: Session, user: User, *, now: datetime) -> None:
    """Revoke every API token of the account that still works."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now),
        execution_options={"synchronize_session": "fetch"},
    )


def user_for_token(session: Session, token: str) -> User | None:
    """Return the account of an unrevoked API token, if that account may hold one; else ``None``."""
    api_token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
    )
    if api_token is None or not may_hold_api_token(api_token.user):
        return None
    return api_token.user
