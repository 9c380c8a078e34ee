"""Patient portal: login links are patient tokens of their own purpose that work once.

Hand-written. SQLite cannot alter a CHECK, so the table is rebuilt in batch mode there; no
triggers live on patient_tokens, so the rebuild loses nothing.

Revision ID: e9a1c3b5d7f0
Revises: b3d5f7a9c1e2
Create Date: 2026-11-30 04:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e9a1c3b5d7f0'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patient_tokens') as batch_op:
        batch_op.add_column(sa.Column('used_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_patient_tokens_purpose_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_patient_tokens_purpose_known'), "purpose IN ('manage_appointment', 'portal_login')"
        )
        batch_op.create_check_constraint(
            op.f('ck_patient_tokens_only_login_links_are_used_up'), "used_at IS NULL OR purpose = 'portal_login'"
        )


def downgrade():
    op.execute("DELETE FROM patient_tokens WHERE purpose = 'portal_login'")
    with op.batch_alter_table('patient_tokens') as batch_op:
        batch_op.drop_constraint(op.f('ck_patient_tokens_only_login_links_are_used_up'), type_='check')
        batch_op.drop_constraint(op.f('ck_patient_tokens_purpose_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_patient_tokens_purpose_known'), "purpose IN ('manage_appointment')")
        batch_op.drop_column('used_at')
