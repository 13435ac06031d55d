"""Records that stay right and followed up (issue 13): a record withdrawn or amended with a
reason (never deleted; the events it recorded are kept and no longer evaluated), who closed a
case, one-time form tokens that refuse a form saved twice, and the reminders sent about what
comes due (each once when due and once when overdue).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('draft', 'submitted')"
NEW_STATUSES = "status IN ('draft', 'submitted', 'withdrawn', 'amended')"


def upgrade() -> None:
    op.create_table('reminder_sendings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.String(length=20), nullable=False),
    sa.Column('item_id', sa.String(length=100), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=True),
    sa.Column('to_email', sa.String(length=254), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=True),
    sa.CheckConstraint("stage IN ('due', 'overdue')", name=op.f('ck_reminder_sendings_stage')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_reminder_sendings_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_reminder_sendings_to_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sendings')),
    sa.UniqueConstraint('case_id', 'item_kind', 'item_id', 'due_on', 'stage', 'to_user_id', name='uq_reminder_sendings_item')
    )
    with op.batch_alter_table('reminder_sendings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_sendings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_sendings_council_id'), ['council_id'], unique=False)

    op.create_table('form_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('form_id', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_form_tokens_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_form_tokens_submission_id_submissions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_form_tokens_token_hash'))
    )
    with op.batch_alter_table('form_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_tokens_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_tokens_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cases_closed_by_id_users'), 'users', ['closed_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amends_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('amended_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('change_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_submissions_amends_id_submissions'), 'submissions', ['amends_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_submissions_withdrawn_by_id_users'), 'users', ['withdrawn_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_submissions_amended_by_id_submissions'), 'submissions', ['amended_by_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(op.f('ck_submissions_status'), type_='check')
        batch_op.create_check_constraint('status', NEW_STATUSES)



def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_submissions_status'), type_='check')
        batch_op.create_check_constraint('status', OLD_STATUSES)
        batch_op.drop_constraint(batch_op.f('fk_submissions_amended_by_id_submissions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_submissions_withdrawn_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_submissions_amends_id_submissions'), type_='foreignkey')
        batch_op.drop_column('change_reason')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('amended_by_id')
        batch_op.drop_column('amends_id')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_closed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('closed_by_id')

    with op.batch_alter_table('form_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_form_tokens_created_at'))
        batch_op.drop_index(batch_op.f('ix_form_tokens_case_id'))

    op.drop_table('form_tokens')
    with op.batch_alter_table('reminder_sendings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_sendings_council_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_sendings_case_id'))

    op.drop_table('reminder_sendings')
