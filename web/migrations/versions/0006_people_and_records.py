"""People and records (issue 12): teams and case allocations, restricted cases and who may
open them, one-time links (invitations, password resets), two-factor secrets and recovery
codes, single sign-on identities, API tokens' name, council and role, a case's team, child's
date of birth and closing time, reviews of records past the retention period; 'revoked' and
'erased' audit entries.

Existing users keep their password; existing tokens keep working with their user's council
and role (council_id and role stay empty for them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_ACTIONS = ("action IN ('viewed', 'created', 'changed', 'exported', 'login', 'login_failed', "
               "'logout', 'refused', 'published', 'requested', 'approved', 'tested', 'withdrawn')")
NEW_ACTIONS = ("action IN ('viewed', 'created', 'changed', 'exported', 'login', 'login_failed', "
               "'logout', 'refused', 'published', 'requested', 'approved', 'tested', 'withdrawn', "
               "'revoked', 'erased')")


def upgrade() -> None:
    op.create_table('one_time_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("purpose IN ('invite', 'reset')", name=op.f('ck_one_time_links_purpose')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_one_time_links_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_one_time_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_one_time_links_token_hash'))
    )
    with op.batch_alter_table('one_time_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_links_user_id'), ['user_id'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    op.create_table('retention_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('listed', sa.JSON(), nullable=False),
    sa.Column('listed_by_id', sa.Integer(), nullable=True),
    sa.Column('listed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_count', sa.Integer(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('job_id', sa.String(length=64), nullable=True),
    sa.CheckConstraint("status IN ('listing', 'listed', 'erasing', 'erased', 'cancelled', 'failed')", name=op.f('ck_retention_reviews_status')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_retention_reviews_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['listed_by_id'], ['users.id'], name=op.f('fk_retention_reviews_listed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_reviews'))
    )
    with op.batch_alter_table('retention_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_reviews_council_id'), ['council_id'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_teams_manager_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('council_id', 'name', name='uq_teams_council_id_name')
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_council_id'), ['council_id'], unique=False)

    op.create_table('case_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_access_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_case_access_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_access_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_access')),
    sa.UniqueConstraint('case_id', 'user_id', name='uq_case_access_case_id_user_id')
    )
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_access_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_access_user_id'), ['user_id'], unique=False)

    op.create_table('case_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('previous_worker_id', sa.Integer(), nullable=True),
    sa.Column('previous_team_id', sa.Integer(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_case_allocations_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_allocations_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['previous_team_id'], ['teams.id'], name=op.f('fk_case_allocations_previous_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['previous_worker_id'], ['users.id'], name=op.f('fk_case_allocations_previous_worker_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_case_allocations_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_case_allocations_worker_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_allocations'))
    )
    with op.batch_alter_table('case_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_allocations_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('council_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('role', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_tokens_council_id'), ['council_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_created_by_id_users'), 'users', ['created_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_revoked_by_id_users'), 'users', ['revoked_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('restricted', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('child_date_of_birth', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_team_id'), ['team_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_team_id_teams'), 'teams', ['team_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('two_factor_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sso_issuer', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_team_id'), ['team_id'], unique=False)
        batch_op.create_unique_constraint('uq_users_sso_issuer_sso_subject', ['sso_issuer', 'sso_subject'])
        batch_op.create_foreign_key(batch_op.f('fk_users_team_id_teams'), 'teams', ['team_id'], ['id'], ondelete='SET NULL', use_alter=True)

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_action'), type_='check')
        batch_op.create_check_constraint('action', NEW_ACTIONS)



def downgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_action'), type_='check')
        batch_op.create_check_constraint('action', OLD_ACTIONS)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_team_id_teams'), type_='foreignkey')
        batch_op.drop_constraint('uq_users_sso_issuer_sso_subject', type_='unique')
        batch_op.drop_index(batch_op.f('ix_users_team_id'))
        batch_op.drop_column('last_sign_in_at')
        batch_op.drop_column('sso_subject')
        batch_op.drop_column('sso_issuer')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('two_factor_since')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('team_id')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_team_id_teams'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_team_id'))
        batch_op.drop_column('closed_at')
        batch_op.drop_column('child_date_of_birth')
        batch_op.drop_column('restricted')
        batch_op.drop_column('team_id')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_created_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_tokens_council_id'))
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('role')
        batch_op.drop_column('council_id')
        batch_op.drop_column('name')

    with op.batch_alter_table('case_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_allocations_case_id'))

    op.drop_table('case_allocations')
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_access_user_id'))
        batch_op.drop_index(batch_op.f('ix_case_access_case_id'))

    op.drop_table('case_access')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_council_id'))

    op.drop_table('teams')
    with op.batch_alter_table('retention_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_reviews_council_id'))

    op.drop_table('retention_reviews')
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    with op.batch_alter_table('one_time_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_links_user_id'))

    op.drop_table('one_time_links')
