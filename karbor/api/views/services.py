"""Response bodies of /os-services."""

from oslo_utils import timeutils

from karbor.api.views import common
from karbor.common import constants


def is_up(service, down_time):
    last = service.last_heartbeat
    if last is None:
        return False
    return timeutils.delta_seconds(last, timeutils.utcnow()) <= down_time


def service(row, down_time):
    return {
        'id': row.id,
        'binary': row.binary,
        'host': row.host,
        'status': (constants.SERVICE_STATUS_DISABLED if row.disabled
                   else constants.SERVICE_STATUS_ENABLED),
        'state': (constants.SERVICE_STATE_UP if is_up(row, down_time)
                  else constants.SERVICE_STATE_DOWN),
        'updated_at': common.iso(row.last_heartbeat or row.updated_at),
        'disabled_reason': row.disabled_reason,
    }
