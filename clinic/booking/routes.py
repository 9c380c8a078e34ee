"""Patients book online: treatment → time → details → confirm, and manage it afterwards.

Registered twice: Dutch at /afspraak (``booking_nl``) and English at /en/book (``booking_en``), each
language with its own paths (``localized_route``: /afspraak/gegevens, /en/book/details); templates link with relative endpoints (``.times``) so each language stays on its own URLs.
Plain multi-step forms: the choices travel as query parameters and hidden fields, so the pages
work without JavaScript and nothing typed is lost when a step sends the visitor back.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from clinic.access import request_action
from clinic.bounds import CLINIC_DAYS, row_id
from clinic.booking.forms import AfterVisitForm, CancelAppointmentForm, CancelForm, DetailsForm, RescheduleForm
from clinic.booking.emails import email_returning_booking_link, patient_of_reminders_off_token
from clinic.clinical.messages import message_for
from clinic.errors import Conflict, Invalid, NotFound
from clinic.extensions import db, limiter
from clinic.i18n import localized_route
from clinic.localtime import to_local, utcnow
from clinic.messages import field_message
from clinic.portal.forms import OutcomeMeasuresForm
from clinic.public.visit import visit_details
from clinic.services.after_visit import record_after_visit_answers, valid_after_visit_link
from clinic.services.episodes import last_psk_activities
from clinic.services.outcome_requests import open_episode_of, record_outcomes_by_link, valid_outcome_link
from clinic.services.booking import SlotTaken, find_free_slots, nearest_free_slots
from clinic.services.patient_messages import set_reminders_wanted
from clinic.services.online_booking import (
    RETURNING_LINK_LIFETIME,
    AwaitingConfirmation,
    OnlineBooking,
    OnlineRules,
    book_online,
    can_still_change,
    cancel_online,
    confirm_returning_booking,
    online_rules,
    online_type,
    online_types,
    read_returning_booking,
    reschedule_online,
)
from clinic.services.appointments import active_chiropractors
from clinic.services.records import find_appointment_by_link
from clinic.services.staffing import opening_hours
from clinic.services.waitlist import OfferGone, claim_offer, offer_of_link, offer_state
from clinic.web import no_store

bp = Blueprint("booking", __name__)
DAYS_SHOWN = 7
# The query parameter of a booking's page that greets a booking just made, in the page's language.
JUST_BOOKED = {"nl": "geboekt", "en": "booked"}
NEAREST_SLOTS_OFFERED = 6


@bp.before_request
def set_page_language() -> None:
    g.page_language = "en" if request.blueprint == "booking_en" else "nl"


@bp.before_request
@limiter.limit(lambda: current_app.config["BOOKING_PAGE_RATE_LIMIT"])
def limit_page_views() -> None:
    """Slow down scraping of the calendar (per address)."""


def rules() -> OnlineRules:
    return online_rules(current_app.config)


@localized_route(bp, "/", "/")
def choose():
    """Step 1: choose the treatment and the chiropractor."""
    return render_template(
        "booking/choose.html",
        types=online_types(db.session),
        chiropractors=active_chiropractors(db.session),
        chosen_type=request.args.get("type", ""),
        chosen_chiropractor=request.args.get("chiropractor", "any"),
        error=request.args.get("error"),
    )


@localized_route(bp, "/tijd", "/time")
def times():
    """Step 2: choose a day of the week shown, then one of its free times."""
    choice = read_choice(request.args)
    if isinstance(choice, str):
        return redirect(url_for(".choose", type=request.args.get("type", ""), error=choice))
    appointment_type, chiropractor_id = choice
    week = shown_week(request.args)
    slots = find_free_slots(
        db.session, appointment_type, week.first_day, week.last_day,
        policy=rules().policy, now=utcnow(), chiropractor_id=chiropractor_id,
    )
    if chiropractor_id is None:
        slots = first_free_per_time(slots)
    return render_template(
        "booking/times.html",
        appointment_type=appointment_type,
        chiropractor_id=chiropractor_id,
        chiropractors={c.id: c for c in active_chiropractors(db.session)},
        week=week.with_slots(slots, request.args.get("dag")),
        chosen_slot=request.args.get("slot", ""),
    )


@localized_route(bp, "/gegevens", "/details", methods=["GET", "POST"])
@no_store
def details():
    """Step 3: the patient's details; a valid form shows the summary to confirm."""
    form = DetailsForm(request.form if request.method == "POST" else request.args)
    choice = read_choice(form.data)
    if isinstance(choice, str):
        return redirect(url_for(".choose", error=choice))
    slot = parse_slot(form.slot.data)
    if slot is None:
        return redirect(url_for(".times", type=form.type.data, chiropractor=form.chiropractor.data))
    if request.method == "POST" and form.validate():
        if form.website.data:
            return redirect(url_for(".choose"))
        return render_template("booking/summary.html", form=form, **summary_context(choice, slot))
    return render_template("booking/details.html", form=form, **summary_context(choice, slot))


