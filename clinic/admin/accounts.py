"""The accounts pages: every account, new staff accounts, and per staff account its role, two-factor
login, API tokens and deactivation.

Each action goes through the same service as the ``flask users`` commands.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from clinic.admin.account_forms import ACCOUNT_MESSAGES, NameForm, NewAccountForm, RoleForm
from clinic.admin.routes import bp
from clinic.auth.forms import PASSWORD_MESSAGES
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.messages import field_message
from clinic.models import Chiropractor, Role, User
from clinic.services import accounts
from clinic.templating import ROLE_LABELS


@bp.route("/users")
def users():
    """List every account with its role and last login."""
    all_accounts = db.session.scalars(select(User).order_by(User.role, User.name, User.email)).all()
    return render_template("admin/users.html", users=all_accounts)


def chiropractors() -> list[Chiropractor]:
    return list(db.session.scalars(select(Chiropractor).order_by(Chiropractor.name)))


def show_refusal(form: NewAccountForm | RoleForm | NameForm, error: DomainError) -> None:
    """Put the service's refusal next to its field (the whole form's top when it names none)."""
    if isinstance(error, accounts.WeakPassword):
        form.password.errors.extend(PASSWORD_MESSAGES[code] for code in error.codes)
        return
    for name, code in (error.fields or {"role": error.code}).items():
        getattr(form, name).errors.append(ACCOUNT_MESSAGES.get(code) or field_message(code))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Create a staff account with a first password, which the admin hands over in person."""
    form, linkable = NewAccountForm(), chiropractors()
    form.offer(linkable)
    if form.validate_on_submit():
        try:
            user = accounts.create_user(db.session, form.email.data, form.password.data, Role(form.role.data),
                                        form.chosen_chiropractor(linkable), name=form.name.data or "")
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            # The name is never blank (the form asks for it, a chiropractor's account takes its chiropractor's,
            # and the database refuses a blank one): staff are named, not shown by e-mail address.
            flash(_("The account of %(name)s is made. Hand over its first password in person; it can be changed "
                    "under “My account”.", name=user.display_name), "info")
            return redirect(url_for(".user", user_id=user.id))
    return render_template("admin/new_user.html", form=form), 422 if form.errors else 200


def staff_account_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.is_staff:
        abort(404)
    return user


@bp.route("/users/<int:user_id>")
def user(user_id: int):
    """Show a staff account: role, whether it is active, two-factor login, and its API tokens."""
    return account_page(staff_account_or_404(user_id))


def account_page(user: User, new_token: str | None = None, status: int = 200, role_form: RoleForm | None = None,
                 name_form: NameForm | None = None):
    linkable = chiropractors()
    if role_form is None:
        linked = next((c for c in linkable if c.user_id == user.id), None)
        role_form = RoleForm(formdata=None, role=user.role, chiropractor=str(linked.id) if linked else "")
    role_form.offer(linkable)
    page = render_template(
        "admin/user.html", user=user, api_tokens=accounts.api_tokens_of(db.session, user), new_token=new_token,
        may_hold_api_token=accounts.may_hold_api_token(user), role_form=role_form,
        name_form=name_form or NameForm(formdata=None, name=user.name),
    )
    return page, status


@bp.route("/users/<int:user_id>/name", methods=["POST"])
def rename_user(user_id: int):
    """Give the account another name (a chiropractor's account renames its chiropractor too)."""
    user, form = staff_account_or_404(user_id), NameForm()
    if form.validate_on_submit():
        try:
            accounts.rename_user(db.session, user, form.name.data or "")
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("The account is now called %(name)s.", name=user.name), "info")
            return redirect(url_for(".user", user_id=user.id))
    return account_page(user, name_form=form, status=422)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    """Give the account another role; its sessions and API tokens end, as they carried the old rights."""
    user, form, linkable = staff_account_or_404(user_id), RoleForm(), chiropractors()
    form.offer(linkable)
    if form.validate_on_submit():
        try:
            accounts.change_role(db.session, user, Role(form.role.data), form.chosen_chiropractor(linkable),
                                 by=current_user._get_current_object(), now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is now %(role)s; its sessions and API tokens have ended.", name=user.display_name,
                    role=ROLE_LABELS[user.role]), "info")
            return redirect(url_for(".user", user_id=user.id))
    return account_page(user, role_form=form, status=422)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate_user(user_id: int):
    """Stop the account from logging in; its sessions and API tokens end at once."""
    user = staff_account_or_404(user_id)
    try:
        accounts.deactivate_user(db.session, user, now=utcnow(), by=current_user._get_current_object())
    except DomainError:
        db.session.rollback()
        flash(_("You cannot deactivate your own account."), "error")
    else:
        db.session.commit()
        flash(_("%(name)s is deactivated; its sessions and API tokens have ended.", name=user.display_name), "info")
    return redirect(url_for(".user", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-two-factor", methods=["POST"])
def reset_two_factor(user_id: int):
    """Remove the account's two-factor login (a lost phone); its sessions and API tokens end."""
    user = staff_account_or_404(user_id)
    accounts.reset_second_factor(db.session, user, now=utcnow())
    db.session.commit()
    flash(_("Two-factor login of %(name)s is removed; its sessions and API tokens have ended.",
            name=user.display_name), "info")
    return redirect(url_for(".user", user_id=user.id))


@bp.route("/users/<int:user_id>/tokens", methods=["POST"])
def issue_token(user_id: int):
    """Issue an API token and show it this once; only its hash is kept."""
    user = staff_account_or_404(user_id)
    try:
        token = accounts.issue_api_token(db.session, user)
    except DomainError:
        db.session.rollback()
        flash(_("This account cannot have an API token: it is deactivated, or an administrator without "
                "two-factor login."), "error")
        return redirect(url_for(".user", user_id=user.id))
    db.session.commit()
    return account_page(user, new_token=token, status=201)


@bp.route("/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(user_id: int, token_id: int):
    """Revoke one API token of the account; it stops working at once."""
    user = staff_account_or_404(user_id)
    try:
        accounts.revoke_api_token(db.session, token_id, now=utcnow(), of=user)
    except DomainError:
        abort(404)
    db.session.commit()
    flash(_("API token %(number)d is revoked.", number=token_id), "info")
    return redirect(url_for(".user", user_id=user.id))
