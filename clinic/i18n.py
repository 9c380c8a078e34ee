"""Which language a page is shown in: Dutch first, English on request."""
from __future__ import annotations

from flask import Blueprint, current_app, g, request, session

LANGUAGE_SESSION_KEY = "lang"


def select_locale() -> str:
    """Return the page language: a page's own language, the visitor's choice, their browser's, or Dutch."""
    languages = current_app.config["LANGUAGES"]
    forced = g.get("page_language")
    if forced in languages:
        return forced
    chosen = session.get(LANGUAGE_SESSION_KEY)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages, default=current_app.config["BABEL_DEFAULT_LOCALE"])


def remember_language(language: str) -> bool:
    """Store the visitor's language choice; tell whether the language is one the clinic offers."""
    if language not in current_app.config["LANGUAGES"]:
        return False
    session[LANGUAGE_SESSION_KEY] = language
    return True


def localized_route(blueprint: Blueprint, dutch: str, english: str, **options):
    """Route a view at ``dutch`` or ``english``, by the ``language`` each registration of the blueprint gives.

    The booking pages and the portal are registered once per language; an English page at a Dutch
    address (/en/book/gegevens) reads as half translated, so each language has its own paths.
    """
    paths = {"nl": dutch, "en": english}

    def decorator(view):
        blueprint.record(lambda state: state.add_url_rule(paths[state.options["language"]], view.__name__, view,
                                                          **options))
        return view
    return decorator
