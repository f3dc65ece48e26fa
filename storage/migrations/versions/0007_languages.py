"""languages: workspace.language, person.language (chosen) and person.locale (Slack's)

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-19 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'language',
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default='en',
            )
        )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
        batch_op.add_column(
            sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )


def downgrade() -> None:
    # Dropped in place (SQLite 3.35+): copying the tables would trip their foreign keys.
    with op.batch_alter_table('person', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('locale')
        batch_op.drop_column('language')
    with op.batch_alter_table('workspace', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('language')
