"""a3 reports, hansei answers, scheduler lease, reflection state

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:27:50.986688
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('scheduler_lease',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('acquired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('heartbeat_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('a3_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('root_cause', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('countermeasure', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('action_owner_id', sa.Integer(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('worked', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('worked_note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('worked_period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True),
    sa.Column('worked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_owner_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['objective_id'], ['objective.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('objective_id', 'period', name='uq_a3_period')
    )
    with op.batch_alter_table('a3_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_a3_report_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_a3_report_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('hansei_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('went_well', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('went_badly', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('root_causes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('learned', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('carry_over', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['objective.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('objective_id', 'year', name='uq_hansei_year')
    )
    with op.batch_alter_table('hansei_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hansei_answer_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hansei_answer_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('objective', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_objective_carried_from', 'objective', ['carried_from_id'], ['id'])

    with op.batch_alter_table('reflection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('carryover_started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('carryover_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('reflection', schema=None) as batch_op:
        batch_op.drop_column('carryover_by')
        batch_op.drop_column('carryover_started_at')
        batch_op.drop_column('blocked_reason')

    with op.batch_alter_table('objective', schema=None) as batch_op:
        batch_op.drop_constraint('fk_objective_carried_from', type_='foreignkey')
        batch_op.drop_column('carried_from_id')

    with op.batch_alter_table('hansei_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hansei_answer_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_hansei_answer_objective_id'))

    op.drop_table('hansei_answer')
    with op.batch_alter_table('a3_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_a3_report_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_a3_report_objective_id'))

    op.drop_table('a3_report')
    op.drop_table('scheduler_lease')
