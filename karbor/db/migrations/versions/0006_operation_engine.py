"""Triggers, scheduled operations and their runs (the operation engine).

A run's unique key (scheduled_operation_id, due_at) is what makes each
due time run exactly once whatever the number of engines: the engine that
inserts it has claimed it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _text():
    return sa.Text().with_variant(mysql.LONGTEXT(), 'mysql')


def upgrade():
    op.create_table(
        'triggers',
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('type', sa.String(64), nullable=False),
        sa.Column('properties', _text(), nullable=False),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index('ix_triggers_project_created', 'triggers',
                    ['project_id', 'created_at'])
    op.create_table(
        'scheduled_operations',
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255), nullable=True),
        sa.Column('operation_type', sa.String(64), nullable=False),
        sa.Column('trigger_id', sa.String(36),
                  sa.ForeignKey('triggers.id',
                                name='fk_scheduled_operations_trigger'),
                  nullable=False),
        sa.Column('operation_definition', _text(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index('ix_scheduled_operations_project_created',
                    'scheduled_operations', ['project_id', 'created_at'])
    op.create_index('ix_scheduled_operations_trigger',
                    'scheduled_operations', ['trigger_id'])
    op.create_table(
        'scheduled_runs',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('scheduled_operation_id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('host', sa.String(255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('reason', _text(), nullable=True),
        sa.Column('operation_log_ids', _text(), nullable=True),
        sa.Column('checkpoint_id', sa.String(36), nullable=True),
        sa.Column('verification_ids', _text(), nullable=True),
        sa.UniqueConstraint('scheduled_operation_id', 'due_at',
                            name='uniq_scheduled_runs0operation0due_at'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index('ix_scheduled_runs_status', 'scheduled_runs',
                    ['status'])