@localized_route(bp, "/bevestigen", "/confirm", methods=["POST"])
@limiter.limit(lambda: current_app.config["BOOKING_SUBMIT_RATE_LIMIT"])
@no_store
def confirm():
    """Book the appointment, queue the confirmation e-mail and show the appointment."""
    form = DetailsForm(request.form)
    choice = read_choice(form.data)
    slot = parse_slot(form.slot.data)
    if isinstance(choice, str) or slot is None or not form.validate() or form.website.data:
        return redirect(url_for(".choose"))
    appointment_type, _chiropractor_id = choice
    chiropractor_id, starts_at = slot
    try:
        booked = book_online(
            db.session,
            OnlineBooking(
                type_code=appointment_type.code, chiropractor_id=chiropractor_id, starts_at=starts_at,
                first_name=form.first_name.data, last_name=form.last_name.data,
                date_of_birth=form.date_of_birth.data, email=form.email.data, phone=form.phone.data,
                language=g.page_language, consent=form.consent.data,
            ),
            rules=rules(),
            now=utcnow(),
        )
    except (SlotTaken, Invalid, Conflict) as refusal:
        db.session.rollback()
        return refused_booking(form, choice, slot, refusal)
    if isinstance(booked, AwaitingConfirmation):
        email_returning_booking_link(db.session, booked)
        db.session.commit()
        return redirect(url_for(".check_email"))
    db.session.commit()
    return redirect(url_for(".manage", token=booked.manage_token, **{JUST_BOOKED[g.page_language]: 1}))


