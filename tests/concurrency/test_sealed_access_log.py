"""Record reads at the same moment: every access-log row gets its own seal number, without a gap or a clash.

Each thread reads a patient's record through the API as a client would, so the rows are written
the way the app writes them (at the end of a read-only request, in a transaction of their own).
"""
from __future__ import annotations

import threading
from collections import Counter
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import AccessLogEntry, Patient, Role
from clinic.services.accounts import issue_api_token
from clinic.services.record_seals import verify_table

THREADS = 16
READS_PER_THREAD = 8


def test_simultaneous_record_reads_are_sealed_one_after_another(app, create_account):
    user = create_account(Role.FRONTDESK)
    patient = Patient(first_name="Sanne", last_name="de Vries", date_of_birth=date(1990, 5, 17), created_source="frontdesk")
    db.session.add(patient)
    token = issue_api_token(db.session, user)
    db.session.commit()
    path, headers = f"/api/v1/patients/{patient.id}", {"Authorization": f"Bearer {token}"}
    barrier = threading.Barrier(THREADS, timeout=60)
    statuses: Counter = Counter()
    lock = threading.Lock()

    def reader():
        client = FlaskClient(app)
        barrier.wait()
        for _ in range(READS_PER_THREAD):
            status = client.get(path, headers=headers).status_code
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=reader) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    reads = THREADS * READS_PER_THREAD
    db.session.commit()  # ends the test's own snapshot (SQLite), taken when it read patient.id
    assert statuses == {200: reads}
    numbers = db.session.scalars(select(AccessLogEntry.seal_number).order_by(AccessLogEntry.seal_number)).all()
    assert numbers == list(range(1, reads + 1))
    assert verify_table(db.session, AccessLogEntry, app.config["RECORDS_KEY"]).findings == []
