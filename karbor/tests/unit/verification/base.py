"""Verifications through the real pecan app, with the built-in local
provider, its file-system bank and a real protection service running in
the process on the in-process transport (as karbor.tests.unit.api_v1
sets them up)."""

import json
import os
import random
import threading
import time

import fixtures

from karbor.common import constants
from karbor.db import operation_logs as operation_logs_db
from karbor.db import verifications as verifications_db
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection.protection_plugins import local_directory
from karbor.tests.unit.api_v1 import base

ADMIN = base.ADMIN
MEMBER = base.MEMBER
OTHER = base.OTHER
OTHER_PROJECT = base.OTHER_PROJECT
LOCAL_PROVIDER_ID = base.LOCAL_PROVIDER_ID
SECOND_PROVIDER_ID = base.SECOND_PROVIDER_ID
DIRECTORY = base.DIRECTORY
write_tree = base.write_tree

VERIFICATION_KEYS = {'id', 'project_id', 'provider_id', 'checkpoint_id',
                     'parameters', 'resource_status', 'resource_reason',
                     'status', 'created_at', 'updated_at'}
# What this implementation adds (the spec welcomes more).
EXTRA_KEYS = {'resources_status', 'resources_reason', 'status_reason',
              'progress', 'started_at', 'ended_at'}

# Three directories of their own, one data object each.
DIRECTORIES = {
    'alpha/a.txt': b'alpha\n' * 700,
    'alpha/deeper/b.bin': bytes(range(256)) * 30,
    'beta/c.txt': b'beta beta\n' * 900,
    'gamma/d.dat': b'\x00\x01gamma' * 1200,
}
BETA_BYTES = 9000

# A provider like the local one, with objects of 1 MiB: directory "big"
# (2.5 MiB) is three data objects there.
CHUNKED_PROVIDER_ID = '5d0c3b8e-1f2a-4c61-9f4a-7a2f1d2e3c4b'
CHUNKED_PROVIDER_CONF = """
[provider]
id = %s
name = Chunked Provider
bank = file_system
plugin = local_directory

[local_directory]
allowed_roots = %s
chunk_size_mb = 1
"""
MIB = 1024 * 1024
BIG_BYTES = 2 * MIB + MIB // 2

SETTLE_TIMEOUT = base.SETTLE_TIMEOUT


