"""Columns that hold JSON or free text hold any size on MySQL too.

MySQL's TEXT holds 64 KiB: a plan of a few hundred resources, its
checkpoint, or a restore with a few thousand parameter keys did not fit
(a 500). LONGTEXT holds 4 GiB, as TEXT does on PostgreSQL and SQLite,
where nothing changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# (table, column, nullable)
COLUMNS = (
    ('plans', 'resources', False),
    ('plans', 'parameters', False),
    ('checkpoints', 'protection_plan', False),
    ('checkpoints', 'resource_graph', True),
    ('checkpoints', 'extra_info', True),
    ('checkpoints', 'status_reason', True),
    ('checkpoints', 'progress', True),
    ('restores', 'parameters', False),
    ('restores', 'resources_status', True),
    ('restores', 'resources_reason', True),
    ('restores', 'status_reason', True),
    ('restores', 'progress', True),
    ('operation_logs', 'error_info', True),
    ('operation_logs', 'extra_info', True),
    ('verifications', 'parameters', True),
    ('verifications', 'resources_status', True),
    ('verifications', 'resources_reason', True),
    ('verifications', 'status_reason', True),
    ('verifications', 'progress', True),
)


def upgrade():
    if op.get_bind().dialect.name != 'mysql':
        return
    for table, column, nullable in COLUMNS:
        op.alter_column(table, column, type_=mysql.LONGTEXT(),
                        existing_type=sa.Text(), existing_nullable=nullable)
