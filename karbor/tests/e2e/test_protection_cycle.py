"""A whole protection cycle of a local directory through the ``karbor``
shell of python-karborclient 2.1.0, against karbor-all.

Protect a directory tree (nested directories, an empty file, an empty
directory, a few MiB of random bytes, many small files, unusual modes),
restore it twice (next to the original and into a named target), compare
every byte and mode, delete the checkpoint, and check the errors the shell
reports on the way.
"""

import filecmp
import hashlib
import os
import random
import stat
import tempfile
import time
import uuid

from karbor.common import constants
from karbor.services.protection import local_roots
from karbor.tests.e2e import base

PROJECT = 'e2e-cycle'
PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
PROVIDER_NAME = 'Local Provider'
DIRECTORY = local_roots.RESOURCE_TYPE
UNKNOWN_ID = '0b8a4f7e-6d2c-4e1b-9a3f-5c7d9e1f2a4b'

# More than one data object (8 MiB by default) so that a file straddles
# two of them.
BIG_FILE_SIZE = 9 * 1024 * 1024 + 1234
SMALL_DIRS = 8
SMALL_FILES_PER_DIR = 40
POLL_TIMEOUT = 40
POLL_INTERVAL = 0.3


def make_tree(root):
    """The directory to protect; deterministic except for the bytes."""
    rnd = random.Random(20261125)
    os.makedirs(root)
    with open(os.path.join(root, 'big.bin'), 'wb') as f:
        f.write(os.urandom(BIG_FILE_SIZE))
    os.chmod(os.path.join(root, 'big.bin'), 0o640)
    open(os.path.join(root, 'empty.txt'), 'wb').close()
    os.mkdir(os.path.join(root, 'empty-dir'), 0o750)
    os.chmod(os.path.join(root, 'empty-dir'), 0o750)
    deep = os.path.join(root, 'nested', 'a', 'b', 'c')
    os.makedirs(deep)
    with open(os.path.join(deep, 'deep.txt'), 'w') as f:
        f.write('at the bottom\n')
    with open(os.path.join(root, 'nested', 'run.sh'), 'w') as f:
        f.write('#!/bin/sh\necho restored\n')
    os.chmod(os.path.join(root, 'nested', 'run.sh'), 0o755)
    with open(os.path.join(root, 'nested', 'a', 'read-only'), 'wb') as f:
        f.write(b'\x00\xff' * 100)
    os.chmod(os.path.join(root, 'nested', 'a', 'read-only'), 0o444)
    for d in range(SMALL_DIRS):
        directory = os.path.join(root, 'small', 'd%02d' % d)
        os.makedirs(directory)
        for n in range(SMALL_FILES_PER_DIR):
            with open(os.path.join(directory, 'f%03d.dat' % n), 'wb') as f:
                f.write(os.urandom(rnd.randint(1, 6000)))
    # A name that the shell's id=type=name syntax would split is not a
    # problem as long as only the id travels; keep one awkward file name.
    with open(os.path.join(root, 'small', 'name with spaces & %.txt'),
              'w') as f:
        f.write('spaces\n')
    # Directory times last: writing the files above changed them.
    os.utime(os.path.join(root, 'nested'), (1500000000, 1500000000))


def describe_tree(root):
    """{relative path: (kind, mode, size, sha256, mtime)} of the tree."""
    tree = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            rel = os.path.relpath(path, root)
            if stat.S_ISDIR(st.st_mode):
                tree[rel] = ('dir', stat.S_IMODE(st.st_mode), None, None,
                             st.st_mtime)
            else:
                with open(path, 'rb') as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                tree[rel] = ('file', stat.S_IMODE(st.st_mode), st.st_size,
                             digest, st.st_mtime)
    st = os.stat(root)
    tree['.'] = ('dir', stat.S_IMODE(st.st_mode), None, None, st.st_mtime)
    return tree


