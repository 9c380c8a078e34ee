"""Values kept per schedule revision: made once, made again after a change, made once when asked at once."""
import threading
import time

import pytest
from sqlalchemy import update

from clinic.extensions import db
from clinic.models import ScheduleRevision
from clinic.services.revision_cache import RevisionCache


def raise_revision() -> None:
    db.session.execute(update(ScheduleRevision).values(value=ScheduleRevision.value + 1))
    db.session.commit()


def test_a_value_is_made_once_per_revision_and_question(app):
    cache = RevisionCache(8)
    made = []

    def make(name):
        return lambda: made.append(name) or f"{name} #{len(made)}"

    assert cache.get(db.session, "monday", make("monday")) == "monday #1"
    assert cache.get(db.session, "monday", make("monday")) == "monday #1"
    assert cache.get(db.session, "tuesday", make("tuesday")) == "tuesday #2"
    raise_revision()
    assert cache.get(db.session, "monday", make("monday")) == "monday #3"


def test_a_maker_that_raises_keeps_nothing(app):
    cache = RevisionCache(8)

    def refuse():
        raise LookupError("no such day")

    with pytest.raises(LookupError):
        cache.get(db.session, "monday", refuse)
    assert cache.get(db.session, "monday", lambda: "made") == "made"


def test_requests_asking_while_the_value_is_being_made_wait_for_it(app):
    """One request makes the value; one arriving meanwhile gets the same value without making it again."""
    cache = RevisionCache(8)
    first_is_making = threading.Event()
    let_first_finish = threading.Event()
    makers = []
    answers = {}

    def ask(name, make):
        with app.app_context():
            answers[name] = cache.get(db.session, "monday", make)
            db.session.remove()

    def slow_make():
        makers.append("first")
        first_is_making.set()
        let_first_finish.wait(5)
        return "the first one's value"

    def quick_make():
        makers.append("second")
        return "the second one's value"

    first = threading.Thread(target=ask, args=("first", slow_make))
    first.start()
    assert first_is_making.wait(5)
    second = threading.Thread(target=ask, args=("second", quick_make))
    second.start()
    time.sleep(0.2)  # the second request has asked by now; without waiting it would have made its own
    let_first_finish.set()
    first.join(5)
    second.join(5)
    assert makers == ["first"]
    assert answers == {"first": "the first one's value", "second": "the first one's value"}
