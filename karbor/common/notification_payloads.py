"""Versioned payloads of Karbor's notifications.

Every payload has the shape of an oslo.versionedobjects primitive::

    {"karbor_object.name": "VerificationPayload",
     "karbor_object.namespace": "karbor",
     "karbor_object.version": "1.0",
     "karbor_object.data": {...}}

A consumer checks the name and the major version. Adding a field raises
the minor version (old consumers ignore it); renaming or removing one, or
changing its meaning, raises the major version. The fields of each
version are listed in doc/source/notifications.rst.
"""

import datetime

from karbor.common import constants

NAMESPACE = 'karbor'


def _plain(value):
    if isinstance(value, datetime.datetime):
        # UTC, as everywhere in the API.
        return value.isoformat()
    return value


class Payload:
    """A payload's name, version and fields read from a database row."""

    name = None
    version = None
    fields = ()

    @classmethod
    def build(cls, row, **extra):
        data = {f: _plain(getattr(row, f, None)) for f in cls.fields}
        data.update((k, _plain(v)) for k, v in extra.items())
        return {'karbor_object.name': cls.name,
                'karbor_object.namespace': NAMESPACE,
                'karbor_object.version': cls.version,
                'karbor_object.data': data}


class CheckpointPayload(Payload):
    name = 'CheckpointPayload'
    version = '1.0'
    fields = ('id', 'project_id', 'provider_id', 'plan_id', 'status',
              'status_reason', 'created_at', 'updated_at')


class RestorePayload(Payload):
    name = 'RestorePayload'
    version = '1.0'
    fields = ('id', 'project_id', 'provider_id', 'checkpoint_id',
              'restore_target', 'status', 'status_reason',
              'checkpoint_verification', 'created_at', 'updated_at')


class VerificationPayload(Payload):
    name = 'VerificationPayload'
    version = '1.0'
    fields = ('id', 'project_id', 'provider_id', 'checkpoint_id', 'status',
              'status_reason', 'created_at', 'started_at', 'ended_at')


class ScheduledRunPayload(Payload):
    name = 'ScheduledRunPayload'
    version = '1.0'
    fields = ('id', 'scheduled_operation_id', 'project_id', 'due_at',
              'status', 'reason', 'host', 'started_at', 'ended_at',
              'checkpoint_id', 'verification_ids', 'operation_log_ids')


def checkpoint(row):
    return CheckpointPayload.build(row)


def restore(row):
    return RestorePayload.build(row)


def _level(row):
    """quick, deep or sample: the level every resource was checked at
    (``mixed`` if they differ), else the one asked for."""
    levels = set(((row.progress or {}).get('levels') or {}).values())
    if not levels:
        levels = {v.get('level') for v in (row.parameters or {}).values()
                  if isinstance(v, dict) and v.get('level')}
    if len(levels) > 1:
        return 'mixed'
    return levels.pop() if levels else None


def verification(row):
    """With the level, the counters and each resource that did not pass,
    with its status and reason."""
    progress = row.progress or {}
    statuses = row.resources_status or {}
    reasons = row.resources_reason or {}
    failed = [{'resource': key, 'status': status,
               'reason': reasons.get(key) or ''}
              for key, status in sorted(statuses.items())
              if status not in (constants.VERIFICATION_STATUS_SUCCESS,
                                constants.VERIFICATION_STATUS_VERIFYING)]
    return VerificationPayload.build(
        row,
        level=_level(row),
        resources_total=len(statuses),
        resources_passed=sum(1 for s in statuses.values()
                             if s == constants.VERIFICATION_STATUS_SUCCESS),
        resources_failed=len(failed),
        objects_checked=progress.get('objects_checked', 0),
        bytes_checked=progress.get('bytes_checked', 0),
        failed_resources=failed)


def scheduled_run(run, operation=None):
    """With the scheduled operation's name, type and trigger when known."""
    return ScheduledRunPayload.build(
        run,
        scheduled_operation_name=getattr(operation, 'name', None),
        operation_type=getattr(operation, 'operation_type', None),
        trigger_id=getattr(operation, 'trigger_id', None))
