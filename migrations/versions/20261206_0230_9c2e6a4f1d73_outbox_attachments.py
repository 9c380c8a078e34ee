"""outbox attachments: an e-mail carries any number of files, in their order

A treatment series is confirmed with a calendar file per appointment (an iTIP request is about one
event; calendars take only the first event of a file with more), so the one attachment in columns
of ``outbox_messages`` (``attachment_name``, ``attachment_type``, ``attachment``) moves to the new
table ``outbox_attachments``: one row per file, ``position`` its place in the message (UNIQUE per
message), name and MIME type not empty, the content NOT NULL; deleting a message deletes its files
(ON DELETE CASCADE). The upgrade moves every existing attachment into the table (position 0; a
missing name or type becomes ``attachment`` / ``application/octet-stream``) and drops the columns, on
SQLite with ALTER TABLE DROP COLUMN as migration b7f3e91c6a24 does: nothing else refers to them.

The downgrade puts the columns back with each message's first file: the older schema holds one, so
the further files of a message (the later appointments of a series confirmation) are lost.

Revision ID: 9c2e6a4f1d73
Revises: b7f3e91c6a24
Create Date: 2026-12-06 02:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "9c2e6a4f1d73"
down_revision = "b7f3e91c6a24"
branch_labels = None
depends_on = None

TABLE = "outbox_attachments"
OLD_COLUMNS = (
    ("attachment_name", sa.String(length=100), "name"),
    ("attachment_type", sa.String(length=100), "mime_type"),
    ("attachment", sa.Text(), "content"),
)


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_outbox_attachments_position_not_negative")),
        sa.CheckConstraint("name <> ''", name=op.f("ck_outbox_attachments_name_not_empty")),
        sa.CheckConstraint("mime_type LIKE '_%/_%'", name=op.f("ck_outbox_attachments_mime_type_is_a_type")),
        sa.ForeignKeyConstraint(["message_id"], ["outbox_messages.id"],
                                name=op.f("fk_outbox_attachments_message_id_outbox_messages"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attachments")),
        sa.UniqueConstraint("message_id", "position", name=op.f("uq_outbox_attachments_message_id_position")),
    )
    op.execute(
        f"INSERT INTO {TABLE} (message_id, position, name, mime_type, content) "
        "SELECT id, 0, COALESCE(NULLIF(attachment_name, ''), 'attachment'), "
        "CASE WHEN attachment_type LIKE '_%/_%' THEN attachment_type ELSE 'application/octet-stream' END, "
        "attachment FROM outbox_messages WHERE attachment IS NOT NULL ORDER BY id"
    )
    for column, _type, _new in OLD_COLUMNS:
        op.execute(f"ALTER TABLE outbox_messages DROP COLUMN {column}")


def downgrade():
    for column, column_type, _new in OLD_COLUMNS:
        op.add_column("outbox_messages", sa.Column(column, column_type, nullable=True))
    first = (f"FROM {TABLE} WHERE message_id = outbox_messages.id AND position = "
             f"(SELECT MIN(position) FROM {TABLE} WHERE message_id = outbox_messages.id)")
    op.execute("UPDATE outbox_messages SET " + ", ".join(
        f"{column} = (SELECT {new} {first})" for column, _type, new in OLD_COLUMNS))
    op.drop_table(TABLE)
