"""webhooks: an attempt whose sender stopped before recording its outcome is logged as "interrupted"

Revision ID: 0014
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

BEFORE = ("ok", "http_error", "timeout", "connection_error", "refused")
AFTER = BEFORE + ("interrupted",)


def _outcome(values):
    return sa.Enum(*values, name="webhook_attempt_outcome", native_enum=False, create_constraint=True)


def upgrade():
    # the outcome's CHECK constraint is dropped and made anew from the types (batch mode copies the table
    # on SQLite, which cannot alter a constraint)
    with op.batch_alter_table("webhook_attempts", recreate="always") as batch_op:
        batch_op.alter_column("outcome", existing_type=_outcome(BEFORE), type_=_outcome(AFTER),
                              existing_nullable=False)


def downgrade():
    op.execute("DELETE FROM webhook_attempts WHERE outcome = 'interrupted'")
    with op.batch_alter_table("webhook_attempts", recreate="always") as batch_op:
        batch_op.alter_column("outcome", existing_type=_outcome(AFTER), type_=_outcome(BEFORE),
                              existing_nullable=False)
