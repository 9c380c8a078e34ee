"""Check-in complaints that count as a red flag are reviewed by a chiropractor: who and when (issue 16).

Hand-written. SQLite rebuilds the table in batch mode for the foreign key and the CHECK; no
triggers live on wellness_complaints, so the rebuild loses nothing. Reports made before this
revision start unreviewed: from now on they count as red flags until a chiropractor reviews them.

Revision ID: cc8fd0897811
Revises: 9d47046fedfa
Create Date: 2026-12-04 20:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'cc8fd0897811'
down_revision = '9d47046fedfa'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wellness_complaints') as batch_op:
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True,
                                      comment='when a chiropractor reviewed this report; NULL = not yet'))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_wellness_complaints_reviewed_by_id_users'), 'users',
                                    ['reviewed_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(op.f('ck_wellness_complaints_reviewer_with_review'),
                                         'reviewed_by_id IS NULL OR reviewed_at IS NOT NULL')


def downgrade():
    with op.batch_alter_table('wellness_complaints') as batch_op:
        batch_op.drop_constraint(op.f('ck_wellness_complaints_reviewer_with_review'), type_='check')
        batch_op.drop_constraint(op.f('fk_wellness_complaints_reviewed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('reviewed_at')
