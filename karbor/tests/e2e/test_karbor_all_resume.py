"""A karbor-all killed with SIGKILL in the middle of a deep verification,
started again on the same state directory, resumes the verification to
its end instead of failing it (the embedded default: no Redis; the
verification is built again from its row in the SQLite database).

karbor-all is slowed down (SIGSTOP/SIGCONT in turns; its API too, so
requests wait longer) so that the
verification can be caught in the middle, then frozen and killed.
"""

import contextlib
import json
import os
import random
import sqlite3
import time
import uuid

import fixtures

from karbor.common import constants
from karbor.services.protection import local_roots
from karbor.tests.e2e import base
from karbor.tests.functional import test_verification_processes as tvp
from karbor.tests.functional import utils

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = local_roots.RESOURCE_TYPE
MiB = 1024 * 1024
FILES = 32
FILE_SIZE = 8 * MiB
TIMEOUT = 120
ATTEMPTS = 4


class KarborAllResumeTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        self.project = 'e2e-resume-%s' % uuid.uuid4().hex[:8]
        self.server = self.useFixture(base.KarborAll(state_path=self.state))

    def api(self, method, path, body=None, expected=200):
        status, _, doc = utils.http(
            method, self.server.project_url(self.project) + path,
            body=body, token='admin-token', timeout=60)
        self.assertEqual(expected, status, doc)
        return doc

    def wait(self, predicate, what, timeout=TIMEOUT, interval=0.05):
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                self.fail('timed out waiting for %s; karbor-all log:\n%s' % (
                    what, self.server.process.output()[-5000:]))
            time.sleep(interval)

    def checkpoint(self):
        root = os.path.join(os.path.realpath(self.state), 'protect',
                            self.project, 'big')
        os.makedirs(root)
        block = random.Random(5).randbytes(FILE_SIZE)
        for n in range(FILES):
            with open(os.path.join(root, 'f%02d' % n), 'wb') as f:
                f.write(b'%08d' % n + block[8:])
        [listed] = [i for i in self.api(
            'GET', '/protectables/%s/instances' % DIRECTORY)['instances']
            if i['name'] == 'big']
        plan = self.api('POST', '/plans', {'plan': {
            'name': 'resume', 'provider_id': PROVIDER_ID,
            'resources': [{'id': listed['id'], 'type': DIRECTORY,
                           'name': 'big'}]}})['plan']
        checkpoint_id = self.api(
            'POST', '/providers/%s/checkpoints' % PROVIDER_ID,
            {'checkpoint': {'plan_id': plan['id']}},
            expected=202)['checkpoint']['id']
        self.wait(lambda: self.api('GET', '/providers/%s/checkpoints/%s' % (
            PROVIDER_ID, checkpoint_id))['checkpoint']['status'] ==
            constants.CHECKPOINT_STATUS_AVAILABLE, 'the checkpoint')
        return checkpoint_id, '%s#%s' % (DIRECTORY, listed['id'])

    def row(self, verification_id):
        with contextlib.closing(sqlite3.connect(
                os.path.join(self.state, 'karbor.sqlite'),
                timeout=5)) as conn:
            status, progress = conn.execute(
                'SELECT status, progress FROM verifications WHERE id = ?',
                (verification_id,)).fetchone()
        return {'status': status, 'progress': json.loads(progress or '{}')}

    def show(self, verification_id):
        return self.api('GET', '/verifications/%s' % verification_id)[
            'verification']

    def test_killed_and_started_again_resumes(self):
        checkpoint_id, key = self.checkpoint()
        total = FILES * FILE_SIZE
        for attempt in range(ATTEMPTS):
            frozen = None
            with tvp.Throttle(self.server.process.process,
                              0.25 / 2 ** attempt) as throttle:
                verification_id = self.api('POST', '/verifications', {
                    'verification': {
                        'provider_id': PROVIDER_ID,
                        'checkpoint_id': checkpoint_id,
                        'parameters': {DIRECTORY: {'level': 'deep'}}}},
                    expected=202)['verification']['id']
                self.wait(lambda: (lambda v: v['status'] != 'verifying' or
                                   v['progress'].get('bytes_checked'))(
                    self.show(verification_id)), 'the first bytes checked')
                throttle.freeze()
                # Frozen, it cannot answer: its database tells, unless
                # it was frozen in the middle of a commit and holds the
                # database's lock: then try again.
                try:
                    shown = self.row(verification_id)
                except sqlite3.OperationalError as e:
                    if 'locked' not in str(e):
                        raise
                    continue
                if (shown['status'] == 'verifying' and
                        0 < shown['progress']['bytes_checked'] < total):
                    self.server.process.kill()
                    frozen = shown
            if frozen:
                break
        else:
            self.fail('no deep verification caught in the middle')

        # Started again on the same state directory.
        self.server = self.useFixture(base.KarborAll(state_path=self.state))
        ended = self.wait(lambda: (lambda v: v if v['status'] !=
                                   'verifying' else None)(
            self.show(verification_id)), 'the verification to end')
        self.assertEqual('success', ended['status'], ended)
        self.assertEqual({key: 'success'}, ended['resource_status'])
        self.assertEqual(total, ended['progress']['bytes_checked'])
        self.assertIn('Resuming verify %s' % verification_id,
                      self.server.process.output())
