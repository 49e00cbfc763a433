"""Checkpoint verification through the ``karbor`` shell of
python-karborclient 2.1.0, unmodified, against karbor-all.

``verification-create`` (plain, and deep through ``--parameters``),
``verification-show`` until the verdict, ``verification-list`` with its
filters, paging, sorting and ``--all-tenants``; a byte flipped in the bank
behind the service's back, which the deep level names; and the errors the
shell reports.
"""

import hashlib
import json
import os
import random
import time
import uuid

from karbor.common import constants
from karbor.services.protection import local_roots
from karbor.tests.e2e import base
from karbor.tests.functional import utils

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = local_roots.RESOURCE_TYPE
DEEP = 'resource_type=%s,level=deep' % DIRECTORY
QUICK = 'resource_type=%s,level=quick' % DIRECTORY
MiB = 1024 * 1024
# Two data objects of the built-in provider (8 MiB each).
DATA_SIZE = 9 * MiB + 4321
POLL_TIMEOUT = 40
POLL_INTERVAL = 0.3

SUCCESS = constants.VERIFICATION_STATUS_SUCCESS
ERROR = constants.VERIFICATION_STATUS_ERROR
VERIFYING = constants.VERIFICATION_STATUS_VERIFYING


class VerificationCliTest(base.SharedServerTestCase):

    def setUp(self):
        super().setUp()
        # Each test in a project of its own: the server is shared.
        self.project = self.PROJECT = 'e2e-verify-%s' % uuid.uuid4().hex[:8]

    # The shell

    def listed(self, *args, **kwargs):
        """(id, status) of the rows of ``verification-list <args>``."""
        return [(row['Id'], row['Status']) for row in
                self.rows('verification-list', *args, **kwargs)]

    def create(self, checkpoint_id, *args):
        shown = self.show('verification-create', PROVIDER_ID, checkpoint_id,
                          *args)
        self.assertEqual(VERIFYING, shown['status'])
        self.assertEqual(checkpoint_id, shown['checkpoint_id'])
        self.assertEqual(self.project, shown['project_id'])
        return shown

    def verdict(self, verification_id):
        """``verification-show`` until it is no longer verifying."""
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            shown = self.show('verification-show', verification_id)
            if shown['status'] != VERIFYING:
                return shown
            if time.monotonic() > deadline:
                self.fail('verification %s still verifying after %ss: %s' %
                          (verification_id, POLL_TIMEOUT, shown))
            time.sleep(POLL_INTERVAL)

    # Set-up over HTTP: the shell's plan and checkpoint commands have
    # their own test.

    def api(self, method, path, body=None, expected=200, project=None):
        status, _, doc = utils.http(
            method, self.server.project_url(project or self.project) + path,
            body=body, token='admin-token')
        self.assertEqual(expected, status, doc)
        return doc

    def make_directory(self, project=None):
        path = os.path.join(os.path.realpath(self.server.state_path),
                            'protect', project or self.project,
                            'verify-%s' % uuid.uuid4().hex)
        os.makedirs(path)
        rnd = random.Random(4)
        with open(os.path.join(path, 'data.bin'), 'wb') as f:
            f.write(rnd.randbytes(DATA_SIZE))
        with open(os.path.join(path, 'note.txt'), 'w') as f:
            f.write('verify me\n')
        return path

    def protect(self, path, project=None):
        """An available checkpoint of the directory ``path``; its id."""
        # As a client does: the id from the list of the project's root.
        name = os.path.basename(path)
        [listed] = [i for i in self.api(
            'GET', '/protectables/%s/instances' % DIRECTORY,
            project=project)['instances'] if i['name'] == name]
        resources = [{'id': listed['id'], 'type': DIRECTORY, 'name': name}]
        plan = self.api('POST', '/plans', {'plan': {
            'name': 'verify-cli', 'provider_id': PROVIDER_ID,
            'resources': resources}}, project=project)['plan']
        checkpoint_id = self.api(
            'POST', '/providers/%s/checkpoints' % PROVIDER_ID,
            {'checkpoint': {'plan_id': plan['id']}}, expected=202,
            project=project)['checkpoint']['id']
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            status = self.api('GET', '/providers/%s/checkpoints/%s' % (
                PROVIDER_ID, checkpoint_id), project=project)[
                'checkpoint']['status']
            if status == constants.CHECKPOINT_STATUS_AVAILABLE:
                return checkpoint_id
            self.assertNotEqual(constants.CHECKPOINT_STATUS_ERROR, status)
            self.assertLess(time.monotonic(), deadline,
                            'checkpoint %s still %s' % (checkpoint_id,
                                                        status))
            time.sleep(POLL_INTERVAL)

    def bank_file(self, checkpoint_id, path, name):
        key = 'checkpoints/%s/resource-data/%s#%s/%s' % (
            checkpoint_id, DIRECTORY, local_roots.directory_id(path), name)
        return key, os.path.join(self.server.state_path, 'bank',
                                 PROVIDER_ID, *key.split('/'))

    def flip_byte(self, checkpoint_id, path, name, offset):
        """Flip one byte of a data object in place; its key."""
        key, bank_file = self.bank_file(checkpoint_id, path, name)
        with open(bank_file, 'r+b') as f:
            f.seek(offset)
            byte = f.read(1)
            f.seek(offset)
            f.write(bytes([byte[0] ^ 0xff]))
        self.assertNotEqual(self.recorded_sha256(checkpoint_id, path, name),
                            self.sha256(bank_file))
        return key

    def recorded_sha256(self, checkpoint_id, path, name):
        _, manifest = self.bank_file(checkpoint_id, path, 'manifest.json')
        with open(manifest) as f:
            [entry] = [o for o in json.load(f)['objects']
                       if o['key'] == name]
        return entry['sha256']

    @staticmethod
    def sha256(bank_file):
        with open(bank_file, 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()

    # Tests

    def test_create_show_list(self):
        path = self.make_directory()
        checkpoint_id = self.protect(path)
        key = '%s#%s' % (DIRECTORY, local_roots.directory_id(path))

        quick = self.create(checkpoint_id, '--parameters', QUICK)
        self.assertEqual({DIRECTORY: {'level': 'quick'}},
                         quick['parameters'])
        deep = self.create(checkpoint_id, '--parameters', DEEP)
        self.assertEqual({DIRECTORY: {'level': 'deep'}}, deep['parameters'])
        for created in (quick, deep):
            shown = self.verdict(created['id'])
            self.assertEqual(SUCCESS, shown['status'], shown)
            self.assertEqual({key: SUCCESS}, shown['resource_status'])
            self.assertEqual({key: SUCCESS}, shown['resource_status'])
            self.assertEqual(created['parameters'], shown['parameters'])
            self.assertEqual(2, shown['progress']['objects_checked'])
            self.assertEqual(DATA_SIZE + 10,
                             shown['progress']['bytes_checked'])

        # A flipped byte: the sizes are right, so the quick level passes;
        # the deep level, the Local Provider's default, reads it and names
        # the object and the file it holds.
        damaged = self.flip_byte(checkpoint_id, path, 'data/00000001', 77)
        quick_after = self.verdict(
            self.create(checkpoint_id, '--parameters', QUICK)['id'])
        self.assertEqual(SUCCESS, quick_after['status'], quick_after)
        self.assertEqual({key: 'quick'}, quick_after['levels'])
        deep_after = self.verdict(self.create(checkpoint_id)['id'])
        self.assertEqual({key: 'deep'}, deep_after['levels'])
        self.assertIn('it holds data.bin',
                      deep_after['resource_reason'][key])
        _, bank_file = self.bank_file(checkpoint_id, path, 'data/00000001')
        self.assertEqual(ERROR, deep_after['status'], '%s\nobject SHA-256 '
                         'now %s, recorded %s; karbor-all log:\n%s' % (
                             deep_after, self.sha256(bank_file),
                             self.recorded_sha256(checkpoint_id, path,
                                                  'data/00000001'),
                             self.server.process.output()))
        self.assertEqual({key: ERROR}, deep_after['resource_status'])
        reason = deep_after['resource_reason'][key]
        self.assertIn(damaged, reason)
        self.assertIn('SHA-256 mismatch', reason)
        self.assertIn(key, deep_after['status_reason'])

        # verification-list: filters, sort, paging.
        shown = {v['id']: self.show('verification-show', v['id'])
                 for v in (quick, deep, quick_after, deep_after)}
        newest_first = sorted(shown, key=lambda i: (shown[i]['created_at'],
                                                    i), reverse=True)
        everything = self.listed('--sort', 'created_at:desc')
        self.assertEqual(newest_first, [i for i, _ in everything])
        self.assertEqual([shown[i]['status'] for i in newest_first],
                         [s for _, s in everything])
        # Without --sort the shell orders the rows by id itself.
        self.assertEqual(sorted(shown), [i for i, _ in self.listed()])
        self.assertEqual(
            sorted((i, SUCCESS) for i in (quick['id'], deep['id'],
                                          quick_after['id'])),
            self.listed('--status', SUCCESS))
        self.assertEqual([(deep_after['id'], ERROR)],
                         self.listed('--status', ERROR))
        self.assertEqual([], self.listed('--status', VERIFYING))
        self.assertEqual(everything[:1],
                         self.listed('--limit', '1', '--sort',
                                     'created_at:desc'))
        self.assertEqual(everything[1:],
                         self.listed('--marker', newest_first[0], '--sort',
                                     'created_at:desc'))
        self.assertEqual(everything[2:3],
                         self.listed('--marker', newest_first[1], '--limit',
                                     '1', '--sort', 'created_at:desc'))

        # --all-tenants: an administrator sees another project's
        # verification too; without it, only the URL's project.
        other = 'e2e-verify-other-%s' % uuid.uuid4().hex[:8]
        other_checkpoint = self.protect(self.make_directory(other),
                                        project=other)
        other_id = self.api('POST', '/verifications', {'verification': {
            'provider_id': PROVIDER_ID, 'checkpoint_id': other_checkpoint}},
            expected=202, project=other)['verification']['id']
        rows = self.rows('verification-list', '--all-tenants', token='t')
        projects = {row['Id']: row['Project id'] for row in rows}
        self.assertEqual(other, projects.get(other_id), rows)
        for verification_id in shown:
            self.assertEqual(self.project, projects.get(verification_id))
        self.assertNotIn(other_id, [i for i, _ in self.listed(token='t')])
        result = self.run_karbor('verification-list', '--all-tenants',
                                 token='alice:%s' % self.project)
        self.assertFailedWith(result, 'all_tenants', 'HTTP 403')

    def test_unknown_checkpoint(self):
        unknown = str(uuid.uuid4())
        result = self.run_karbor('verification-create', PROVIDER_ID,
                                 unknown)
        self.assertFailedWith(result, 'Checkpoint %s could not be found' %
                              unknown, 'HTTP 404')
        result = self.run_karbor('verification-create', PROVIDER_ID,
                                 unknown, '--parameters', DEEP)
        self.assertFailedWith(result, unknown, 'HTTP 404')
        self.assertEqual([], self.listed())

    def test_bad_parameters(self):
        checkpoint_id = self.protect(self.make_directory())
        result = self.run_karbor(
            'verification-create', PROVIDER_ID, checkpoint_id,
            '--parameters', 'resource_type=%s,level=bogus' % DIRECTORY)
        self.assertFailedWith(result, 'HTTP 400', 'level', "'bogus'",
                              'quick', 'deep')
        result = self.run_karbor(
            'verification-create', PROVIDER_ID, checkpoint_id,
            '--parameters', 'resource_type=%s,speed=fast' % DIRECTORY)
        self.assertFailedWith(result, 'HTTP 400', 'speed')
        # Nothing was queued.
        self.assertEqual([], self.listed())

    def test_restore_gated_by_verification(self):
        """``restore-create`` of a checkpoint whose deep verification found
        a flipped byte: refused with 409 naming the resource and the way
        around it, which the unmodified shell can send
        (``--parameters-json``); a checkpoint never verified restores, and
        its restore says so."""
        path = self.make_directory()
        name = os.path.basename(path)
        checkpoint_id = self.protect(path)
        key = '%s#%s' % (DIRECTORY, local_roots.directory_id(path))

        never = self.show('restore-create', PROVIDER_ID, checkpoint_id)
        restore_id = never['id']
        for shown in (never, self.show('restore-show', restore_id)):
            record = shown['checkpoint_verification']
            self.assertEqual('never verified', record['summary'])
            self.assertIsNone(record['id'])
            self.assertFalse(record['failure_ignored'])
        self.wait_restore(restore_id)

        self.flip_byte(checkpoint_id, path, 'data/00000001', 77)
        failed = self.verdict(
            self.create(checkpoint_id, '--parameters', DEEP)['id'])
        self.assertEqual(ERROR, failed['status'], failed)

        result = self.run_karbor('restore-create', PROVIDER_ID,
                                 checkpoint_id)
        self.assertFailedWith(
            result, 'HTTP 409', failed['id'], '%s (%s)' % (name, key),
            'SHA-256 mismatch', 'ignore_failed_verification')
        self.assertNotIn(os.path.realpath(self.server.state_path),
                         result.stderr)
        # Only the first restore exists.
        self.assertEqual([restore_id], [row['Id'] for row in self.rows(
            'restore-list')])

        anyway = self.show('restore-create', PROVIDER_ID, checkpoint_id,
                           '--parameters-json',
                           '{"ignore_failed_verification": true}')
        forced_id = anyway['id']
        record = self.show('restore-show', forced_id)[
            'checkpoint_verification']
        self.assertEqual(failed['id'], record['id'])
        self.assertEqual(ERROR, record['status'])
        self.assertEqual('deep', record['level'])
        self.assertTrue(record['failure_ignored'])
        self.assertTrue(record['summary'].startswith('error (deep'))
        self.assertEqual({}, anyway['parameters'])
        self.assertEqual(sorted([restore_id, forced_id]), sorted(
            row['Id'] for row in self.rows('restore-list')))
        # The damaged file comes back damaged: the restore ends, it was
        # the caller's choice.
        self.wait_restore(forced_id)

    def wait_restore(self, restore_id):
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            status = self.api('GET', '/restores/%s' % restore_id)[
                'restore']['status']
            if status != constants.RESTORE_STATUS_IN_PROGRESS:
                return status
            self.assertLess(time.monotonic(), deadline,
                            'restore %s still running' % restore_id)
            time.sleep(POLL_INTERVAL)
