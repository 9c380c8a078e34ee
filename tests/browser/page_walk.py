"""What the page walk (test_page_walk.py) visits and what it checks on each page.

The pages come from the URL map and the access policy, never from a hand list: every endpoint a
GET reaches whose audience lets the role in is walked. URL parameters are filled from the demo
clinic by their name (``RESOLVERS``); a page that needs a new parameter makes the walk fail,
naming the endpoint and the parameter, so that its resolver is added here, in one place.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from flask import Flask, current_app
from sqlalchemy import select
from werkzeug.routing import Rule

from clinic.booking.emails import reminders_off_token
from clinic.localtime import to_local
from clinic.models import (
    Appointment,
    AppointmentType,
    BookingSource,
    Chiropractor,
    EnteredBy,
    TreatmentNote,
    WaitlistOffer,
    WaitlistSource,
)
from clinic.outcomes.measures import Entry, Measure, RegionQuestionnaire
from clinic.policy import Audience, Decision, decide, need_of
from clinic.scheduling.lifecycle import AppointmentStatus
from clinic.services.after_visit import issue_after_visit_link
from clinic.services.outcome_requests import issue_outcome_link
from clinic.services import episodes
from clinic.services.booking import find_free_slots
from clinic.services.online_booking import issue_manage_token, online_rules, returning_booking_token
from clinic.services.portal import issue_login_link
from clinic.services.series import book_series
from clinic.services.treatment_notes import NoteContent, start_note
from clinic.services.waitlist import WishDetails, issue_claim_link, join_waitlist

ROLES = (None, "patient", "frontdesk", "chiropractor", "admin")  # None: nobody logged in
LANGUAGES = ("nl", "en")
WIDTHS = (1400, 360)

# GET endpoints the walk does not visit, with the reason. Besides these, a rule leaves out static files,
# the JSON API (/api/) and downloads (a path ending in a file extension: .json, .csv, .html).
NOT_PAGES = {
    "public.health": "the load balancer's probe, answered in JSON",
    "public.switch_language": "sets the language and redirects to the page it came from",
    "auth.second_factor": "the code step of a login in progress; without one it sends to the login page",
}
DOWNLOAD = re.compile(r"\.[a-z]+$")


@dataclass(frozen=True)
class WalkedPage:
    endpoint: str
    rule: Rule

    @property
    def view(self) -> str:
        return self.endpoint.rpartition(".")[2]


def page_language(rule: Rule) -> str | None:
    """The one language a page is registered for (booking_en, /en/privacy-statement), or ``None``."""
    if rule.defaults and "language" in rule.defaults:
        return rule.defaults["language"]
    suffix = rule.endpoint.partition(".")[0].rpartition("_")[2]
    return suffix if suffix in LANGUAGES else None


def is_page(rule: Rule) -> bool:
    return ("GET" in rule.methods and rule.endpoint != "static" and not rule.rule.startswith("/api/")
            and not DOWNLOAD.search(rule.rule) and rule.endpoint not in NOT_PAGES)


def reads(role: str | None, endpoint: str) -> bool:
    """Whether the walk visits ``endpoint`` as ``role``: public pages anonymously, the others as each role let in."""
    need = need_of(endpoint, "GET")
    if need is None:
        return False
    if role is None:
        return need.audience is Audience.PUBLIC
    return need.audience is not Audience.PUBLIC and decide(need, role) is Decision.ALLOW


def walked_pages(app: Flask, role: str | None, language: str) -> list[WalkedPage]:
    """Every page ``role`` reads in ``language``, in URL-map order."""
    return [WalkedPage(rule.endpoint, rule) for rule in app.url_map.iter_rules()
            if is_page(rule) and page_language(rule) in (None, language) and reads(role, rule.endpoint)]


# Demo data the parameters are filled from ------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    type_id: int
    chiropractor_id: int
    start: datetime


@dataclass
class WalkData:
    """Rows of the demo clinic the walk's URLs point at (ids and secrets only: no live ORM objects)."""

    patient_id: int  # a treated patient with a file full of records
    portal_patient_id: int  # the patient who logs into the portal
    booked_appointment_id: int  # booked, tomorrow or later
    completed_appointment_id: int  # completed, without a note (an intake)
    signed_note_id: int
    draft_note_id: int
    chiropractor_id: int  # the chiropractor who logs in
    chiropractor_email: str
    staff_user_id: int
    appointment_type_id: int
    intake: Slot  # a free intake time, for the booking flows
    busy_day: date  # today if it is a working day, else the next one: a day full of appointments
    episode_id: int  # the treated patient's care episode, with an outcome measured
    portal_episode_id: int  # the portal patient's
    series_id: int
    tokens: dict[str, str]


