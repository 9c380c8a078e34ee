"""Online booking: single-purpose links for patients (hashed tokens) and the e-mail outbox.

Reviewed after autogenerate; two new tables, nothing existing changes.

Revision ID: d53ececf2409
Revises: f767f70241cc
Create Date: 2026-11-25 14:46:13.035646

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd53ececf2409'
down_revision = 'f767f70241cc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('attachment_name', sa.String(length=100), nullable=True),
    sa.Column('attachment_type', sa.String(length=100), nullable=True),
    sa.Column('attachment', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_outbox_messages_status_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_messages_attempts_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    op.create_index(op.f('ix_outbox_messages_status_next_attempt_at'), 'outbox_messages', ['status', 'next_attempt_at'])

    op.create_table('patient_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=24), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('manage_appointment')", name=op.f('ck_patient_tokens_purpose_known')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_patient_tokens_appointment_id_appointments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_patient_tokens_patient_id_patients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_patient_tokens_token_hash'))
    )
    op.create_index(op.f('ix_patient_tokens_appointment_id'), 'patient_tokens', ['appointment_id'])
    op.create_index(op.f('ix_patient_tokens_patient_id'), 'patient_tokens', ['patient_id'])



def downgrade():
    op.drop_index(op.f('ix_patient_tokens_patient_id'), table_name='patient_tokens')
    op.drop_index(op.f('ix_patient_tokens_appointment_id'), table_name='patient_tokens')

    op.drop_table('patient_tokens')
    op.drop_index(op.f('ix_outbox_messages_status_next_attempt_at'), table_name='outbox_messages')

    op.drop_table('outbox_messages')
