"""SQLAlchemy models of Karbor's tables.

The alembic migrations in ``karbor/db/migrations`` create exactly these
tables; a test compares the two on SQLite, MySQL and PostgreSQL.
"""

from oslo_db.sqlalchemy import models
from oslo_db.sqlalchemy import types as db_types
from sqlalchemy.dialects import mysql
from sqlalchemy import orm
import sqlalchemy as sa


# Text of any length on every database. MySQL's TEXT holds 64 KiB, less
# than a plan of a few hundred resources; LONGTEXT holds 4 GiB, as
# PostgreSQL's and SQLite's TEXT do.
def long_text():
    return sa.Text().with_variant(mysql.LONGTEXT(), 'mysql')


def json_dict():
    return db_types.JsonEncodedDict(mysql_as_long=True)


def json_list():
    return db_types.JsonEncodedList(mysql_as_long=True)


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
        sa.UniqueConstraint('host', 'binary',
                            name='uniq_services0host0binary'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    host = sa.Column(sa.String(255), nullable=False)
    binary = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255), nullable=True)
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    disabled_reason = sa.Column(sa.String(255), nullable=True)
    last_heartbeat = sa.Column(sa.DateTime, nullable=True)


class Plan(TimestampMixin, Base):
    """What to protect: resources of one provider, with parameters."""

    __tablename__ = 'plans'
    __table_args__ = (
        sa.Index('ix_plans_project_created', 'project_id', 'created_at'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.String(255), nullable=True)
    provider_id = sa.Column(sa.String(36), nullable=False)
    status = sa.Column(sa.String(64), nullable=False)
    resources = sa.Column(json_list(), nullable=False)
    parameters = sa.Column(json_dict(), nullable=False)


class Checkpoint(TimestampMixin, Base):
    """The database index of a checkpoint; the bank holds the checkpoint.

    Lists and shows are served from here, never from the bank.
    """

    __tablename__ = 'checkpoints'
    __table_args__ = (
        sa.Index('ix_checkpoints_provider_project_created',
                 'provider_id', 'project_id', 'created_at'),
        sa.Index('ix_checkpoints_plan', 'plan_id'),
        sa.Index('ix_checkpoints_status', 'status'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    provider_id = sa.Column(sa.String(36), nullable=False)
    plan_id = sa.Column(sa.String(36), nullable=True)
    status = sa.Column(sa.String(64), nullable=False)
    protection_plan = sa.Column(json_dict(), nullable=False)
    resource_graph = sa.Column(long_text(), nullable=True)
    extra_info = sa.Column(json_dict(), nullable=True)
    status_reason = sa.Column(long_text(), nullable=True)
    # The protection service working on it, while it protects or deletes.
    host = sa.Column(sa.String(255), nullable=True)
    # Files and bytes done of total, what was not copied (JSON).
    progress = sa.Column(json_dict(), nullable=True)


class Restore(TimestampMixin, Base):
    __tablename__ = 'restores'
    __table_args__ = (
        sa.Index('ix_restores_project_created', 'project_id', 'created_at'),
        sa.Index('ix_restores_checkpoint', 'checkpoint_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    provider_id = sa.Column(sa.String(36), nullable=False)
    checkpoint_id = sa.Column(sa.String(36), nullable=False)
    restore_target = sa.Column(sa.String(255), nullable=True)
    parameters = sa.Column(json_dict(), nullable=False)
    status = sa.Column(sa.String(64), nullable=False)
    resources_status = sa.Column(json_dict(), nullable=True)
    resources_reason = sa.Column(json_dict(), nullable=True)
    status_reason = sa.Column(long_text(), nullable=True)
    host = sa.Column(sa.String(255), nullable=True)
    # Files and bytes done of total, what was not restored as it was,
    # where each resource went (JSON).
    progress = sa.Column(json_dict(), nullable=True)
    # The checkpoint's latest verification when the restore was accepted
    # (or that it had none), and whether a failed one was overridden.
    checkpoint_verification = sa.Column(json_dict(), nullable=True)


class OperationLog(TimestampMixin, Base):
    """One row per protect, delete, restore or verify."""

    __tablename__ = 'operation_logs'
    __table_args__ = (
        sa.Index('ix_operation_logs_project_created',
                 'project_id', 'created_at'),
        sa.Index('ix_operation_logs_checkpoint', 'checkpoint_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    operation_type = sa.Column(sa.String(64), nullable=False)
    checkpoint_id = sa.Column(sa.String(36), nullable=True)
    plan_id = sa.Column(sa.String(36), nullable=True)
    provider_id = sa.Column(sa.String(36), nullable=True)
    restore_id = sa.Column(sa.String(36), nullable=True)
    verification_id = sa.Column(sa.String(36), nullable=True)
    scheduled_operation_id = sa.Column(sa.String(36), nullable=True)
    status = sa.Column(sa.String(64), nullable=False)
    started_at = sa.Column(sa.DateTime, nullable=True)
    ended_at = sa.Column(sa.DateTime, nullable=True)
    error_info = sa.Column(long_text(), nullable=True)
    extra_info = sa.Column(json_dict(), nullable=True)
    host = sa.Column(sa.String(255), nullable=True)


class Verification(TimestampMixin, Base):
    """A check that a checkpoint's copies are present and intact."""

    __tablename__ = 'verifications'
    __table_args__ = (
        sa.Index('ix_verifications_project_created',
                 'project_id', 'created_at'),
        sa.Index('ix_verifications_checkpoint_status',
                 'checkpoint_id', 'status'),
        sa.Index('ix_verifications_status', 'status'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    provider_id = sa.Column(sa.String(36), nullable=False)
    checkpoint_id = sa.Column(sa.String(36), nullable=False)
    status = sa.Column(sa.String(64), nullable=True)
    parameters = sa.Column(json_dict(), nullable=True)
    resources_status = sa.Column(json_dict(), nullable=True)
    resources_reason = sa.Column(json_dict(), nullable=True)
    deleted_at = sa.Column(sa.DateTime, nullable=True)
    # Beyond the seed's columns: why it failed as a whole, how far it got,
    # when it ran, and the protection service running it.
    status_reason = sa.Column(long_text(), nullable=True)
    progress = sa.Column(json_dict(), nullable=True)
    started_at = sa.Column(sa.DateTime, nullable=True)
    ended_at = sa.Column(sa.DateTime, nullable=True)
    host = sa.Column(sa.String(255), nullable=True)


class Trigger(TimestampMixin, Base):
    """When scheduled operations run: a time trigger's properties."""

    __tablename__ = 'triggers'
    __table_args__ = (
        sa.Index('ix_triggers_project_created', 'project_id', 'created_at'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    name = sa.Column(sa.String(255), nullable=False)
    type = sa.Column(sa.String(64), nullable=False)
    properties = sa.Column(json_dict(), nullable=False)


class ScheduledOperation(TimestampMixin, Base):
    """What runs when a trigger fires (protect, retention_protect,
    verify)."""

    __tablename__ = 'scheduled_operations'
    __table_args__ = (
        sa.Index('ix_scheduled_operations_project_created',
                 'project_id', 'created_at'),
        sa.Index('ix_scheduled_operations_trigger', 'trigger_id'),
        # The end of each operation with a trust asks whether it is a
        # scheduled operation's.
        sa.Index('ix_scheduled_operations_trust', 'trust_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.String(255), nullable=True)
    operation_type = sa.Column(sa.String(64), nullable=False)
    trigger_id = sa.Column(sa.String(36),
                           sa.ForeignKey('triggers.id',
                                         name='fk_scheduled_operations_'
                                              'trigger'),
                           nullable=False)
    operation_definition = sa.Column(json_dict(), nullable=False)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    # The Keystone trust its runs act through (behind Keystone, with
    # [service_user] delegate_with_trusts), deleted with it.
    trust_id = sa.Column(sa.String(64), nullable=True)


class ScheduledRun(Base):
    """One due time of a scheduled operation: claimed by exactly one
    operation engine (the unique key), then run, or recorded as missed."""

    __tablename__ = 'scheduled_runs'
    __table_args__ = (
        sa.UniqueConstraint('scheduled_operation_id', 'due_at',
                            name='uniq_scheduled_runs0operation0due_at'),
        sa.Index('ix_scheduled_runs_status', 'status'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    scheduled_operation_id = sa.Column(sa.String(36), nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)
    due_at = sa.Column(sa.DateTime, nullable=False)
    status = sa.Column(sa.String(64), nullable=False)
    host = sa.Column(sa.String(255), nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False,
                           default=lambda: _utcnow())
    started_at = sa.Column(sa.DateTime, nullable=True)
    ended_at = sa.Column(sa.DateTime, nullable=True)
    reason = sa.Column(long_text(), nullable=True)
    # What the run started: the operation logs (JSON list of ids), the
    # checkpoint of a protect, the verifications of a verify.
    operation_log_ids = sa.Column(json_list(), nullable=True)
    checkpoint_id = sa.Column(sa.String(36), nullable=True)
    verification_ids = sa.Column(json_list(), nullable=True)


class Quota(TimestampMixin, Base):
    """An administrator's limit of one resource for one project."""

    __tablename__ = 'quotas'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'resource',
                            name='uniq_quotas_project_resource'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    resource = sa.Column(sa.String(64), nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=False)


class QuotaClass(TimestampMixin, Base):
    """A limit of one resource for a class of projects (``default``)."""

    __tablename__ = 'quota_classes'
    __table_args__ = (
        sa.UniqueConstraint('class_name', 'resource',
                            name='uniq_quota_classes_class_resource'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    class_name = sa.Column(sa.String(255), nullable=False)
    resource = sa.Column(sa.String(64), nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=False)


class QuotaLock(Base):
    """One row per project: creates of counted resources lock it (SELECT
    ... FOR UPDATE) so that the count and the insert of each happen one
    project's create after the other."""

    __tablename__ = 'quota_locks'

    project_id = sa.Column(sa.String(255), primary_key=True)