def prepare_walk_data(session, *, report, now: datetime) -> WalkData:
    """Pick the rows the walk visits in the filled demo clinic, and issue the secrets of its links.

    The chiropractor who logs in is the first one; the note and the booked appointment visited are
    theirs, so that their own pages (a draft note, their time off) open for them. A visit without a
    note (an intake) may be anyone's: on some days the first chiropractor has none.
    """
    chiropractor = session.scalars(select(Chiropractor).order_by(Chiropractor.id)).first()
    today = to_local(now).date()
    appointments = session.scalars(select(Appointment).order_by(Appointment.starts_at)).all()
    theirs = [a for a in appointments if a.chiropractor_id == chiropractor.id]
    booked = next(a for a in theirs if a.status == AppointmentStatus.BOOKED.value
                  and to_local(a.starts_at).date() > today)
    notes = {note.appointment_id: note for note in session.scalars(select(TreatmentNote))}
    unnoted = next(a for a in appointments if a.status == AppointmentStatus.COMPLETED.value and a.id not in notes)
    noted = next(a for a in reversed(theirs) if a.id in notes)
    draft = start_note(session, noted.patient, NoteContent(subjective="Stijve onderrug na de training."),
                       author=chiropractor.user, now=now)
    portal_patient = report.portal_patients[0]
    first_type = session.scalars(select(AppointmentType).order_by(AppointmentType.id)).first()
    slot = free_intake_slot(session, now)
    returning = SimpleNamespace(
        patient=noted.patient, appointment_type=booked.appointment_type,
        request=SimpleNamespace(chiropractor_id=booked.chiropractor_id, starts_at=booked.starts_at, language="nl"))
    episode, portal_episode = (
        episodes.open_episode(session, patient, episodes.NewEpisode(chiropractor.id, region, today - timedelta(days=30),
                                                                    "Weer voluit hardlopen", questionnaire),
                              by=chiropractor.user, now=now)
        for patient, region, questionnaire in ((noted.patient, "onderrug", None),
                                               (portal_patient, "knie links", RegionQuestionnaire.LEFS)))
    episodes.record_outcome(session, episode, Entry(Measure.NPRS, value=6), entered_by=EnteredBy.STAFF,
                            user=chiropractor.user, now=now)
    series = book_series(session, patient=noted.patient, appointment_type=booked.appointment_type,
                         chiropractor_id=slot.chiropractor_id, first_start=slot.start + timedelta(weeks=3),
                         rule="FREQ=WEEKLY;COUNT=2", source=BookingSource.FRONTDESK,
                         policy=online_rules(current_app.config).policy, now=now, user=chiropractor.user)
    wish = join_waitlist(session, portal_patient, WishDetails(first_type, today + timedelta(days=30)),
                         created_by=WaitlistSource.PATIENT, today=today)
    offer = WaitlistOffer(entry=wish, chiropractor_id=slot.chiropractor_id, starts_at=slot.start, offered_at=now)
    session.add(offer)
    episodes.assign_appointment(session, series.appointments[0], episode)
    return WalkData(
        patient_id=noted.patient_id, portal_patient_id=portal_patient.id,
        booked_appointment_id=booked.id, completed_appointment_id=unnoted.id,
        signed_note_id=notes[noted.id].id, draft_note_id=draft.id,
        chiropractor_id=chiropractor.id, chiropractor_email=chiropractor.user.email,
        staff_user_id=chiropractor.user.id, appointment_type_id=first_type.id, intake=slot,
        busy_day=min(day for day in (to_local(a.starts_at).date() for a in theirs) if day >= today),
        episode_id=episode.id, portal_episode_id=portal_episode.id, series_id=series.series.id,
        tokens={
            "claim_waitlist_offer": issue_claim_link(session, offer, now, timedelta(hours=2)),
            "manage": issue_manage_token(session, booked),
            "after_visit": issue_after_visit_link(session, noted, now),
            "outcome_measures": issue_outcome_link(session, series.appointments[0]),
            "reminders_off": reminders_off_token(noted.patient),
            "login_link": issue_login_link(session, portal_patient, now),
            "confirm_by_email": returning_booking_token(returning, secret=current_app.secret_key, now=now),
        },
    )


