"""Each open case's summary kept on its row (issue 13, item 8): the next thing due, its status
(overdue, needs a decision, pending, not checked, none), the recommendation and the placement in
force, as of a day and a policy, so the dashboard sorts and pages 10,000 open cases without
asking the engine about each (hearth.web.case_summaries); an index its counts and sort read
instead of the rows. Existing cases start with no summary;
the dashboard and the daily job make them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COLUMNS = (
    ('next_status', sa.String(length=10)),
    ('next_due', sa.String(length=32)),
    ('next_due_on', sa.Date()),
    ('next_due_title', sa.String(length=200)),
    ('next_due_kind', sa.String(length=10)),
    ('next_planned_for', sa.String(length=32)),
    ('recommendation', sa.String(length=100)),
    ('recommendation_label', sa.String(length=200)),
    ('placement_in_force', sa.String(length=64)),
    ('summary_problem', sa.String(length=10)),
    ('summary_as_of', sa.Date()),
    ('summary_policy_version', sa.String(length=40)),
    ('summary_policy_hash', sa.String(length=64)),
)


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        batch_op.add_column(sa.Column('next_planned_late', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('summary_revision', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ix_cases_summary', ['council_id', 'status', 'restricted', 'next_status', 'next_due',
                                                   'child_ref', 'summary_as_of', 'summary_policy_hash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_summary')
        batch_op.drop_column('summary_revision')
        batch_op.drop_column('next_planned_late')
        for name, _kind in reversed(COLUMNS):
            batch_op.drop_column(name)
