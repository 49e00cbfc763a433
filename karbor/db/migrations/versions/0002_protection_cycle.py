"""Plans, the checkpoint index, restores and operation logs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True)]


_TABLE_KW = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    op.create_table(
        'plans', *_timestamps(),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255), nullable=True),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('resources', sa.Text(), nullable=False),
        sa.Column('parameters', sa.Text(), nullable=False),
        **_TABLE_KW)
    op.create_index('ix_plans_project_created', 'plans',
                    ['project_id', 'created_at'])

    op.create_table(
        'checkpoints', *_timestamps(),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('plan_id', sa.String(36), nullable=True),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('protection_plan', sa.Text(), nullable=False),
        sa.Column('resource_graph', sa.Text(), nullable=True),
        sa.Column('extra_info', sa.Text(), nullable=True),
        sa.Column('status_reason', sa.Text(), nullable=True),
        sa.Column('host', sa.String(255), nullable=True),
        **_TABLE_KW)
    op.create_index('ix_checkpoints_provider_project_created', 'checkpoints',
                    ['provider_id', 'project_id', 'created_at'])
    op.create_index('ix_checkpoints_plan', 'checkpoints', ['plan_id'])
    op.create_index('ix_checkpoints_status', 'checkpoints', ['status'])

    op.create_table(
        'restores', *_timestamps(),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('checkpoint_id', sa.String(36), nullable=False),
        sa.Column('restore_target', sa.String(255), nullable=True),
        sa.Column('parameters', sa.Text(), nullable=False),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('resources_status', sa.Text(), nullable=True),
        sa.Column('resources_reason', sa.Text(), nullable=True),
        sa.Column('status_reason', sa.Text(), nullable=True),
        sa.Column('host', sa.String(255), nullable=True),
        **_TABLE_KW)
    op.create_index('ix_restores_project_created', 'restores',
                    ['project_id', 'created_at'])
    op.create_index('ix_restores_checkpoint', 'restores', ['checkpoint_id'])

    op.create_table(
        'operation_logs', *_timestamps(),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('operation_type', sa.String(64), nullable=False),
        sa.Column('checkpoint_id', sa.String(36), nullable=True),
        sa.Column('plan_id', sa.String(36), nullable=True),
        sa.Column('provider_id', sa.String(36), nullable=True),
        sa.Column('restore_id', sa.String(36), nullable=True),
        sa.Column('verification_id', sa.String(36), nullable=True),
        sa.Column('scheduled_operation_id', sa.String(36), nullable=True),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('error_info', sa.Text(), nullable=True),
        sa.Column('extra_info', sa.Text(), nullable=True),
        sa.Column('host', sa.String(255), nullable=True),
        **_TABLE_KW)
    op.create_index('ix_operation_logs_project_created', 'operation_logs',
                    ['project_id', 'created_at'])
    op.create_index('ix_operation_logs_checkpoint', 'operation_logs',
                    ['checkpoint_id'])
