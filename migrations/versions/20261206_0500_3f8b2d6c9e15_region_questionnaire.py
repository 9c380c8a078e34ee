"""region questionnaire: the chiropractor chooses per care episode whether the patient answers the LEFS

One nullable column, ``care_episodes.region_questionnaire`` ('lefs' or none), with its CHECK.
Existing episodes get none: their patients are asked pain, activities and change, as before.

Hand-written as a plain ADD COLUMN with the CHECK inline on both engines, as 8b3f6d2e1c47 did: the
CHECK belongs to the column, so SQLite's DROP COLUMN can take it away again in the downgrade.

Revision ID: 3f8b2d6c9e15
Revises: 9c2e6a4f1d73
Create Date: 2026-12-06 05:00:00
"""
from alembic import op

revision = "3f8b2d6c9e15"
down_revision = "9c2e6a4f1d73"
branch_labels = None
depends_on = None

COMMENT = ("the region-specific questionnaire the patient answers before visits (none: only pain, "
           "activities and change)")


def upgrade():
    op.execute("ALTER TABLE care_episodes ADD COLUMN region_questionnaire VARCHAR(10) "
               "CONSTRAINT ck_care_episodes_region_questionnaire_known CHECK (region_questionnaire IN ('lefs'))")
    if op.get_bind().dialect.name == "postgresql":  # SQLite keeps no comments
        op.execute(f"COMMENT ON COLUMN care_episodes.region_questionnaire IS '{COMMENT}'")


def downgrade():
    op.execute("ALTER TABLE care_episodes DROP COLUMN region_questionnaire")
