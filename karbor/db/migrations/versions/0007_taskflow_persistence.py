"""taskflow's persistence tables (logbooks, flowdetails, atomdetails), in
Karbor's database, at the schema of taskflow's own last migration.

They are created from taskflow's table definitions rather than by
taskflow's alembic migrations: those keep their revision in alembic's
default ``alembic_version`` table, which Karbor's migrations use, so the
two histories cannot share one database.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa
from taskflow.persistence.backends.sqlalchemy import tables

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    metadata = sa.MetaData()
    tables.fetch(metadata)
    metadata.create_all(bind=op.get_bind())


def downgrade():
    metadata = sa.MetaData()
    tables.fetch(metadata)
    metadata.drop_all(bind=op.get_bind())
