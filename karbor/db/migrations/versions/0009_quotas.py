"""Quotas: per-project limits, class defaults, and the per-project lock
row that serialises the count and the insert of a counted resource.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    for table, key in (('quotas', 'project_id'),
                       ('quota_classes', 'class_name')):
        op.create_table(
            table,
            sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True),
            sa.Column('id', sa.Integer(), primary_key=True,
                      autoincrement=True),
            sa.Column(key, sa.String(255), nullable=False),
            sa.Column('resource', sa.String(64), nullable=False),
            sa.Column('hard_limit', sa.Integer(), nullable=False),
            sa.UniqueConstraint(
                key, 'resource',
                name='uniq_%s_%s_resource' % (
                    table, 'project' if key == 'project_id' else 'class')),
            mysql_engine='InnoDB',
            mysql_charset='utf8mb4',
        )
    op.create_table(
        'quota_locks',
        sa.Column('project_id', sa.String(255), primary_key=True),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
