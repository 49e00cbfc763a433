"""Shared set-up of the protection service's unit tests."""

import os
import stat
import time

import fixtures

from karbor.common import constants
from karbor.db import checkpoints as checkpoints_db
from karbor.db import operation_logs as operation_logs_db
from karbor.db import plans as plans_db
from karbor.db import restores as restores_db
from karbor.db import verifications as verifications_db
from karbor.services.protection import protectables
from karbor.services.protection import provider as provider_module
from karbor.tests import base


class Registries(fixtures.Fixture):
    """Fresh provider and protectable registries, before and after."""

    def _setUp(self):
        provider_module.reset_registry()
        protectables.reset_registry()
        self.addCleanup(provider_module.reset_registry)
        self.addCleanup(protectables.reset_registry)


class ProtectionTestCase(base.TestCase):
    """A test with its own registries and a temp directory ``self.tmp``."""

    def setUp(self):
        super().setUp()
        self.useFixture(Registries())
        self.tmp = os.path.realpath(self.useFixture(fixtures.TempDir()).path)

    def enable_local_provider(self, *roots):
        """The built-in local provider over ``roots`` (created if absent)."""
        for root in roots:
            os.makedirs(root, exist_ok=True)
        self.conf.config(enable_local_provider=True,
                         local_provider_roots=list(roots),
                         config_dir=os.path.join(self.tmp, 'no-providers'),
                         group='providers')


def write(path, data=b'', mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    if mode is not None:
        os.chmod(path, mode)


def snapshot(root):
    """Everything a restore must reproduce: per relative path, the kind,
    the permission bits, owner and mtime, the bytes of files, the target
    of symbolic links, and which files are hard links of which (the first
    path of their inode)."""
    found = {}
    inodes = {}
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            owner = (st.st_uid, st.st_gid, st.st_mtime_ns)
            if stat.S_ISDIR(st.st_mode):
                found[rel] = ('dir', stat.S_IMODE(st.st_mode)) + owner
            elif stat.S_ISREG(st.st_mode):
                with open(path, 'rb') as f:
                    found[rel] = ('file', stat.S_IMODE(st.st_mode),
                                  f.read(), inodes.setdefault(
                                      st.st_ino, rel)) + owner
            elif stat.S_ISLNK(st.st_mode):
                found[rel] = ('link', os.readlink(path)) + owner
            else:
                found[rel] = ('other',)
    return found


class ManagerCalls:
    """The rows the API writes before its cast, and the manager's protect,
    restore, delete and verify called as the RPC server calls them; each
    waits until its record leaves its transient state and returns it with
    its operation log id. The test sets ``manager``, ``ctx``, ``project``
    and ``provider_id``."""

    wait_timeout = 30
    wait_interval = 0.02

    def new_log(self, operation, **ids):
        return operation_logs_db.operation_log_create(dict(
            project_id=self.project, operation_type=operation,
            status=constants.OPERATION_LOG_STATUS_RUNNING[operation],
            provider_id=self.provider_id, **ids)).id

    def wait(self, get, transient):
        deadline = time.monotonic() + self.wait_timeout
        while True:
            row = get()
            if row.status != transient:
                return row
            if time.monotonic() > deadline:
                self.fail('still %s after %d s' % (transient,
                                                   self.wait_timeout))
            time.sleep(self.wait_interval)

    def wait_checkpoint(self, checkpoint_id, transient):
        return self.wait(lambda: checkpoints_db.checkpoint_get(checkpoint_id),
                         transient)

    def new_checkpoint(self, resources):
        plan = plans_db.plan_create({
            'project_id': self.project, 'name': 'my plan',
            'provider_id': self.provider_id,
            'status': constants.PLAN_STATUS_SUSPENDED,
            'resources': resources, 'parameters': {}})
        row = checkpoints_db.checkpoint_create({
            'project_id': self.project, 'provider_id': self.provider_id,
            'plan_id': plan.id,
            'status': constants.CHECKPOINT_STATUS_PROTECTING,
            'protection_plan': {'id': plan.id, 'name': plan.name,
                                'provider_id': self.provider_id,
                                'resources': resources, 'parameters': {}},
            'extra_info': {}})
        return row.id, self.new_log(constants.OPERATION_PROTECT,
                                    checkpoint_id=row.id, plan_id=plan.id)

    def protect(self, resources):
        checkpoint_id, log_id = self.new_checkpoint(resources)
        self.manager.protect(self.ctx, checkpoint_id, log_id)
        return self.wait_checkpoint(
            checkpoint_id, constants.CHECKPOINT_STATUS_PROTECTING), log_id

    def restore(self, checkpoint_id, parameters=None):
        row = restores_db.restore_create({
            'project_id': self.project, 'provider_id': self.provider_id,
            'checkpoint_id': checkpoint_id, 'parameters': parameters or {},
            'status': constants.RESTORE_STATUS_IN_PROGRESS,
            'resources_status': {}, 'resources_reason': {}})
        log_id = self.new_log(constants.OPERATION_RESTORE,
                              checkpoint_id=checkpoint_id, restore_id=row.id)
        self.manager.restore(self.ctx, row.id, log_id)
        return self.wait(lambda: restores_db.restore_get(row.id),
                         constants.RESTORE_STATUS_IN_PROGRESS), log_id

    def delete(self, checkpoint_id):
        checkpoints_db.checkpoint_update(
            checkpoint_id, {'status': constants.CHECKPOINT_STATUS_DELETING})
        log_id = self.new_log(constants.OPERATION_DELETE,
                              checkpoint_id=checkpoint_id)
        self.manager.delete(self.ctx, checkpoint_id, log_id)
        return self.wait_checkpoint(
            checkpoint_id, constants.CHECKPOINT_STATUS_DELETING), log_id

    def verify(self, checkpoint_id, parameters=None):
        row = verifications_db.verification_create({
            'project_id': self.project, 'provider_id': self.provider_id,
            'checkpoint_id': checkpoint_id,
            'status': constants.VERIFICATION_STATUS_VERIFYING,
            'parameters': parameters or {}, 'resources_status': {},
            'resources_reason': {}})
        log_id = self.new_log(constants.OPERATION_VERIFY,
                              checkpoint_id=checkpoint_id,
                              verification_id=row.id)
        self.manager.verify(self.ctx, row.id, log_id)
        return self.wait(lambda: verifications_db.verification_get(row.id),
                         constants.VERIFICATION_STATUS_VERIFYING), log_id