class ProtectionCycleTest(base.SharedServerTestCase):

    PROJECT = PROJECT

    def poll(self, args, key, wanted, failed):
        """``karbor <args>`` until ``key`` is ``wanted``; bounded."""
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            shown = self.show(*args)
            if shown[key] == wanted:
                return shown
            self.assertNotIn(shown[key], failed, shown)
            if time.monotonic() > deadline:
                self.fail('%s still %s after %ss: %s' % (
                    ' '.join(args), shown[key], POLL_TIMEOUT, shown))
            time.sleep(POLL_INTERVAL)

    def assertSameTree(self, original, restored):
        self.assertTrue(os.path.isdir(restored), restored)
        filecmp.clear_cache()  # keyed on size and mtime, which we restore
        comparison = filecmp.dircmp(original, restored)
        pending = [comparison]
        while pending:
            cmp = pending.pop()
            self.assertEqual(([], [], []), (cmp.left_only, cmp.right_only,
                                            cmp.funny_files),
                             'trees differ under %s' % cmp.left)
            _, mismatch, errors = filecmp.cmpfiles(
                cmp.left, cmp.right, cmp.common_files, shallow=False)
            self.assertEqual(([], []), (mismatch, errors), cmp.left)
            pending.extend(cmp.subdirs.values())
        want, got = describe_tree(original), describe_tree(restored)
        self.assertEqual(sorted(want), sorted(got))
        for rel in want:
            kind, mode, size, digest, mtime = want[rel]
            self.assertEqual((kind, oct(mode), size, digest),
                             (got[rel][0], oct(got[rel][1]), got[rel][2],
                              got[rel][3]), rel)
            self.assertAlmostEqual(mtime, got[rel][4], delta=0.001,
                                   msg=rel)

    def test_protect_restore_delete(self):
        # karbor-all gives every project its own root.
        root = os.path.realpath(os.path.join(self.server.state_path,
                                             'protect', PROJECT))
        data = os.path.join(root, 'data')
        make_tree(data)
        original = describe_tree(data)
        self.assertGreater(len(original), SMALL_DIRS * SMALL_FILES_PER_DIR)

        # What there is to protect.
        providers = self.rows('provider-list')
        self.assertIn((PROVIDER_ID, PROVIDER_NAME),
                      [(p['Id'], p['Name']) for p in providers])
        types = [r['Protectable type'] for r in self.rows('protectable-list')]
        self.assertIn(DIRECTORY, types)
        instances = self.rows('protectable-list-instances', DIRECTORY)
        # Names relative to the project's root, not host paths.
        [instance] = [i for i in instances if i['Name'] == 'data']
        self.assertNotIn(root, str(instances))
        resource_id = instance['Id']
        self.assertEqual(local_roots.directory_id(data), resource_id)
        self.assertEqual(DIRECTORY, instance['Type'])

        # Plan and checkpoint.
        plan = self.show('plan-create', 'cycle-plan', PROVIDER_ID,
                         '%s=%s=data' % (resource_id, DIRECTORY))
        self.assertEqual('cycle-plan', plan['name'])
        self.assertEqual([(resource_id, DIRECTORY)],
                         [(r['id'], r['type']) for r in plan['resources']])
        checkpoint = self.show('checkpoint-create', PROVIDER_ID, plan['id'])
        checkpoint_id = checkpoint['id']
        self.assertIn(checkpoint['status'],
                      (constants.CHECKPOINT_STATUS_PROTECTING,
                       constants.CHECKPOINT_STATUS_AVAILABLE))
        self.assertEqual(plan['id'], checkpoint['protection_plan']['id'])
        checkpoint = self.poll(('checkpoint-show', PROVIDER_ID,
                                checkpoint_id), 'status',
                               constants.CHECKPOINT_STATUS_AVAILABLE,
                               (constants.CHECKPOINT_STATUS_ERROR,))
        graph_resources = [node[:2] for node in
                           checkpoint['resource_graph'][0].values()]
        self.assertEqual([[DIRECTORY, resource_id]], graph_resources)
        listed = self.rows('checkpoint-list', PROVIDER_ID)
        self.assertIn((checkpoint_id, 'available'),
                      [(c['Id'], c['Status']) for c in listed])

        # Restore next to the original, under the default name.
        restore = self.show('restore-create', PROVIDER_ID, checkpoint_id)
        default_restore_id = restore['id']
        self.assertEqual(checkpoint_id, restore['checkpoint_id'])
        restore = self.poll(('restore-show', default_restore_id), 'status',
                            constants.RESTORE_STATUS_SUCCESS,
                            (constants.RESTORE_STATUS_FAILURE,))
        key = '%s#%s' % (DIRECTORY, resource_id)
        self.assertEqual({key: constants.RESOURCE_STATUS_AVAILABLE},
                         restore['resources_status'])
        self.assertSameTree(data, '%s.restored-%s' % (
            data, default_restore_id[:8]))

        # Restore into a named target, relative to the project's root.
        target = os.path.join(root, 'restored-here')
        restore = self.show(
            'restore-create', PROVIDER_ID, checkpoint_id, '--parameters',
            'resource_type=%s,target_path=restored-here' % DIRECTORY)
        target_restore_id = restore['id']
        self.assertEqual({DIRECTORY: {'target_path': 'restored-here'}},
                         restore['parameters'])
        self.poll(('restore-show', target_restore_id), 'status',
                  constants.RESTORE_STATUS_SUCCESS,
                  (constants.RESTORE_STATUS_FAILURE,))
        self.assertSameTree(data, target)
        # The original was only read.
        self.assertEqual(original, describe_tree(data))

        # A target outside the allowed roots is refused before anything
        # starts; so is a target that already holds files, or one whose
        # parent does not exist.
        elsewhere = os.path.join(tempfile.gettempdir(),
                                 'karbor-elsewhere-%s' % uuid.uuid4().hex)
        result = self.run_karbor(
            'restore-create', PROVIDER_ID, checkpoint_id, '--parameters',
            'resource_type=%s,target_path=%s' % (DIRECTORY, elsewhere))
        self.assertFailedWith(result, 'not inside your directories',
                              'HTTP 400')
        self.assertNotIn(root, result.stdout + result.stderr)
        self.assertFalse(os.path.exists(elsewhere))
        result = self.run_karbor(
            'restore-create', PROVIDER_ID, checkpoint_id, '--parameters',
            'resource_type=%s,target_path=restored-here' % DIRECTORY)
        self.assertFailedWith(result, 'not empty', 'HTTP 400')
        orphan = os.path.join(root, 'no-such-parent', 'restored')
        result = self.run_karbor(
            'restore-create', PROVIDER_ID, checkpoint_id, '--parameters',
            'resource_type=%s,target_path=no-such-parent/restored' %
            DIRECTORY)
        self.assertFailedWith(result, 'is not one of your directories',
                              'HTTP 400')
        self.assertFalse(os.path.exists(os.path.dirname(orphan)))

        # The operation logs followed all of it. Each is finished just
        # after its checkpoint or restore got its final status.
        wanted = {('protect', checkpoint_id, '-'),
                  ('restore', checkpoint_id, default_restore_id),
                  ('restore', checkpoint_id, target_restore_id)}
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            logs = self.rows('operationlog-list')
            done = {(log['Operation Type'], log['Checkpoint id'],
                     log['Restore Id']) for log in logs
                    if log['Status'] == 'success'}
            if wanted <= done or time.monotonic() > deadline:
                break
            time.sleep(POLL_INTERVAL)
        self.assertEqual(set(), wanted - done, logs)
        for log in logs:
            if (log['Operation Type'], log['Checkpoint id'],
                    log['Restore Id']) in wanted:
                self.assertEqual(plan['id'], log['Plan Id'])
                self.assertEqual(PROVIDER_ID, log['Provider id'])
                self.assertNotEqual('-', log['Ended At'])

        # Delete the checkpoint: gone from the shell and from the bank.
        self.ok('checkpoint-delete', PROVIDER_ID, checkpoint_id)
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            result = self.run_karbor('checkpoint-show', PROVIDER_ID,
                                     checkpoint_id)
            if result.returncode != 0 or time.monotonic() > deadline:
                break
            self.assertIn(self.show('checkpoint-show', PROVIDER_ID,
                                    checkpoint_id)['status'],
                          (constants.CHECKPOINT_STATUS_DELETING,
                           constants.CHECKPOINT_STATUS_AVAILABLE))
            time.sleep(POLL_INTERVAL)
        self.assertFailedWith(result, checkpoint_id, 'could not be found',
                              'HTTP 404')
        self.assertNotIn(checkpoint_id, [
            c['Id'] for c in self.rows('checkpoint-list', PROVIDER_ID)])
        bank = os.path.join(self.server.state_path, 'bank')
        leftovers = [os.path.join(d, f) for d, _, files in os.walk(bank)
                     for f in files if checkpoint_id in os.path.join(d, f)]
        self.assertEqual([], leftovers)

        # Restoring from it now fails with not found.
        result = self.run_karbor('restore-create', PROVIDER_ID,
                                 checkpoint_id)
        self.assertFailedWith(result, checkpoint_id, 'could not be found',
                              'HTTP 404')
        # The restored copies stay: they belong to the user now.
        self.assertSameTree(data, target)

    def test_plan_with_unknown_resource(self):
        result = self.run_karbor(
            'plan-create', 'no-such-dir', PROVIDER_ID,
            '%s=%s=nowhere' % (UNKNOWN_ID, DIRECTORY))
        self.assertFailedWith(result, UNKNOWN_ID, 'can not be found')
        names = [p['Name'] for p in self.rows('plan-list')]
        self.assertNotIn('no-such-dir', names)
