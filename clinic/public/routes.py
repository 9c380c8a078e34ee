"""Pages anyone may see: the clinic's front page, the privacy statement, the language switch, the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from clinic.extensions import db
from clinic.i18n import remember_language
from clinic.public.visit import visit_details
from clinic.web import safe_next_url

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    """Show the clinic's front page, with how to find and reach it."""
    return render_template("public/home.html", visit=visit_details())


@bp.route("/privacyverklaring", defaults={"language": "nl"})
@bp.route("/en/privacy-statement", defaults={"language": "en"})
def privacy_statement(language: str):
    """Show the privacy statement, at an address of its own in each language (the consent links to it)."""
    g.page_language = language
    return render_template("public/privacy_statement.html", language=language)


@bp.route("/taal/<language>")
def switch_language(language: str):
    """Remember the visitor's language and go back to the page they came from."""
    remember_language(language)
    return redirect(safe_next_url() or url_for("public.home"))


@bp.route("/healthz")
def health():
    """Answer 200 when the app can reach its database, 503 when it cannot.

    Anyone may ask, so the answer says nothing else: a driver's message names hosts, ports and
    roles. The reason goes to the log, where the operator looks.
    """
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = str(error.orig if getattr(error, "orig", None) else error).splitlines()[0]
        current_app.logger.error("health check: the database does not answer: %s", reason)
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
