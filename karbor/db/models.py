"""SQLAlchemy models of Karbor's tables.

The alembic migrations in ``karbor/db/migrations`` create exactly these
tables; a test compares the two on SQLite, MySQL and PostgreSQL.
"""

from oslo_db.sqlalchemy import models
from sqlalchemy import orm
import sqlalchemy as sa


class Base(orm.DeclarativeBase, models.ModelBase):
    pass


class TimestampMixin:
    created_at = sa.Column(sa.DateTime, nullable=False,
                           default=lambda: _utcnow())
    updated_at = sa.Column(sa.DateTime, nullable=True,
                           onupdate=lambda: _utcnow())


def _utcnow():
    from oslo_utils import timeutils
    return timeutils.utcnow()


class Service(TimestampMixin, Base):
    """A running Karbor process that reports heartbeats."""

    __tablename__ = 'services'
    __table_args__ = (
        sa.UniqueConstraint('host', 'binary', name='uniq_services0host0binary'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    host = sa.Column(sa.String(255), nullable=False)
    binary = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255), nullable=True)
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    disabled_reason = sa.Column(sa.String(255), nullable=True)
    last_heartbeat = sa.Column(sa.DateTime, nullable=True)
