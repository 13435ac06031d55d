"""Records name the policy content hash they were made under (events, submissions, audit
entries: ``policy_hash``), filled for existing rows from the publications in force on their
day; a publication request keeps why it was withdrawn or declined; 'tested' and 'withdrawn'
audit entries (the policy workspace).

Rows made before any publication was stored keep ``policy_hash`` empty here; `hearth policy
import` fills them (hearth.web.policy_store.name_records) once their council has one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_ACTIONS = ("action IN ('viewed', 'created', 'changed', 'exported', 'login', 'login_failed', "
               "'logout', 'refused', 'published', 'requested', 'approved')")
NEW_ACTIONS = ("action IN ('viewed', 'created', 'changed', 'exported', 'login', 'login_failed', "
               "'logout', 'refused', 'published', 'requested', 'approved', 'tested', 'withdrawn')")
# Each table, the column giving its council and the moment its row was made (a frozen copy:
# a migration never imports today's code).
RECORDS = (("events", "(SELECT council_id FROM cases WHERE cases.id = events.case_id)", "recorded_at"),
           ("submissions", "(SELECT council_id FROM cases WHERE cases.id = submissions.case_id)", "created_at"),
           ("audit_entries", "audit_entries.council_id", "at"))


def upgrade() -> None:
    for table, _council, _when in RECORDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('policy_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('publication_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_note', sa.Text(), nullable=True))
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_action'), type_='check')
        batch_op.create_check_constraint('action', NEW_ACTIONS)
    _name_existing_records()


def _name_existing_records() -> None:
    """Each record with a council gets the hash of the set its council had in force on the
    record's day: the latest-published publication with effective_from on or before it."""
    # The day of a moment: SQLite keeps both as ISO text (CAST would make 2026 of it).
    day = "date({when})" if op.get_bind().dialect.name == "sqlite" else "CAST({when} AS DATE)"
    in_force = ("(SELECT s.content_hash FROM policy_publications p JOIN policy_sets s ON s.id = p.set_id "
                "WHERE p.council_id = {council} AND p.effective_from <= " + day + " "
                "ORDER BY p.effective_from DESC, p.published_at DESC, p.id DESC LIMIT 1)")
    for table, council, when in RECORDS:
        op.execute(f"UPDATE {table} SET policy_hash = "
                   + in_force.format(council=council, when=f"{table}.{when}")
                   + " WHERE policy_hash IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_action'), type_='check')
        batch_op.create_check_constraint('action', OLD_ACTIONS)
    with op.batch_alter_table('publication_requests', schema=None) as batch_op:
        batch_op.drop_column('decision_note')
    for table, _council, _when in RECORDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('policy_hash')
