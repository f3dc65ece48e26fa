"""check_in.comment: DM replies kept as typed, not as Slack escaped them

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-12 10:00:00

Until now a DM reply was kept as Slack sent it (`&lt;` `&gt;` `&amp;`) and escaped again when
shown (`&amp;lt;`). DM replies are the only writer of this column, so every value in it is
Slack's escaping of what was typed, exactly once: decoding the three entities once gives the
text as typed, which is what is kept from now on. The order (`&lt;`, `&gt;`, then `&amp;`) is
a single decoding: `&amp;lt;` (a typed `&lt;`) becomes `&lt;`, never `<`.
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE check_in SET comment = "
        "REPLACE(REPLACE(REPLACE(comment, '&lt;', '<'), '&gt;', '>'), '&amp;', '&') "
        "WHERE comment LIKE '%&%'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE check_in SET comment = "
        "REPLACE(REPLACE(REPLACE(comment, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') "
        "WHERE comment LIKE '%&%' OR comment LIKE '%<%' OR comment LIKE '%>%'"
    )
