"""Clinic foundation: accounts, API tokens, chiropractors with working hours and time off,
patients, appointment types and appointments.

Generated with autogenerate and reviewed: instants use DateTime(timezone=True), which the models
wrap in UTCDateTime (stores UTC, refuses naive values); every CHECK, UNIQUE and FK is named.

Revision ID: d5a5d981a2e4
Revises: 
Create Date: 2026-11-25 14:25:00.065182

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd5a5d981a2e4'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('appointment_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_nl', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('buffer_after_minutes', sa.Integer(), nullable=False),
    sa.Column('modality', sa.String(length=16), nullable=False),
    sa.Column('is_online_bookable', sa.Boolean(), nullable=False),
    sa.Column('is_open_to_new_patients', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("code <> ''", name=op.f('ck_appointment_types_code_not_empty')),
    sa.CheckConstraint("modality IN ('consult', 'adjustment', 'massage', 'dry_needling', 'decompression')", name=op.f('ck_appointment_types_modality_known')),
    sa.CheckConstraint('buffer_after_minutes >= 0', name=op.f('ck_appointment_types_buffer_not_negative')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_appointment_types_duration_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_types')),
    sa.UniqueConstraint('code', name=op.f('uq_appointment_types_code'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_login_count', sa.Integer(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'frontdesk', 'chiropractor', 'patient')", name=op.f('ck_users_role_known')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lower_case')),
    sa.CheckConstraint('failed_login_count >= 0', name=op.f('ck_users_failed_login_count_not_negative')),
    sa.CheckConstraint('session_version >= 1', name=op.f('ck_users_session_version_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'])

    op.create_table('chiropractors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("slug <> ''", name=op.f('ck_chiropractors_slug_not_empty')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_chiropractors_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chiropractors')),
    sa.UniqueConstraint('slug', name=op.f('uq_chiropractors_slug')),
    sa.UniqueConstraint('user_id', name=op.f('uq_chiropractors_user_id'))
    )
    op.create_table('patients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True, comment='E.164, e.g. +31612345678'),
    sa.Column('preferred_language', sa.String(length=2), nullable=False),
    sa.Column('sport', sa.String(length=100), nullable=False),
    sa.Column('privacy_consent_at', sa.DateTime(timezone=True), nullable=True, comment='when the patient agreed to the privacy statement; NULL = not yet'),
    sa.Column('created_source', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("created_source IN ('frontdesk', 'online')", name=op.f('ck_patients_created_source_known')),
    sa.CheckConstraint("first_name <> '' AND last_name <> ''", name=op.f('ck_patients_names_not_empty')),
    sa.CheckConstraint("preferred_language IN ('nl', 'en')", name=op.f('ck_patients_preferred_language_known')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_patients_email_lower_case')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_patients_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients')),
    sa.UniqueConstraint('user_id', name=op.f('uq_patients_user_id'))
    )
    op.create_index(op.f('ix_patients_date_of_birth'), 'patients', ['date_of_birth'])
    op.create_index(op.f('ix_patients_email'), 'patients', ['email'])
    op.create_index(op.f('ix_patients_last_name_first_name'), 'patients', ['last_name', 'first_name'])

    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('chiropractor_id', sa.Integer(), nullable=False),
    sa.Column('appointment_type_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'cancelled') = (cancelled_at IS NOT NULL)", name=op.f('ck_appointments_cancelled_at_iff_cancelled')),
    sa.CheckConstraint("source IN ('frontdesk', 'online', 'api')", name=op.f('ck_appointments_source_known')),
    sa.CheckConstraint("status IN ('booked', 'checked_in', 'completed', 'cancelled', 'no_show')", name=op.f('ck_appointments_status_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_appointments_ends_after_start')),
    sa.ForeignKeyConstraint(['appointment_type_id'], ['appointment_types.id'], name=op.f('fk_appointments_appointment_type_id_appointment_types'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['chiropractor_id'], ['chiropractors.id'], name=op.f('fk_appointments_chiropractor_id_chiropractors'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_appointments_patient_id_patients'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    op.create_index(op.f('ix_appointments_appointment_type_id'), 'appointments', ['appointment_type_id'])
    op.create_index(op.f('ix_appointments_chiropractor_id_starts_at'), 'appointments', ['chiropractor_id', 'starts_at'])
    op.create_index(op.f('ix_appointments_patient_id_starts_at'), 'appointments', ['patient_id', 'starts_at'])
    op.create_index(op.f('ix_appointments_starts_at'), 'appointments', ['starts_at'])

    op.create_table('time_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chiropractor_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_time_off_ends_after_start')),
    sa.ForeignKeyConstraint(['chiropractor_id'], ['chiropractors.id'], name=op.f('fk_time_off_chiropractor_id_chiropractors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_off'))
    )
    op.create_index(op.f('ix_time_off_chiropractor_id_starts_at'), 'time_off', ['chiropractor_id', 'starts_at'])

    op.create_table('working_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chiropractor_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False, comment='0 = Monday … 6 = Sunday'),
    sa.Column('start_time', sa.Time(), nullable=False, comment='local wall-clock time, Europe/Amsterdam'),
    sa.Column('end_time', sa.Time(), nullable=False, comment='local wall-clock time, Europe/Amsterdam'),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True, comment='last day these hours apply; open if NULL'),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_working_hours_ends_after_start')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_working_hours_valid_range')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_working_hours_weekday_monday_to_sunday')),
    sa.ForeignKeyConstraint(['chiropractor_id'], ['chiropractors.id'], name=op.f('fk_working_hours_chiropractor_id_chiropractors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_hours'))
    )
    op.create_index(op.f('ix_working_hours_chiropractor_id_weekday'), 'working_hours', ['chiropractor_id', 'weekday'])



def downgrade():
    op.drop_index(op.f('ix_working_hours_chiropractor_id_weekday'), table_name='working_hours')

    op.drop_table('working_hours')
    op.drop_index(op.f('ix_time_off_chiropractor_id_starts_at'), table_name='time_off')

    op.drop_table('time_off')
    op.drop_index(op.f('ix_appointments_starts_at'), table_name='appointments')
    op.drop_index(op.f('ix_appointments_patient_id_starts_at'), table_name='appointments')
    op.drop_index(op.f('ix_appointments_chiropractor_id_starts_at'), table_name='appointments')
    op.drop_index(op.f('ix_appointments_appointment_type_id'), table_name='appointments')

    op.drop_table('appointments')
    op.drop_index(op.f('ix_patients_last_name_first_name'), table_name='patients')
    op.drop_index(op.f('ix_patients_email'), table_name='patients')
    op.drop_index(op.f('ix_patients_date_of_birth'), table_name='patients')

    op.drop_table('patients')
    op.drop_table('chiropractors')
    op.drop_index(op.f('ix_api_tokens_user_id'), table_name='api_tokens')

    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('appointment_types')