def free_intake_slot(session, now: datetime) -> Slot:
    """A free intake time in two weeks (the demo books a few days around today; the seed's hours go on)."""
    intake = session.scalars(select(AppointmentType).where(AppointmentType.code == "intake")).one()
    first_day = to_local(now).date() + timedelta(days=14)
    policy = online_rules(current_app.config).policy
    slot = find_free_slots(session, intake, first_day, first_day + timedelta(days=7), policy=policy, now=now)[0]
    return Slot(intake.id, slot.chiropractor_id, slot.start)


# Which value each URL parameter takes, by its name --------------------------------------------

# The secret of each page reached by an e-mailed link, by the page's view name.
TOKEN_OF_VIEW = {"manage": "manage", "cancel": "manage", "reschedule": "manage", "after_visit": "after_visit",
                 "reminders_off": "reminders_off", "login_link": "login_link", "confirm_by_email": "confirm_by_email",
                 "claim_waitlist_offer": "claim_waitlist_offer", "outcome_measures": "outcome_measures"}


@dataclass(frozen=True)
class Visit:
    """Who walks: the role, and the login e-mail (for the chiropractor's own pages)."""

    role: str | None
    email: str | None


Resolver = Callable[[WalkData, WalkedPage, Visit], object]


def own_chiropractor(data: WalkData, page: WalkedPage, visit: Visit) -> int:
    """A chiropractor's own pages (time off) answer 404 for anyone else's: every role visits the one who logs in."""
    return data.chiropractor_id


def appointment_for(data: WalkData, page: WalkedPage, visit: Visit) -> int:
    """A note is written after the visit; everything else is about a booked appointment."""
    return data.completed_appointment_id if page.view == "new_note_for_appointment" else data.booked_appointment_id


def token_for(data: WalkData, page: WalkedPage, visit: Visit) -> str:
    return data.tokens[TOKEN_OF_VIEW[page.view]]


RESOLVERS: dict[str, Resolver] = {
    "patient_id": lambda data, page, visit: data.patient_id,
    "appointment_id": appointment_for,
    "note_id": lambda data, page, visit: data.draft_note_id if page.view == "edit_note" else data.signed_note_id,
    "chiropractor_id": own_chiropractor,
    "user_id": lambda data, page, visit: data.staff_user_id,
    "type_id": lambda data, page, visit: data.appointment_type_id,
    "action": lambda data, page, visit: "cancelled",
    "token": token_for,
    "episode_id": lambda data, page, visit: data.portal_episode_id if visit.role == "patient" else data.episode_id,
    "series_id": lambda data, page, visit: data.series_id,
}

# Query strings, by view name: the steps of a flow, which send back to the step before without them,
# and the day views, on a working day.
QUERIES: dict[str, Callable[[WalkData], dict]] = {
    "times": lambda data: {"type": "intake"},
    "details": lambda data: {"type": "intake",
                             "slot": f"{data.intake.chiropractor_id}@{to_local(data.intake.start).isoformat()}"},
    "day": lambda data: {"date": data.busy_day.isoformat()},
    "my_day": lambda data: {"date": data.busy_day.isoformat()},
    "choose_slot": lambda data: {"patient": data.patient_id},
    "confirm_booking": lambda data: {
        "patient": data.patient_id, "appointment_type": data.intake.type_id,
        "chiropractor": data.intake.chiropractor_id, "date": to_local(data.intake.start).date().isoformat(), "slot_chiropractor": data.intake.chiropractor_id,
        "start": data.intake.start.isoformat()},
}


class UnknownParameter(LookupError):
    pass


def url_of(page: WalkedPage, data: WalkData, visit: Visit) -> str:
    """The page's path with its parameters filled from the demo data; ``UnknownParameter`` names a missing resolver."""
    values = {}
    for name in sorted(page.rule.arguments - set(page.rule.defaults or ())):
        resolver = RESOLVERS.get(name)
        if resolver is None or (name == "token" and page.view not in TOKEN_OF_VIEW):
            raise UnknownParameter(
                f"{page.endpoint}: no value for the URL parameter {name!r}; add a resolver to RESOLVERS "
                f"(or, for a token, TOKEN_OF_VIEW) in tests/browser/page_walk.py")
        values[name] = resolver(data, page, visit)
    values.update(page.rule.defaults or {})
    query = QUERIES.get(page.view, lambda data: {})(data)
    return page.rule.build({**values, **query}, append_unknown=True)[1]


# Words only one language uses ------------------------------------------------------------------