class VerificationTestCase(base.ProtectionApiTestCase):
    """``self.root`` holds ``docs``, ``photos`` (see api_v1) and ``alpha``,
    ``beta``, ``gamma``; karbor-protection runs in the process."""

    # Started here, once the chunked provider is configured.
    start_service = False

    def setUp(self):
        super().setUp()
        files = dict(DIRECTORIES)
        files['big/random.bin'] = random.Random(4).randbytes(BIG_BYTES)
        for root in (self.root, self.project_root(base.OTHER_PROJECT)):
            base.write_tree(root, files)
        # The same roots as the local provider: one per project.
        with open(os.path.join(self.state_path, 'providers.d',
                               'chunked.conf'), 'w') as f:
            f.write(CHUNKED_PROVIDER_CONF % (
                CHUNKED_PROVIDER_ID, self.project_root('{project_id}')))
        self._reset_registries()
        self.service = self.start_protection_service()

    # Checkpoints

    def available_checkpoint(self, dirs=('alpha',), token=ADMIN,
                             project=None, name='plan',
                             provider_id=LOCAL_PROVIDER_ID):
        plan = self.create_plan(name, dirs=dirs, token=token,
                                project=project, provider_id=provider_id)
        resp = self.post(self.checkpoints_path(provider_id),
                         {'checkpoint': {'plan_id': plan['id']}},
                         token=token, project=project, status=202)
        return self.wait_for(
            lambda: self.get(self.checkpoints_path(
                provider_id, '/' + resp.json['checkpoint']['id']),
                token=token, project=project).json['checkpoint'],
            lambda c: c['status'] != 'protecting', 'available')

    def resource_key(self, rel):
        """``"<type>#<id>"`` of directory ``rel``: the key of the maps."""
        return '%s#%s' % (DIRECTORY, self.directory(rel)['id'])

    # The bank of the local provider

    def bank_root(self, provider_id=LOCAL_PROVIDER_ID):
        return os.path.join(self.state_path, 'bank', provider_id)

    def index_key(self, checkpoint_id):
        return '%s/%s' % (checkpoint_module.checkpoint_prefix(checkpoint_id),
                          constants.BANK_INDEX)

    def settled_index_file(self, checkpoint_id):
        """The bank file of the checkpoint's index, once it says
        available: the database says so a moment before the bank."""
        path = self.bank_file(self.index_key(checkpoint_id))

        def status():
            with open(path) as f:
                return {'status': json.load(f).get('status')}
        self.wait_for(status, lambda s: s['status'] == 'available')
        return path

    def object_key(self, checkpoint_id, rel, name):
        """The bank key of object ``name`` of directory ``rel``."""
        return '%s/%s/%s/%s' % (
            checkpoint_module.checkpoint_prefix(checkpoint_id),
            constants.BANK_RESOURCE_DATA, self.resource_key(rel), name)

    def bank_file(self, key, provider_id=LOCAL_PROVIDER_ID):
        path = os.path.join(self.bank_root(provider_id), *key.split('/'))
        self.assertTrue(os.path.isfile(path), path)
        return path

    # Verifications

    def verify(self, checkpoint_id, parameters=None, token=ADMIN,
               project=None, provider_id=LOCAL_PROVIDER_ID, status=202,
               as_list=False):
        body = {'provider_id': provider_id, 'checkpoint_id': checkpoint_id}
        if parameters is not None:
            body['parameters'] = parameters
        return self.post('verifications',
                         {'verification': [body] if as_list else body},
                         token=token, project=project, status=status)

    def show(self, verification_id, token=ADMIN, project=None):
        return self.get('verifications/%s' % verification_id, token=token,
                        project=project).json['verification']

    def wait_verification(self, verification_id, status=None, token=ADMIN,
                          project=None):
        """The verification once it has ended; its operation log has
        ended too by then."""
        shown = self.wait_for(
            lambda: self.show(verification_id, token=token,
                              project=project),
            lambda v: v['status'] != constants.VERIFICATION_STATUS_VERIFYING,
            status)
        # The flow ends the log first: a client that sees the end of the
        # verification finds its log ended.
        log = self.log_of(verification_id)
        self.assertNotEqual('verifying', log.status, shown)
        self.assertEqual(shown['status'], log.status)
        return shown

    def verified(self, checkpoint_id, parameters=None, status=None,
                 **kwargs):
        created = self.verify(checkpoint_id, parameters,
                              **kwargs).json['verification']
        return self.wait_verification(created['id'], status,
                                      token=kwargs.get('token', ADMIN),
                                      project=kwargs.get('project'))

    # Rows

    @staticmethod
    def all_verifications():
        return verifications_db.verification_get_all()

    @staticmethod
    def verify_logs():
        return operation_logs_db.operation_log_get_all(
            filters={'operation_type': constants.OPERATION_VERIFY})

    def log_of(self, verification_id):
        logs = operation_logs_db.operation_log_get_all(
            filters={'verification_id': verification_id})
        self.assertEqual(1, len(logs), logs)
        return logs[0]

    def assertNothingQueued(self):
        self.assertEqual([], self.all_verifications())
        self.assertEqual([], self.verify_logs())


class Gate(fixtures.Fixture):
    """Holds every resource's plugin check (the local directory plugin's
    VerifyOperation.on_main) until :meth:`open`, so that verifications
    stay 'verifying' as long as a test needs. Patches that method; opens
    at clean-up, before the service stops."""

    def __init__(self, test):
        super().__init__()
        self.test = test
        self.event = threading.Event()
        self.arrived = 0
        self._lock = threading.Lock()

    def _setUp(self):
        real = local_directory.VerifyOperation.on_main
        gate = self

        def on_main(operation, *args, **kwargs):
            with gate._lock:
                gate.arrived += 1
            if not gate.event.wait(SETTLE_TIMEOUT):
                raise RuntimeError('the gate of the test never opened')
            return real(operation, *args, **kwargs)

        self.useFixture(fixtures.MockPatchObject(
            local_directory.VerifyOperation, 'on_main', on_main))
        self.addCleanup(self.event.set)

    def wait_arrived(self, count):
        """Until ``count`` resource checks are held at the gate."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while self.arrived < count:
            if time.monotonic() > deadline:
                self.test.fail('%d of %d checks arrived' % (self.arrived,
                                                            count))
            time.sleep(0.02)

    def open(self):
        self.event.set()
