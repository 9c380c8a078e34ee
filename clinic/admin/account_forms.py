"""Forms of the accounts pages: a new staff account, and another role for one."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from clinic.auth.forms import PASSWORD_HINT
from clinic.auth.password_policy import MAX_PASSWORD_LENGTH
from clinic.forms import ClinicForm
from clinic.models import Chiropractor
from clinic.roles import Role
from clinic.templating import ROLE_LABELS

STAFF_ROLE_ORDER = (Role.FRONTDESK, Role.CHIROPRACTOR, Role.ADMIN)
# What the services' refusals mean, next to the field they concern.
ACCOUNT_MESSAGES = {
    "in_use": _l("There is already an account with this e-mail address."),
    "has_account": _l("This chiropractor already has an account."),
    "required": _l("Choose the chiropractor this account belongs to."),
    "only_for_chiropractors": _l("Only a chiropractor account is linked to a chiropractor."),
    "not an e-mail address": _l("That is not an e-mail address."),
    "not_a_staff_role": _l("Choose one of the staff roles."),
    "own_account": _l("You cannot change your own role: another administrator can."),
    "blank_name": _l("Fill in the person's name."),
    "name_too_long": _l("A name has at most 120 characters."),
}
NAME_RENDER = {"autocomplete": "off", "maxlength": 120}


class RoleFields(ClinicForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, ROLE_LABELS[role.value]) for role in STAFF_ROLE_ORDER])
    chiropractor = SelectField(
        _l("Chiropractor"), coerce=str, description=_l("Only for a chiropractor account: whose account it is."),
    )

    def offer(self, chiropractors: list[Chiropractor]) -> None:
        self.chiropractor.choices = [SelectChoice("", _l("— none —"))] + [SelectChoice(str(c.id), c.name)
                                                                         for c in chiropractors]

    def chosen_chiropractor(self, chiropractors: list[Chiropractor]) -> Chiropractor | None:
        return next((c for c in chiropractors if str(c.id) == self.chiropractor.data), None)


class NewAccountForm(RoleFields):
    name = StringField(_l("Name"), description=_l("As the pages show the person. A chiropractor account takes the "
                                                 "chiropractor's name."), render_kw=NAME_RENDER)
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "off"})
    password = PasswordField(
        _l("First password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        description=PASSWORD_HINT, render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("First password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Create account"))


class RoleForm(RoleFields):
    submit = SubmitField(_l("Change role"))


class NameForm(ClinicForm):
    name = StringField(_l("Name"), description=_l("A chiropractor's account renames the chiropractor too, also on "
                                                 "the booking pages."), render_kw=NAME_RENDER)
    submit = SubmitField(_l("Change name"))
