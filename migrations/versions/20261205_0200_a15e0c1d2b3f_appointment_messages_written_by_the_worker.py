"""Appointment e-mails are written by the mail worker from what the request stored; reminders once per start (issue 15).

Hand-written. The outbox gains the appointment, language, start and calendar sequence a message
reports; subject and body may wait for the worker. A partial UNIQUE index keeps one reminder per
appointment and start, whichever worker queues it. ``reminder_opt_outs`` lists the patients who
asked for no reminders. SQLite rebuilds outbox_messages in batch mode (no triggers live on it).

Revision ID: a15e0c1d2b3f
Revises: cc8fd0897811
Create Date: 2026-12-05 02:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a15e0c1d2b3f'
down_revision = 'cc8fd0897811'
branch_labels = None
depends_on = None

REMINDERS_ONLY = sa.text("kind = 'appointment_reminder'")


def upgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.alter_column('subject', existing_type=sa.String(length=200), nullable=True)
        batch_op.alter_column('body_text', existing_type=sa.Text(), nullable=True)
        batch_op.add_column(sa.Column('appointment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('appointment_starts_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), nullable=True,
                                      comment='SEQUENCE of the calendar file: higher on every change'))
        batch_op.add_column(sa.Column('unsubscribe_url', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(op.f('fk_outbox_messages_appointment_id_appointments'), 'appointments',
                                    ['appointment_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(op.f('ix_outbox_messages_appointment_id'), ['appointment_id'])
        batch_op.drop_constraint(op.f('ck_outbox_messages_status_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_messages_status_known'),
                                         "status IN ('pending', 'sent', 'failed', 'skipped')")
        batch_op.create_check_constraint(op.f('ck_outbox_messages_subject_with_body'),
                                         '(subject IS NULL) = (body_text IS NULL)')
        batch_op.create_check_constraint(
            op.f('ck_outbox_messages_written_or_writable'),
            'subject IS NOT NULL OR (appointment_id IS NOT NULL AND language IS NOT NULL'
            ' AND appointment_starts_at IS NOT NULL)')
        batch_op.create_check_constraint(op.f('ck_outbox_messages_sent_was_written'),
                                         "status <> 'sent' OR subject IS NOT NULL")
        batch_op.create_check_constraint(op.f('ck_outbox_messages_calendar_sequence_not_negative'),
                                         'calendar_sequence >= 0')
    op.create_index('uq_outbox_messages_one_reminder', 'outbox_messages',
                    ['appointment_id', 'kind', 'appointment_starts_at'], unique=True,
                    sqlite_where=REMINDERS_ONLY, postgresql_where=REMINDERS_ONLY)
    op.create_table(
        'reminder_opt_outs',
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_reminder_opt_outs_patient_id_patients'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_reminder_opt_outs')),
    )


def downgrade():
    op.drop_table('reminder_opt_outs')
    op.drop_index('uq_outbox_messages_one_reminder', table_name='outbox_messages')
    # Messages the worker has not written yet cannot be kept without subject and body.
    op.execute("DELETE FROM outbox_messages WHERE subject IS NULL")
    op.execute("UPDATE outbox_messages SET status = 'failed' WHERE status = 'skipped'")
    with op.batch_alter_table('outbox_messages') as batch_op:
        for name in ('calendar_sequence_not_negative', 'sent_was_written', 'written_or_writable', 'subject_with_body',
                     'status_known'):
            batch_op.drop_constraint(op.f(f'ck_outbox_messages_{name}'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_messages_status_known'),
                                         "status IN ('pending', 'sent', 'failed')")
        batch_op.drop_index(op.f('ix_outbox_messages_appointment_id'))
        batch_op.drop_constraint(op.f('fk_outbox_messages_appointment_id_appointments'), type_='foreignkey')
        batch_op.drop_column('unsubscribe_url')
        batch_op.drop_column('calendar_sequence')
        batch_op.drop_column('appointment_starts_at')
        batch_op.drop_column('language')
        batch_op.drop_column('appointment_id')
        batch_op.alter_column('body_text', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('subject', existing_type=sa.String(length=200), nullable=False)
