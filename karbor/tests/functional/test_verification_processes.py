"""Checkpoint verification with karbor-api and karbor-protection as two
real processes, over RabbitMQ, on MariaDB and on PostgreSQL, with the
file-system bank and with a real Swift.

Directories are protected through the API, the bank is damaged behind the
service's back (a flipped byte, a deleted object, a truncated object), and
the verdicts the API reports are checked: which resource, which object,
what was expected. The durability test kills karbor-protection with
SIGKILL in the middle of a deep verification and checks that, started
again, it resumes the verification to its end.
"""

import logging
import os
import random
import shutil
import signal
import threading
import time
import uuid

import fixtures
from oslotest import base

from karbor.common import constants
from karbor.services.protection import local_roots
from karbor.services.protection import provider as provider_module
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import processes
from karbor.tests.functional import swift_fixture
from karbor.tests.functional import utils

DIRECTORY = local_roots.RESOURCE_TYPE
LOCAL_PROVIDER_ID = provider_module.LOCAL_PROVIDER_ID
# A file-system provider of a providers.d file, with small data objects.
CHUNKED_PROVIDER_ID = 'c7b1e2d4-5f60-4a8b-9c0d-1e2f3a4b5c6d'
SWIFT_PROVIDER_ID = '5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f'
MiB = 1024 * 1024

SERVICE_DOWN_TIME = 10
OPERATION_TIMEOUT = 60

VERIFYING = constants.VERIFICATION_STATUS_VERIFYING
SUCCESS = constants.VERIFICATION_STATUS_SUCCESS
ERROR = constants.VERIFICATION_STATUS_ERROR

# The durability test: this much data in objects of DURABLE_CHUNK_MB.
DURABLE_FILES = 30
DURABLE_FILE_SIZE = 10 * MiB
DURABLE_CHUNK_MB = 4
# Tries to catch a deep verification in the middle, each slower.
KILL_ATTEMPTS = 4


def write_files(root, sizes, seed):
    """Files f00, f01, ... of the given sizes: random bytes, generated
    once per call (generating hundreds of MiB is slower than writing
    them), each file different from the others in its first bytes."""
    block = random.Random(seed).randbytes(max(sizes))
    os.makedirs(root)
    for n, size in enumerate(sizes):
        with open(os.path.join(root, 'f%02d' % n), 'wb') as f:
            head = b'%08d' % n
            f.write(head[:size])
            f.write(block[len(head):size])
    return root