@localized_route(bp, "/bevestig-per-email", "/confirm-by-email")
def check_email():
    """What every visitor is told after asking for a returning-patients-only appointment."""
    return render_template("booking/check_email.html", hours=int(RETURNING_LINK_LIFETIME.total_seconds() // 3600))


@localized_route(bp, "/bevestigen/<token>", "/confirm/<token>", methods=["GET", "POST"])
def confirm_by_email(token: str):
    """Book a returning-patients-only appointment from the link e-mailed to the patient: a button
    first, so that a mail scanner opening the link books nothing."""
    booking = read_returning_booking(db.session, token, secret=current_app.secret_key, now=utcnow())
    form, error = CancelForm(), None
    if form.validate_on_submit():
        try:
            booked = confirm_returning_booking(db.session, booking, rules=rules(), now=utcnow())
        except (SlotTaken, Invalid, Conflict) as refusal:
            db.session.rollback()
            error = field_message(refusal.fields.get("start", refusal.code) if refusal.fields else refusal.code)
        else:
            db.session.commit()
            return redirect(url_for(".manage", token=booked.manage_token, **{JUST_BOOKED[g.page_language]: 1}))
    chiropractors = {c.id: c for c in active_chiropractors(db.session)}
    return render_template("booking/confirm_by_email.html", booking=booking, form=form, error=error,
                           chiropractor=chiropractors.get(booking.chiropractor_id)), (409 if error else 200)


def refused_booking(form: DetailsForm, choice, slot, refusal):
    """Show the details again with the reason next to the right field and, for a lost slot,
    the nearest free times; everything typed stays filled in."""
    code = refusal.code
    field_codes = getattr(refusal, "fields", {}) or {}
    if isinstance(refusal, SlotTaken) or "start" in field_codes:
        form.slot.errors = [field_message(code if code in ("slot_taken", "patient_busy", "resource_taken") else field_codes.get("start", "slot_taken"))]
    for field, field_code in field_codes.items():
        if field in form and field != "start":
            form[field].errors = [field_message(field_code)]
    if code in ("too_many_open_bookings", "past_deadline", "type_not_offered"):
        form.slot.errors = [field_message(code)]
    context = summary_context(choice, slot)
    if form.slot.errors:
        context["alternatives"] = nearest_slots(choice, slot)
    return render_template("booking/details.html", form=form, **context), 409 if isinstance(refusal, Conflict) else 422


def nearest_slots(choice, slot):
    appointment_type, chiropractor_id = choice
    return nearest_free_slots(
        db.session, appointment_type, slot[1], policy=rules().policy, now=utcnow(), chiropractor_id=chiropractor_id,
        days=DAYS_SHOWN, count=NEAREST_SLOTS_OFFERED,
    )


def appointment_of_link(token: str):
    """Return the appointment the patient's secret link opens (404 if none); log the patient's own access."""
    return find_appointment_by_link(db.session, token, now=utcnow(), address=request.remote_addr,
                                    action=request_action())


@localized_route(bp, "/beheer/<token>", "/manage/<token>")
def manage(token: str):
    """Show the booked appointment with what the patient can still do themselves."""
    appointment = appointment_of_link(token)
    just_booked = request.args.get(JUST_BOOKED[g.page_language]) == "1"
    return render_template(
        "booking/manage.html",
        appointment=appointment,
        token=token,
        just_booked=just_booked,
        just_moved=request.args.get("verzet") == "1",
        changeable=can_still_change(appointment, rules(), utcnow()),
        visit=visit_details() if just_booked else None,
    )


@localized_route(bp, "/beheer/<token>/annuleren", "/manage/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    """Ask the patient to confirm the cancellation (with an optional reason), then cancel."""
    appointment = appointment_of_link(token)
    form = CancelAppointmentForm()
    if form.validate_on_submit():
        try:
            cancel_online(db.session, appointment, rules=rules(), now=utcnow(), reason=form.reason.data or "")
        except Conflict:
            db.session.rollback()
        else:
            db.session.commit()
        return redirect(url_for(".manage", token=token))
    return render_template("booking/cancel.html", appointment=appointment, token=token, form=form,
                           changeable=can_still_change(appointment, rules(), utcnow())), (422 if form.errors else 200)


@localized_route(bp, "/herinneringen-uit/<token>", "/reminders-off/<token>", methods=["GET", "POST"])
def reminders_off(token: str):
    """Turn reminder e-mails off from the link in a reminder."""
    patient = patient_of_reminders_off_token(token)
    form = CancelForm()
    done = form.validate_on_submit()
    if done:
        set_reminders_wanted(db.session, patient, False)
        db.session.commit()
    return render_template("booking/reminders_off.html", form=form, done=done)


@localized_route(bp, "/nazorg/<token>", "/aftercare/<token>", methods=["GET", "POST"])
def after_visit(token: str):
    """The check-in form after a treatment, from the link in its e-mail; the answers use the link up."""
    appointment = valid_after_visit_link(db.session, token, utcnow()).appointment
    form = AfterVisitForm()
    if form.validate_on_submit():
        try:
            record_after_visit_answers(db.session, token, form.report(), utcnow())
        except Invalid as refusal:
            db.session.rollback()
            for name, message in refusal.fields.items():
                getattr(form, name).errors.append(message)
        else:
            db.session.commit()
            return render_template("booking/after_visit.html", appointment=appointment, form=form, done=True)
    return render_template("booking/after_visit.html", appointment=appointment, form=form,
                           done=False), (422 if form.errors else 200)


@localized_route(bp, "/klachtenvragen/<token>", "/complaint-questions/<token>", methods=["GET", "POST"])
def outcome_measures(token: str):
    """The outcome measures before a visit, from the link in its e-mail: the portal's questions; the
    answers use the link up."""
    appointment = valid_outcome_link(db.session, token, utcnow()).appointment
    episode = open_episode_of(db.session, appointment)
    form = OutcomeMeasuresForm(asks_lefs=episode.asks_lefs)
    asks_change = bool(episode.measurements)
    if not form.is_submitted():
        for (activity, _score), chosen in zip(form.rows(), last_psk_activities(db.session, episode)):
            activity.data = chosen
    done = False
    if form.validate_on_submit():
        try:
            record_outcomes_by_link(db.session, token, form.entries(asks_change=asks_change), utcnow())
        except Invalid as refusal:
            db.session.rollback()
            form.place(refusal.fields, message_for)
        else:
            db.session.commit()
            done = True
    return render_template("booking/outcome_measures.html", appointment=appointment, episode=episode, form=form,
                           asks_change=asks_change, done=done), (422 if form.errors else 200)


@localized_route(bp, "/wachtlijst/<token>", "/waitlist/<token>", methods=["GET", "POST"])
@no_store
def claim_waitlist_offer(token: str):
    """A free time offered to the waitlist, from the link in its e-mail: claim it with one button.

    Whoever claims first gets it; the page then tells each what became of their claim.
    """
    offer = offer_of_link(db.session, token)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            claim_offer(db.session, token, utcnow())
        except (NotFound, OfferGone):
            pass  # the page shows why: used, expired, or taken by somebody else (recorded on the offer)
        db.session.commit()
        return redirect(url_for(".claim_waitlist_offer", token=token))
    return render_template("booking/waitlist_offer.html", offer=offer, form=form, state=offer_state(offer, utcnow()))


@localized_route(bp, "/beheer/<token>/verzetten", "/manage/<token>/reschedule", methods=["GET", "POST"])
def reschedule(token: str):
    """Move the appointment to another free time with the same chiropractor."""
    appointment = appointment_of_link(token)
    form = RescheduleForm()
    error = None
    if form.validate_on_submit():
        slot = parse_slot(form.slot.data)
        if slot is None or slot[0] != appointment.chiropractor_id:
            error = field_message("off_grid")
        else:
            try:
                reschedule_online(db.session, appointment, slot[1], rules=rules(), now=utcnow())
            except (SlotTaken, Invalid, Conflict) as refusal:
                db.session.rollback()
                error = field_message(refusal.fields.get("start", refusal.code) if refusal.fields else refusal.code)
            else:
                db.session.commit()
                return redirect(url_for(".manage", token=token, verzet=1))
    week = shown_week(request.args)
    slots = find_free_slots(
        db.session, appointment.appointment_type, week.first_day, week.last_day, policy=rules().policy,
        now=utcnow(), chiropractor_id=appointment.chiropractor_id, ignore_appointment_id=appointment.id,
        patient_id=appointment.patient_id,
    )
    deadline = utcnow() + rules().cancellation_deadline
    return render_template(
        "booking/reschedule.html",
        appointment=appointment,
        token=token,
        form=form,
        error=error,
        changeable=can_still_change(appointment, rules(), utcnow()),
        week=week.with_slots([s for s in slots if s.start >= deadline], request.args.get("dag")),
    ), (422 if error else 200)


def read_choice(values) -> tuple | str:
    """Return (appointment type, chiropractor id or None) from step 1, or an error code."""
    try:
        appointment_type = online_type(db.session, values.get("type") or "")
    except Invalid:
        return "unknown_type"
    raw = values.get("chiropractor") or "any"
    if raw == "any":
        return appointment_type, None
    chiropractor_id = row_id(raw)
    if chiropractor_id not in {c.id for c in active_chiropractors(db.session)}:
        return "unknown_type"
    return appointment_type, chiropractor_id


def parse_slot(raw: str | None) -> tuple[int, datetime] | None:
    """Return (chiropractor id, start) from a slot value "<id>@<ISO instant with offset>", or ``None``.

    Both halves are bounded (``clinic.bounds``): an id past the database's integers or a start near
    the year 1 or 9999 would otherwise fail later, in the database or in date arithmetic.
    """
    chiropractor, _, instant = (raw or "").partition("@")
    try:
        starts_at = datetime.fromisoformat(instant)
    except ValueError:
        return None
    chiropractor_id = row_id(chiropractor)
    if chiropractor_id is None or starts_at.tzinfo is None or starts_at.date() not in CLINIC_DAYS:
        return None
    return chiropractor_id, starts_at


def parse_day(raw: str | None) -> date | None:
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return None
    return day if day in CLINIC_DAYS else None


@dataclass(frozen=True)
class ShownWeek:
    """Seven days of free times, with one day selected to show its times."""

    first_day: date
    today: date
    days: tuple[tuple[date, int], ...] = ()
    selected: date | None = None
    selected_slots: tuple = ()
    # The weekdays someone works (0 = Monday); the others are not shown at all.
    open_weekdays: frozenset[int] = frozenset(range(7))

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=DAYS_SHOWN - 1)

    @property
    def previous(self) -> date | None:
        return self.first_day - timedelta(days=DAYS_SHOWN) if self.first_day > self.today else None

    @property
    def next(self) -> date:
        return self.first_day + timedelta(days=DAYS_SHOWN)

    def with_slots(self, slots, selected_raw: str | None) -> "ShownWeek":
        days = (self.first_day + timedelta(days=n) for n in range(DAYS_SHOWN))
        by_day = {day: [] for day in days if day.weekday() in self.open_weekdays}
        for slot in slots:
            by_day.setdefault(to_local(slot.start).date(), []).append(slot)
        selected = parse_day(selected_raw)
        if selected not in by_day or not by_day[selected]:
            selected = next((day for day, day_slots in by_day.items() if day_slots), None)
        return replace(
            self,
            days=tuple((day, len(day_slots)) for day, day_slots in by_day.items()),
            selected=selected,
            selected_slots=tuple(by_day.get(selected, ())),
        )


def shown_week(args) -> ShownWeek:
    """Return the week the visitor asked for (``week``), never one before today."""
    today = to_local(utcnow()).date()
    first_day = max(parse_day(args.get("week")) or today, today)
    return ShownWeek(first_day=first_day, today=today, open_weekdays=frozenset(opening_hours(db.session, first_day)))


def first_free_per_time(slots):
    """Keep one slot per start time: with no preference, the visitor chooses a time, not a person."""
    seen, kept = set(), []
    for slot in slots:
        if slot.start not in seen:
            seen.add(slot.start)
            kept.append(slot)
    return kept


def summary_context(choice, slot) -> dict:
    appointment_type, chiropractor_id = choice
    chiropractors = {c.id: c for c in active_chiropractors(db.session)}
    return {
        "appointment_type": appointment_type,
        "chosen_chiropractor": chiropractor_id,
        "slot_chiropractor": chiropractors.get(slot[0]),
        "starts_at": slot[1],
        "alternatives": [],
        "chiropractors": chiropractors,
    }