# Checked as whole words, case-insensitive, in the visible text and the accessible texts (labels,
# placeholders, titles) of a page. Chosen to miss the demo data, which is Dutch on every page
# (names such as "van den Berg", notes such as "over een week"), and the language switch links.
ENGLISH_ONLY = frozenset("""
the and you your with appointment appointments upcoming please save cancel cancelled back today tomorrow
yesterday this which should will been have from new show edit delete search sign signed name date
monday tuesday wednesday thursday friday saturday sunday
""".split())
DUTCH_ONLY = frozenset("""
het niet voor naar zijn wordt worden uw jouw mijn afspraak afspraken vandaag morgen gisteren opslaan
annuleren terug volgende bekijken nieuwe nieuw alle geboortedatum naam datum tijd behandeling behandelaar
inloggen uitloggen wachtwoord maandag dinsdag woensdag donderdag vrijdag zaterdag zondag deze dit bij tot
om aan als kan moet zonder heeft hebben gegevens wijzigen verzetten toevoegen
""".split())
FOREIGN_WORDS = {"nl": ENGLISH_ONLY, "en": DUTCH_ONLY}
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def foreign_words(text: str, language: str) -> list[str]:
    """The words of ``text`` only the other language uses, each once, with the text around its first use."""
    found = {}
    for match in WORD.finditer(text):
        word = match.group()
        if word.lower() in FOREIGN_WORDS[language] and word.lower() not in found:
            around = " ".join(text[max(match.start() - 30, 0):match.end() + 30].split())
            found[word.lower()] = f"{word!r} in \"…{around}…\""
    return list(found.values())


# The text a visitor reads or hears: visible text plus the accessible texts that are not visible.
# Left out: parts marked as another language (<td lang="en">, as a screen reader needs them) and
# code (<code>, <pre>, <kbd>, <samp>: file formats and column names, not prose).
PAGE_TEXT_SCRIPT = """() => {
  const page = document.documentElement.lang;
  const apart = element => element.closest('code, pre, kbd, samp')
    || (element.closest('[lang]') && element.closest('[lang]').lang !== page);
  let text = document.body.innerText;
  for (const element of document.body.querySelectorAll('[lang], code, pre, kbd, samp')) {
    if (apart(element) && element.innerText) text = text.replace(element.innerText, ' ');
  }
  const texts = [document.title, text];
  for (const element of document.querySelectorAll('[placeholder], [aria-label], [title], img[alt]')) {
    if (apart(element)) continue;
    for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
      if (element.hasAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  return texts.join('\\n');
}"""

# The elements sticking out past the right edge of the viewport, innermost first (at most five),
# and those whose own content (a long word, a wide table) spills out of them.
OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  const sticksOut = element => element.getBoundingClientRect().right > width + 1;
  const elements = [...document.body.querySelectorAll('*')];
  const wide = elements.filter(element => element.getBoundingClientRect().width > 0 && sticksOut(element)
    && ![...element.children].some(sticksOut));
  const spilling = elements.filter(element => element.scrollWidth > element.clientWidth + 1
    && element.clientWidth > 0 && getComputedStyle(element).overflowX === 'visible'
    && element.getBoundingClientRect().left + element.scrollWidth > width + 1);
  const describe = element => {
    let name = element.tagName.toLowerCase();
    if (element.id) name += '#' + element.id;
    if (element.classList.length) name += '.' + [...element.classList].join('.');
    const box = element.getBoundingClientRect();
    const text = (element.innerText || element.value || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    return `${name} (${Math.round(box.left)}–${Math.round(box.left + Math.max(box.width, element.scrollWidth))} px)`
      + (text ? ` "${text}"` : '');
  };
  return {scrollWidth: document.documentElement.scrollWidth, width,
          elements: [...new Set([...wide, ...spilling])].slice(0, 5).map(describe)};
}"""

# The contrast of an element whose colours axe could not decide (over an overlapping element, in an
# SVG): its text colour (an SVG's fill) against the first opaque background behind it, as axe's ratio.
CONTRAST_SCRIPT = """selector => {
  const element = document.querySelector(selector);
  if (!element) return null;
  const rgb = value => {
    const parts = (value.match(/[\\d.]+/g) || []).map(Number);
    return parts.length >= 3 ? {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1} : null;
  };
  const style = getComputedStyle(element);
  const foreground = rgb(element instanceof SVGElement && style.fill.startsWith('rgb') ? style.fill : style.color);
  let background = null;
  for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour && colour.a > 0.9) { background = colour; break; }
  }
  background = background || {r: 255, g: 255, b: 255};
  const luminance = ({r, g, b}) => [r, g, b].map(c => c / 255)
    .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
  const show = ({r, g, b}) => `rgb(${r}, ${g}, ${b})`;
  return {ratio: (light + 0.05) / (dark + 0.05), large: size >= 24 || (bold && size >= 18.66),
          foreground: show(foreground), background: show(background)};
}"""
