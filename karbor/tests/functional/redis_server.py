"""A private redis-server on a port of its own, for the takeover test of
two workers on a Redis jobboard (test_worker_takeover, which restarts it)
and their benchmark (benchmarks/workers.py)."""

import os
import signal
import socket
import subprocess
import time

import fixtures

from karbor.services.protection import provider as provider_module
from karbor.tests.functional import utils

DIRECTORY = 'OS::Local::Directory'
LOCAL_PROVIDER_ID = provider_module.LOCAL_PROVIDER_ID
SERVICE_DOWN_TIME = 5
CLAIM_EXPIRY = 5
OPERATIONS = 20
FILES = 8
FILE_SIZE = 256 * 1024
END_TIMEOUT = 150


class RedisServer(fixtures.Fixture):
    """A redis-server of the test's own (never the machine's), append-only
    so that its jobs outlive a restart."""

    def _setUp(self):
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.port = utils.free_port()
        self.process = None
        self.start()
        self.addCleanup(self.stop)

    def start(self):
        self.process = subprocess.Popen(
            ['redis-server', '--port', str(self.port), '--bind', '127.0.0.1',
             '--dir', self.dir, '--appendonly', 'yes',
             '--appendfsync', 'always', '--save', ''],
            stdout=open(os.path.join(self.dir, 'redis.log'), 'ab'),
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(('127.0.0.1', self.port),
                                         timeout=1).close()
                return
            except OSError:
                if (time.monotonic() > deadline or
                        self.process.poll() is not None):
                    raise AssertionError('the private redis-server did '
                                         'not start on port %d' % self.port)
                time.sleep(0.05)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self):
        self.stop()
        self.start()
