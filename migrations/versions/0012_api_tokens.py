"""api: personal API tokens

Revision ID: 0012
Revises: 0013 (given as 0004; chained after the webhooks migration once main had it)
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import vocapp.models.base

revision = "0012"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("scopes", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("integration_role", sa.Enum("admin", "designer", "analyst", name="api_token_role",
                                              native_enum=False, create_constraint=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", vocapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", vocapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", vocapp.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", vocapp.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_from", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff_users.id"],
                                name=op.f("fk_api_tokens_created_by_id_staff_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_users.id"],
                                name=op.f("fk_api_tokens_staff_user_id_staff_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_staff_user_id"), ["staff_user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_staff_user_id"))
    op.drop_table("api_tokens")
