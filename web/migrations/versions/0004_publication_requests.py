"""Publication requests: a policy officer asks for a set to be put in force from a date and a
second officer approves it (the publication is made then); 'requested' and 'approved' audit entries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD_ACTIONS = ("action IN ('viewed', 'created', 'changed', 'exported', 'login', 'login_failed', "
               "'logout', 'refused', 'published')")
NEW_ACTIONS = ("action IN ('viewed', 'created', 'changed', 'exported', 'login', 'login_failed', "
               "'logout', 'refused', 'published', 'requested', 'approved')")


def upgrade() -> None:
    op.create_table('publication_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.String(length=64), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('requested_by', sa.String(length=254), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('approved_by', sa.String(length=254), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('publication_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'approved', 'withdrawn')", name=op.f('ck_publication_requests_status')),
    sa.ForeignKeyConstraint(['set_id'], ['policy_sets.id'], name=op.f('fk_publication_requests_set_id_policy_sets'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['publication_id'], ['policy_publications.id'],
                            name=op.f('fk_publication_requests_publication_id_policy_publications'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_requests'))
    )
    with op.batch_alter_table('publication_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_requests_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publication_requests_set_id'), ['set_id'], unique=False)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_action'), type_='check')
        batch_op.create_check_constraint('action', NEW_ACTIONS)


def downgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_action'), type_='check')
        batch_op.create_check_constraint('action', OLD_ACTIONS)
    with op.batch_alter_table('publication_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_requests_set_id'))
        batch_op.drop_index(batch_op.f('ix_publication_requests_council_id'))
    op.drop_table('publication_requests')
