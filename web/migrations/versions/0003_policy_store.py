"""A council's policy in the database: published sets (files by content hash, never changed),
their publications (who published and approved, when, from which date, why), and one draft
per council with its files and revision; 'published' audit entries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OLD_ACTIONS = ("action IN ('viewed', 'created', 'changed', 'exported', 'login', 'login_failed', "
               "'logout', 'refused')")
NEW_ACTIONS = ("action IN ('viewed', 'created', 'changed', 'exported', 'login', 'login_failed', "
               "'logout', 'refused', 'published')")


def upgrade() -> None:
    op.create_table('policy_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.String(length=64), nullable=False),
    sa.Column('base_hash', sa.String(length=64), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_drafts')),
    sa.UniqueConstraint('council_id', name=op.f('uq_policy_drafts_council_id'))
    )
    op.create_table('policy_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_sets')),
    sa.UniqueConstraint('council_id', 'content_hash', name='uq_policy_sets_council_id_content_hash')
    )
    with op.batch_alter_table('policy_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_sets_council_id'), ['council_id'], unique=False)

    op.create_table('policy_draft_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['policy_drafts.id'], name=op.f('fk_policy_draft_files_draft_id_policy_drafts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_draft_files')),
    sa.UniqueConstraint('draft_id', 'path', name='uq_policy_draft_files_draft_id_path')
    )
    with op.batch_alter_table('policy_draft_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_draft_files_draft_id'), ['draft_id'], unique=False)

    op.create_table('policy_publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.String(length=64), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('published_by', sa.String(length=254), nullable=False),
    sa.Column('approved_by', sa.String(length=254), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['policy_sets.id'], name=op.f('fk_policy_publications_set_id_policy_sets'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_publications'))
    )
    with op.batch_alter_table('policy_publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_publications_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_publications_set_id'), ['set_id'], unique=False)

    op.create_table('policy_set_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['policy_sets.id'], name=op.f('fk_policy_set_files_set_id_policy_sets'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_set_files')),
    sa.UniqueConstraint('set_id', 'path', name='uq_policy_set_files_set_id_path')
    )
    with op.batch_alter_table('policy_set_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_set_files_set_id'), ['set_id'], unique=False)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_action'), type_='check')
        batch_op.create_check_constraint('action', NEW_ACTIONS)


def downgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_action'), type_='check')
        batch_op.create_check_constraint('action', OLD_ACTIONS)
    with op.batch_alter_table('policy_set_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_set_files_set_id'))

    op.drop_table('policy_set_files')
    with op.batch_alter_table('policy_publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_publications_set_id'))
        batch_op.drop_index(batch_op.f('ix_policy_publications_council_id'))

    op.drop_table('policy_publications')
    with op.batch_alter_table('policy_draft_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_draft_files_draft_id'))

    op.drop_table('policy_draft_files')
    with op.batch_alter_table('policy_sets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_sets_council_id'))

    op.drop_table('policy_sets')
    op.drop_table('policy_drafts')