class Throttle:
    """Lets a process run only ``share`` of the time (SIGSTOP and SIGCONT
    in turns, as cpulimit does), so that an operation that takes a third
    of a second on an idle machine can be caught in the middle.

    On a loaded machine this thread may wake up late and let the process
    run longer than its share: the test that uses it checks, with the
    process frozen, whether it caught what it wanted, and tries again if
    not. Leaving the ``with`` block continues the process if it lives.
    """

    PERIOD = 0.2

    def __init__(self, popen, share):
        self.popen = popen
        self.share = share
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _signal(self, sig):
        if self.popen.poll() is None:
            os.kill(self.popen.pid, sig)

    def _run(self):
        while not self._done.is_set():
            self._signal(signal.SIGSTOP)
            self._done.wait(self.PERIOD * (1 - self.share))
            self._signal(signal.SIGCONT)
            self._done.wait(self.PERIOD * self.share)

    def freeze(self):
        """Stop throttling, and the process (until the block ends).

        Returns once every thread of the process is stopped: kill()
        returns before the signal is delivered, and a thread running on
        the other core may still finish a write meanwhile."""
        self._done.set()
        self._thread.join(5)
        self._signal(signal.SIGSTOP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not self._all_stopped():
            time.sleep(0.01)

    def _all_stopped(self):
        tasks = '/proc/%d/task' % self.popen.pid
        try:
            for tid in os.listdir(tasks):
                with open(os.path.join(tasks, tid, 'stat')) as f:
                    # "pid (comm) S ...": the state follows the last ')'.
                    if f.read().rpartition(')')[2].split()[0] not in 'tT':
                        return False
        except FileNotFoundError:
            return True  # the process or a thread is gone
        return True

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join(5)
        self._signal(signal.SIGCONT)


def configure_services(write_providers):
    """The ``configure`` of the :class:`processes.KarborServices` of these
    tests: the built-in local provider with its root, a chunked local
    provider, and the providers of the files ``write_providers(services,
    directory)`` writes."""

    def configure(services, sections):
        # The roots of the built-in local provider, one per project (each
        # test has a project of its own); the other providers share them.
        services.root = os.path.join(os.path.realpath(services.state_path),
                                     'protect', '{project_id}')
        providers_dir = os.path.join(services.tmp, 'providers.d')
        os.makedirs(providers_dir)
        utils.write_config(os.path.join(providers_dir, 'chunked.conf'), {
            'provider': {'id': CHUNKED_PROVIDER_ID,
                         'name': 'Chunked Local Provider',
                         'bank': 'file_system',
                         'plugin': 'local_directory'},
            'file_system_bank': {'path': os.path.join(services.tmp,
                                                      'chunked-bank'),
                                 'fsync': 'false'},
            'local_directory': {'allowed_roots': services.root,
                                'create_roots': 'true',
                                'chunk_size_mb': DURABLE_CHUNK_MB}})
        write_providers(services, providers_dir)
        sections['protection']['verify_threads'] = 1
        sections['providers'] = {'enable_local_provider': 'true',
                                 'config_dir': providers_dir}
    return configure


class _VerificationProcesses(processes.ProcessTestMixin):
    """Shared by the test classes: one ``Services`` per class (its start
    takes most of the time), a project of its own per test. Subclasses
    name the database ``backend`` and the provider of the corruption
    tests."""

    backend = None
    # Swift reports the MD5 of every object as its ETag: a quick
    # verification sees a flipped byte there, not on a file system.
    quick_sees_flipped_byte = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        services = processes.KarborServices(
            cls.backend, SERVICE_DOWN_TIME,
            configure=configure_services(cls.write_providers))
        # Outside any test, the log lines of the fixtures (every Swift
        # request at DEBUG) would end up on the runner's output.
        with fixtures.FakeLogger(level=logging.INFO):
            services.setUp()  # cleans itself up if it fails
        cls.addClassCleanup(cls._quietly, services.cleanUp)
        cls.services = services

    @staticmethod
    def _quietly(function):
        with fixtures.FakeLogger(level=logging.INFO):
            function()

    @staticmethod
    def write_providers(services, directory):
        """Extra provider files of a subclass."""

    @property
    def provider_id(self):
        """The provider of the corruption tests."""
        return LOCAL_PROVIDER_ID

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        if self.services.protection.process.poll() is not None:
            # A test before this one failed with karbor-protection down.
            self.services.restart_protection()
        self.project = uuid.uuid4().hex
        self.base_url = 'http://127.0.0.1:%d/v1/%s' % (
            self.services.port, self.project)
        self.root = self.services.root.replace('{project_id}',
                                               self.project)
        self.state_path = self.services.state_path
        self.wait_protection_up()

    def mkdtemp(self, name):
        """A directory path under the allowed root, of this test only,
        removed after the test."""
        path = os.path.join(self.root, '%s-%s' % (name, uuid.uuid4().hex))
        self.addCleanup(shutil.rmtree, path, ignore_errors=True)
        return path

    def protect(self, provider_id, paths):
        """A plan of the directories ``paths``, and an available
        checkpoint of it; the checkpoint id."""
        # As a client does: the ids from the list of the project's root.
        listed = {i['name']: i['id'] for i in self.request(
            'GET', '/protectables/%s/instances' % DIRECTORY)['instances']}
        resources = [{'id': listed[os.path.relpath(p, self.root)],
                      'type': DIRECTORY, 'name': os.path.relpath(p, self.root)}
                     for p in paths]
        plan = self.request('POST', '/plans', {'plan': {
            'name': 'verify-%s' % uuid.uuid4().hex[:8],
            'provider_id': provider_id, 'resources': resources}})['plan']
        checkpoint = self.request(
            'POST', '/providers/%s/checkpoints' % provider_id,
            {'checkpoint': {'plan_id': plan['id']}},
            expected=202)['checkpoint']
        path = '/providers/%s/checkpoints/%s' % (
            provider_id, checkpoint['id'])

        def available():
            shown = self.request('GET', path)['checkpoint']
            if shown['status'] == constants.CHECKPOINT_STATUS_ERROR:
                self.fail_with_logs('checkpoint failed: %s' % shown)
            return shown['status'] == \
                constants.CHECKPOINT_STATUS_AVAILABLE
        self.wait(available, 'checkpoint %s available' % checkpoint['id'],
                  timeout=OPERATION_TIMEOUT)
        return checkpoint['id']

    def verify(self, provider_id, checkpoint_id, level=None):
        parameters = {DIRECTORY: {'level': level}} if level else {}
        doc = self.request('POST', '/verifications', {'verification': {
            'provider_id': provider_id, 'checkpoint_id': checkpoint_id,
            'parameters': parameters}}, expected=202)['verification']
        self.assertEqual(VERIFYING, doc['status'])
        self.assertEqual(checkpoint_id, doc['checkpoint_id'])
        self.assertEqual(parameters, doc['parameters'])
        return doc['id']

    def show(self, verification_id):
        return self.request('GET',
                            '/verifications/%s' % verification_id)[
            'verification']

    def finished(self, verification_id, timeout=OPERATION_TIMEOUT):
        """The verification once it is no longer verifying."""
        return self.wait(
            lambda: (lambda v: v if v['status'] != VERIFYING else None)(
                self.show(verification_id)),
            'verification %s to end' % verification_id, timeout=timeout,
            interval=0.1)

    def verified(self, provider_id, checkpoint_id, level=None):
        return self.finished(self.verify(provider_id, checkpoint_id, level))

    def operation_log(self, verification_id):
        """The one operation log of a verification, once it ended."""
        def ended():
            logs = self.request('GET', '/operation_logs?verification_id=%s'
                                % verification_id)['operation_logs']
            self.assertEqual(1, len(logs), logs)
            if logs[0]['status'] not in (SUCCESS, ERROR):
                return None
            return logs[0]
        return self.wait(ended, 'operation log of verification %s' %
                         verification_id, timeout=10)

    # The bank, behind the service's back

    def object_key(self, checkpoint_id, path, name):
        return 'checkpoints/%s/resource-data/%s#%s/%s' % (
            checkpoint_id, DIRECTORY, local_roots.directory_id(path), name)

    def bank_file(self, key):
        """The file of ``key`` in the bank of the built-in provider."""
        return os.path.join(self.state_path, 'bank', LOCAL_PROVIDER_ID,
                            *key.split('/'))

    def read_object(self, key):
        with open(self.bank_file(key), 'rb') as f:
            return f.read()

    def write_object(self, key, data):
        with open(self.bank_file(key), 'wb') as f:
            f.write(data)

    def delete_object(self, key):
        os.unlink(self.bank_file(key))

    def flip_byte(self, key, offset):
        data = bytearray(self.read_object(key))
        data[offset] ^= 0xff
        self.write_object(key, bytes(data))
        return len(data)

    def key_of(self, path):
        return '%s#%s' % (DIRECTORY, local_roots.directory_id(path))

    def assertIntact(self, verification, keys):
        self.assertEqual(SUCCESS, verification['status'], verification)
        self.assertIsNone(verification['status_reason'])
        self.assertEqual({k: SUCCESS for k in keys},
                         verification['resource_status'])


class _CorruptionTests:

    def test_flipped_byte(self):
        # Two data objects in "big" (they are 8 MiB with the built-in and
        # the Swift provider), one small file in "small".
        big = write_files(self.mkdtemp('big'), [3 * MiB, 6 * MiB, 1234],
                          seed=1)
        small = write_files(self.mkdtemp('small'), [100], seed=2)
        checkpoint_id = self.protect(self.provider_id, [big, small])
        keys = [self.key_of(big), self.key_of(small)]

        verification = self.verified(self.provider_id, checkpoint_id)
        self.assertIntact(verification, keys)
        self.assertEqual({}, verification['parameters'])
        progress = verification['progress']
        self.assertEqual(2, progress['resources_total'])
        self.assertEqual(2, progress['resources_checked'])
        self.assertGreaterEqual(progress['objects_total'], 3)
        self.assertEqual(progress['objects_total'],
                         progress['objects_checked'])
        self.assertEqual(9 * MiB + 1234 + 100, progress['bytes_total'])
        log = self.operation_log(verification['id'])
        self.assertEqual((constants.OPERATION_VERIFY, SUCCESS, None),
                         (log['operation_type'], log['status'],
                          log['error_info']))
        self.assertEqual(checkpoint_id, log['checkpoint_id'])

        # One byte flipped in the second object of "big": same size.
        damaged = self.object_key(checkpoint_id, big, 'data/00000001')
        size = self.flip_byte(damaged, 12345)
        self.assertEqual(9 * MiB + 1234 - 8 * MiB, size)

        quick = self.verified(self.provider_id, checkpoint_id, 'quick')
        if self.quick_sees_flipped_byte:
            self.assertEqual(ERROR, quick['status'], quick)
            self.assertEqual(SUCCESS, quick['resource_status'][keys[1]])
            self.assertEqual(ERROR, quick['resource_status'][keys[0]])
            reason = quick['resource_reason'][keys[0]]
            self.assertIn(damaged, reason)
            self.assertIn('ETag', reason)
        else:
            # Size and presence are right; only reading tells.
            self.assertIntact(quick, keys)

        deep = self.verified(self.provider_id, checkpoint_id, 'deep')
        self.assertEqual({DIRECTORY: {'level': 'deep'}}, deep['parameters'])
        self.assertEqual(ERROR, deep['status'], deep)
        self.assertEqual({keys[0]: ERROR, keys[1]: SUCCESS},
                         deep['resource_status'])
        reason = deep['resource_reason'][keys[0]]
        self.assertIn(damaged, reason)
        self.assertIn('SHA-256 mismatch', reason)
        self.assertNotIn('Traceback', reason)
        self.assertEqual('', deep['resource_reason'].get(keys[1], ''))
        self.assertIn(keys[0], deep['status_reason'])
        self.assertNotIn(keys[1], deep['status_reason'])
        self.assertEqual(deep['progress']['bytes_total'],
                         deep['progress']['bytes_checked'])
        log = self.operation_log(deep['id'])
        self.assertEqual(ERROR, log['status'])
        self.assertIn(keys[0], log['error_info'])

        # The list filters find it.
        listed = self.request('GET', '/verifications?checkpoint_id=%s'
                              '&status=error' % checkpoint_id)
        self.assertIn(deep['id'],
                      [v['id'] for v in listed['verifications']])

    def test_damaged_resources_do_not_fail_the_others(self):
        paths = {name: write_files(self.mkdtemp(name), [2 * MiB, 3000],
                                   seed=n)
                 for n, name in enumerate(('deleted', 'truncated',
                                           'intact'))}
        checkpoint_id = self.protect(self.provider_id, sorted(
            paths.values()))
        keys = {name: self.key_of(path) for name, path in paths.items()}
        self.assertIntact(self.verified(self.provider_id, checkpoint_id),
                          keys.values())

        gone = self.object_key(checkpoint_id, paths['deleted'],
                               'data/00000000')
        self.delete_object(gone)
        short = self.object_key(checkpoint_id, paths['truncated'],
                                'data/00000000')
        data = self.read_object(short)
        self.write_object(short, data[:-1000])
        expected_size = 2 * MiB + 3000
        self.assertEqual(expected_size, len(data))

        for level in (None, 'deep'):
            verification = self.verified(self.provider_id, checkpoint_id,
                                         level)
            self.assertEqual(ERROR, verification['status'], verification)
            self.assertEqual({keys['deleted']: ERROR,
                              keys['truncated']: ERROR,
                              keys['intact']: SUCCESS},
                             verification['resource_status'])
            reasons = verification['resource_reason']
            self.assertIn('%s is missing' % gone, reasons[keys['deleted']])
            self.assertIn('%s: size %d expected, %d found' % (
                short, expected_size, expected_size - 1000),
                reasons[keys['truncated']])
            self.assertEqual('', reasons.get(keys['intact'], ''))
            self.assertIn('2 of 3 resource(s) failed',
                          verification['status_reason'])


class _DurabilityTests:

    def test_kill_during_deep_verification(self):
        data = write_files(self.mkdtemp('large'),
                           [DURABLE_FILE_SIZE] * DURABLE_FILES, seed=3)
        checkpoint_id = self.protect(CHUNKED_PROVIDER_ID, [data])
        key = self.key_of(data)
        total = DURABLE_FILE_SIZE * DURABLE_FILES

        for attempt in range(KILL_ATTEMPTS):
            frozen = self._catch_in_the_middle(checkpoint_id, key, total,
                                               share=0.05 / 2 ** attempt)
            if frozen:
                break
        else:
            self.fail_with_logs('no deep verification of checkpoint %s '
                                'could be caught in the middle in %d '
                                'attempts' % (checkpoint_id, KILL_ATTEMPTS))
        verification_id = frozen['id']
        # Killed while frozen: what it showed is what the crash left.
        self.assertEqual(frozen, self.show(verification_id))

        # Started again on the same host, the service resumes it from its
        # last finished task (the check of the resource runs again).
        self.services.restart_protection()
        ended = self.finished(verification_id,
                              timeout=processes.START_TIMEOUT +
                              OPERATION_TIMEOUT)
        self.assertIntact(ended, [key])
        self.assertEqual(total, ended['progress']['bytes_checked'])
        self.assertEqual(total, ended['progress']['bytes_total'])
        self.assertIsNotNone(ended['ended_at'])
        log = self.operation_log(verification_id)
        self.assertEqual(SUCCESS, log['status'])
        self.assertIsNotNone(log['ended_at'])
        listed = self.request('GET', '/verifications?status=verifying')
        self.assertEqual([], listed['verifications'])

        # The checkpoint is intact; a new verification says so, and the
        # checkpoint can be deleted once no verification runs.
        again = self.verified(CHUNKED_PROVIDER_ID, checkpoint_id, 'deep')
        self.assertIntact(again, [key])
        self.assertEqual(total, again['progress']['bytes_checked'])
        self.assertEqual(SUCCESS, self.operation_log(again['id'])['status'])
        self.request('DELETE', '/providers/%s/checkpoints/%s' % (
            CHUNKED_PROVIDER_ID, checkpoint_id), expected=202)

    def _catch_in_the_middle(self, checkpoint_id, key, total, share):
        """Start a deep verification of the checkpoint, slowed down
        (unthrottled, these 300 MiB may be checked before the progress is
        first written, a second after the start). Once it has checked
        some bytes, check that the checkpoint cannot be deleted, freeze
        karbor-protection, and kill it if the resource is still being
        checked. The verification as it was at the kill; or None, after
        it ended on its own, if it could not be caught."""
        protection = self.services.protection
        with Throttle(protection.process, share) as throttle:
            verification_id = self.verify(CHUNKED_PROVIDER_ID,
                                          checkpoint_id, 'deep')
            running = self.wait(
                lambda: (lambda v: v if v['status'] != VERIFYING or
                         v['progress'].get('bytes_checked') else None)(
                    self.show(verification_id)),
                'verification %s to check its first bytes' %
                verification_id, timeout=OPERATION_TIMEOUT, interval=0.05)
            if running['status'] == VERIFYING:
                self.assertEqual(total, running['progress']['bytes_total'])
                # While it runs, the checkpoint cannot be deleted.
                status, _, doc = utils.http(
                    'DELETE', '%s/providers/%s/checkpoints/%s' % (
                        self.base_url, CHUNKED_PROVIDER_ID, checkpoint_id))
                self.assertEqual(409, status, doc)
                self.assertIn('being verified',
                              doc['conflictingRequest']['message'])
                throttle.freeze()
                frozen = self.show(verification_id)
                if (frozen['status'] == VERIFYING and
                        frozen['resource_status'] == {key: VERIFYING} and
                        0 < frozen['progress']['bytes_checked'] < total):
                    protection.kill()
                    return frozen
        # Too late: it ends on its own, and the checkpoint is intact.
        self.assertIntact(self.finished(verification_id), [key])
        return None


class TestVerificationMySQL(_DurabilityTests, _CorruptionTests,
                            _VerificationProcesses, base.BaseTestCase):
    backend = ft_fixtures.MYSQL


class TestVerificationPostgreSQL(_DurabilityTests, _CorruptionTests,
                                 _VerificationProcesses, base.BaseTestCase):
    backend = ft_fixtures.POSTGRESQL


class TestVerificationSwiftBank(_CorruptionTests, _VerificationProcesses,
                                base.BaseTestCase):
    """The corruption tests over a provider whose bank is a real Swift;
    there, a quick verification compares every ETag with the MD5
    recorded at protect time."""

    backend = ft_fixtures.POSTGRESQL
    quick_sees_flipped_byte = True

    @staticmethod
    def write_providers(services, directory):
        container = services.useFixture(swift_fixture.SwiftContainer())
        services.container = container
        utils.write_config(os.path.join(directory, 'swift.conf'), {
            'provider': {'id': SWIFT_PROVIDER_ID,
                         'name': 'Swift Provider',
                         'bank': 'swift',
                         'plugin': 'local_directory'},
            'swift_bank': {'auth_url': container.auth_url,
                           'auth_version': '1',
                           'user': container.user,
                           'key': container.key,
                           'container': container.name},
            'local_directory': {'allowed_roots': services.root,
                                'create_roots': 'true'}})

    @property
    def provider_id(self):
        return SWIFT_PROVIDER_ID

    def read_object(self, key):
        container = self.services.container
        _headers, body = container.connection().get_object(container.name,
                                                           key)
        return body

    def write_object(self, key, data):
        container = self.services.container
        container.connection().put_object(container.name, key, data)

    def delete_object(self, key):
        container = self.services.container
        container.connection().delete_object(container.name, key)
