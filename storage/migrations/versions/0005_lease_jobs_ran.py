"""scheduler_lease: when the leader's scheduler last started a job

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-12 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('scheduler_lease', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('jobs_ran_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('scheduler_lease', schema=None) as batch_op:
        batch_op.drop_column('jobs_ran_at')
