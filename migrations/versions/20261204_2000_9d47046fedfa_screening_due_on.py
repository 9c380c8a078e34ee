"""Screening: the day from which a full screening is due again (issue 16, safety first).

Hand-written. A profile screened before this revision gets the default period (6 months after
the clinic day it was screened on), computed here rather than in SQL because SQLite and
PostgreSQL do calendar months differently. SQLite rebuilds the table in batch mode for the CHECK;
no triggers live on patient_readiness_profiles, so the rebuild loses nothing.

Revision ID: 9d47046fedfa
Revises: c9f3a5b7d1e2
Create Date: 2026-12-04 20:00:00

"""
import calendar
from datetime import date, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d47046fedfa'
down_revision = 'c9f3a5b7d1e2'
branch_labels = None
depends_on = None

DEFAULT_VALID_MONTHS = 6
CLINIC_TZ = ZoneInfo("Europe/Amsterdam")

profiles = sa.table(
    'patient_readiness_profiles',
    sa.column('id', sa.Integer),
    sa.column('screened_at', sa.DateTime(timezone=True)),
    sa.column('screening_due_on', sa.Date),
)


def _months_after(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def upgrade():
    with op.batch_alter_table('patient_readiness_profiles') as batch_op:
        batch_op.add_column(sa.Column(
            'screening_due_on', sa.Date(), nullable=True,
            comment='the clinic day from which a full screening is due again (SCREENING_VALID_MONTHS after it)',
        ))
    bind = op.get_bind()
    for profile_id, screened_at in bind.execute(
            sa.select(profiles.c.id, profiles.c.screened_at).where(profiles.c.screened_at.is_not(None))).all():
        if screened_at.tzinfo is None:  # SQLite hands back the stored UTC value without its zone
            screened_at = screened_at.replace(tzinfo=timezone.utc)
        due_on = _months_after(screened_at.astimezone(CLINIC_TZ).date(), DEFAULT_VALID_MONTHS)
        bind.execute(profiles.update().where(profiles.c.id == profile_id).values(screening_due_on=due_on))
    with op.batch_alter_table('patient_readiness_profiles') as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_patient_readiness_profiles_screening_due_when_screened'),
            "(screened_at IS NULL) = (screening_due_on IS NULL)",
        )


def downgrade():
    with op.batch_alter_table('patient_readiness_profiles') as batch_op:
        batch_op.drop_constraint(op.f('ck_patient_readiness_profiles_screening_due_when_screened'), type_='check')
        batch_op.drop_column('screening_due_on')
