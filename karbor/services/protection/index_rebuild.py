"""Rebuild the database index of checkpoints from a provider's bank.

The bank is the durable truth about checkpoints: each one's
``checkpoints/<id>/index.json`` holds its id, status, project, provider,
plan, resource graph, creation time and extra info. A checkpoint the
database does not know is added from it; one it knows is left as it is
(the database may know more recent states, a delete under way for
example). A protect that never finished in the bank (``protecting``) is
added as ``error`` with a reason saying so, since nothing runs it.
"""

import datetime

from oslo_db import exception as db_exc
from oslo_log import log as logging

from karbor.common import constants
from karbor.common import exception
from karbor.db import checkpoints as checkpoints_db
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection import graph

LOG = logging.getLogger(__name__)

PAGE = 1000
_ENDED = (constants.CHECKPOINT_STATUS_AVAILABLE,
          constants.CHECKPOINT_STATUS_ERROR)


def checkpoint_ids(bank):
    """The ids of the checkpoints whose index the bank holds, in pages
    (the bank lists keys, not directories)."""
    prefix = constants.BANK_CHECKPOINTS + '/'
    marker = None
    while True:
        keys = bank.list_objects(prefix, marker=marker, limit=PAGE)
        for key in keys:
            parts = key.split('/')
            if len(parts) == 3 and parts[2] == constants.BANK_INDEX:
                yield parts[1]
        if len(keys) < PAGE:
            return
        marker = keys[-1]


def row_values(index, provider_id):
    """The values of a checkpoints row from a bank ``index``."""
    status = index.get('status')
    reason = index.get('status_reason')
    if status not in _ENDED:
        reason = ('rebuilt from the bank, where it was %s: the operation '
                  'never finished' % status)
        status = constants.CHECKPOINT_STATUS_ERROR
    plan = index.get('protection_plan') or {}
    created = index.get('created_at')
    values = {
        'id': index['id'],
        'project_id': index['project_id'],
        'provider_id': provider_id,
        'plan_id': plan.get('id'),
        'status': status,
        'status_reason': reason,
        'protection_plan': plan,
        'resource_graph': graph.serialize(graph.unpack(
            index['resource_graph'])) if index.get('resource_graph')
        else None,
        'extra_info': index.get('extra_info') or {},
    }
    if created:
        values['created_at'] = datetime.datetime.fromisoformat(created)
    return values


def rebuild(provider):
    """Add to the database every checkpoint of ``provider``'s bank it
    does not know. {'found', 'added', 'present', 'unreadable'} counts."""
    counts = dict.fromkeys(('found', 'added', 'present', 'unreadable'), 0)
    for checkpoint_id in checkpoint_ids(provider.bank):
        counts['found'] += 1
        try:
            checkpoints_db.checkpoint_get(checkpoint_id)
            counts['present'] += 1
            continue
        except exception.CheckpointNotFound:
            pass
        checkpoint = checkpoint_module.Checkpoint(provider.bank,
                                                  checkpoint_id)
        try:
            index = checkpoint.read_index()
            if index.get('id') != checkpoint_id:
                raise ValueError('it names checkpoint %r' % index.get('id'))
            if index.get('provider_id') not in (None, provider.id):
                raise ValueError('it belongs to provider %s' %
                                 index['provider_id'])
            values = row_values(index, provider.id)
        except (exception.BankError, KeyError, TypeError, ValueError) as e:
            LOG.error('Index of checkpoint %s in the bank of provider %s '
                      'cannot be used: %s', checkpoint_id, provider.id, e)
            counts['unreadable'] += 1
            continue
        try:
            checkpoints_db.checkpoint_create(values)
        except db_exc.DBDuplicateEntry:
            counts['present'] += 1  # added meanwhile by someone else
            continue
        LOG.info('Checkpoint %s of project %s added to the index (%s)',
                 checkpoint_id, values['project_id'], values['status'])
        counts['added'] += 1
    return counts
