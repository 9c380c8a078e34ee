"""Forms of the login and account pages."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from clinic.auth import password_policy
from clinic.auth.password_policy import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from clinic.forms import ClinicForm

PASSWORD_MESSAGES = {
    password_policy.TOO_SHORT: _l("A password needs at least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
    password_policy.TOO_LONG: _l("A password can have at most %(count)d characters.", count=MAX_PASSWORD_LENGTH),
    password_policy.COMMON: _l("This is one of the most common passwords; choose another."),
    password_policy.REPETITIVE: _l("Use more different characters."),
    password_policy.CONTAINS_NAME: _l(
        "A password may not contain your e-mail name or the name of the clinic."
    ),
}
PASSWORD_HINT = _l(
    "At least %(count)d characters. A few unrelated words make a strong password that is easy to remember.",
    count=MIN_PASSWORD_LENGTH,
)


class LoginForm(ClinicForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField(_l("Log in"))


class CodeForm(ClinicForm):
    """The six-digit code from an authenticator app: the login's second step, and enrolment."""

    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(), Length(max=16)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )
    submit = SubmitField(_l("Confirm"))


class ChangePasswordForm(ClinicForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))
