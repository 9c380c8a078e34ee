"""Accounts that can log in: staff and patients."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models._columns import created_at_column, one_of
from clinic.roles import STAFF_ROLES, Role

if TYPE_CHECKING:
    from clinic.models.chiropractors import Chiropractor


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Stored lower-case so that the plain UNIQUE is case-insensitive on both databases.
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("trim(name) <> ''", name="name_not_blank"),
        one_of("role", (role.value for role in Role), name="role_known"),
        CheckConstraint("failed_login_count >= 0", name="failed_login_count_not_negative"),
        CheckConstraint("session_version >= 1", name="session_version_positive"),
        # Two-factor login is on only once a secret exists and a code from it has been confirmed.
        CheckConstraint(
            "totp_enabled_at IS NULL OR totp_secret IS NOT NULL", name="totp_enabled_needs_secret"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Who the account is, as the pages name them. A chiropractor's account carries its chiropractor's
    # name: linking copies it, renaming the account renames the chiropractor (``clinic.services.accounts``).
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Consecutive failed logins; from a threshold on, each one locks the account a while longer.
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the login id in the session cookie: bumping it ends every existing session.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = created_at_column()
    # Optional TOTP second factor (RFC 6238). The base32 secret is stored as is: encrypting it at
    # rest is a follow-up. The last accepted time step makes a code single-use.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_counter: Mapped[int | None] = mapped_column(BigInteger)

    api_tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", passive_deletes=True)
    # The chiropractor this account is, if any (``Chiropractor.user_id``).
    chiropractor: Mapped[Chiropractor | None] = relationship(viewonly=True, uselist=False)

    @property
    def display_name(self) -> str:
        """The person as the pages name them: by name, never by e-mail address."""
        return self.name

    @property
    def name_for_patients(self) -> str:
        """The staff member as a patient's own data export names them: a chiropractor (whom the patient
        meets) by name, anyone else only by role (the back office's names are not the patient's data)."""
        return self.name if self.role == Role.CHIROPRACTOR.value else self.role

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    # The three members below are what Flask-Login asks of a user object.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the API; only a hash of the token is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="api_tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} of user {self.user_id}>"
