"""The dashboard's search from the index (issue 13, item 8): the summary index made again with
the worker, the team, the due day and the reference in lower case, so a search by reference or
worker (and the worker, team and "due this week" filters) reads the index instead of every open
case's row, and the case-insensitive match on the reference compares lower(child_ref) as the
index holds it instead of working it out for each case.

SQLAlchemy cannot reflect an index on an expression from SQLite: comparing the models with a
SQLite database skips this index (with a warning; PostgreSQL's is compared), and a later batch
migration that copies the cases table on SQLite must create it again
(tests/web/test_dashboard_search.py checks it at head).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SUMMARY = ['council_id', 'status', 'restricted', 'next_status', 'next_due', 'child_ref', 'summary_as_of',
           'summary_policy_hash']


def upgrade() -> None:
    op.drop_index('ix_cases_summary', table_name='cases')
    op.create_index('ix_cases_summary', 'cases',
                    [*SUMMARY, 'worker_id', 'team_id', 'next_due_on', sa.text('lower(child_ref)')], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cases_summary', table_name='cases')
    op.create_index('ix_cases_summary', 'cases', SUMMARY, unique=False)
