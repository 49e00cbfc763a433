"""taskflow's JSON columns hold more than 64 KiB on MySQL/MariaDB.

0007 created taskflow's tables from its table definitions, where every
JSON column is TEXT: 64 KiB on MySQL. taskflow's own later migrations
widen some of them for MySQL (a flow's meta, an atom's results and
failures); 0007 did not, and a restore whose parameters filled a
request body (about 70 KiB in its flow's saved store) could not start
("Data too long for column 'meta'"). Every JSON column of the three
tables becomes LONGTEXT on MySQL, as Karbor's own are since 0005.
PostgreSQL and SQLite have no such limit: nothing changes there.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from alembic import op
from sqlalchemy.dialects import mysql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COLUMNS = {
    'logbooks': ('meta',),
    'flowdetails': ('meta',),
    'atomdetails': ('meta', 'results', 'failure', 'revert_results',
                    'revert_failure'),
}


def _alter(type_):
    if op.get_bind().dialect.name != 'mysql':
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=type_,
                            existing_nullable=True)


def upgrade():
    _alter(mysql.LONGTEXT())


def downgrade():
    _alter(mysql.TEXT())
