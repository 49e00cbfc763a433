"""Two karbor-protection workers against one, sharing a Redis jobboard, on
quick verifications of many small checkpoints.

Starts a database of its own on MariaDB or PostgreSQL, a private
redis-server on a free port (the machine's Redis is never touched), and
karbor-api and karbor-protection as processes, as the functional tests
do. Makes --checkpoints checkpoints of a small directory, then times
--verifications quick verifications (round-robin over the checkpoints)
with one worker, then the same with a second worker started, and prints
both times and their ratio.

    python benchmarks/workers.py [--backend mysql|postgresql]
        [--checkpoints 20] [--verifications 200] [--jobs 4]
"""

import argparse
import logging
import os
import sys
import time
import uuid

import fixtures

from karbor.services.protection import provider as provider_module
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import processes
from karbor.tests.functional import redis_server
from karbor.tests.functional import utils

PROVIDER = provider_module.LOCAL_PROVIDER_ID
DIRECTORY = 'OS::Local::Directory'


def wait(predicate, what, timeout=600, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = predicate()
            if result:
                return result
        except Exception:  # the API may not listen yet
            pass
        if time.monotonic() > deadline:
            raise RuntimeError('timed out waiting for %s' % what)
        time.sleep(interval)


class Client:
    def __init__(self, port, project):
        self.base = 'http://127.0.0.1:%d/v1/%s' % (port, project)

    def __call__(self, method, path, body=None, expected=200):
        status, _headers, doc = utils.http(method, self.base + path,
                                           body=body, token='admin-token')
        if status != expected:
            raise RuntimeError('%s %s: %s %s' % (method, path, status, doc))
        return doc


def run_batch(client, checkpoints, count):
    """Seconds until ``count`` quick verifications all ended success."""
    started = time.monotonic()
    ids = [client('POST', '/verifications', {'verification': {
        'provider_id': PROVIDER,
        'checkpoint_id': checkpoints[n % len(checkpoints)],
        'parameters': {DIRECTORY: {'level': 'quick'}}}},
        expected=202)['verification']['id'] for n in range(count)]

    def ended():
        listed = client('GET', '/verifications?status=verifying&limit=1000')
        return not listed['verifications']
    wait(ended, 'the verifications to end', interval=0.05)
    elapsed = time.monotonic() - started
    failed = [v for v in ids if client('GET', '/verifications/%s' % v)[
        'verification']['status'] != 'success']
    if failed:
        raise RuntimeError('%d verification(s) did not succeed' % len(failed))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backend', default=ft_fixtures.MYSQL,
                        choices=(ft_fixtures.MYSQL, ft_fixtures.POSTGRESQL))
    parser.add_argument('--checkpoints', type=int, default=20)
    parser.add_argument('--verifications', type=int, default=200)
    parser.add_argument('--jobs', type=int, default=4,
                        help='max_simultaneous_jobs of each worker')
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with fixtures.TempDir() as tmp_dir:
        tmp = tmp_dir.path
        redis = redis_server.RedisServer()
        redis.setUp()
        try:
            def configure(services, sections):
                processes.make_protect_root(services)
                sections['task_flow'] = {
                    'jobboard_backend_hosts': '127.0.0.1',
                    'jobboard_backend_port': redis.port,
                    'max_simultaneous_jobs': args.jobs,
                    'jobboard_poll_interval': 0.05}
                sections['protection']['max_concurrent_operations'] = \
                    args.jobs
                sections['providers'] = {'enable_local_provider': 'true'}

            with processes.KarborServices(args.backend, 10,
                                          configure=configure) as services:
                project = uuid.uuid4().hex
                client = Client(services.port, project)
                root = os.path.join(services.root, project, 'small')
                os.makedirs(root)
                for n in range(4):
                    with open(os.path.join(root, 'f%d' % n), 'wb') as f:
                        f.write(os.urandom(4096))
                listed = wait(lambda: {
                    i['name']: i['id'] for i in client(
                        'GET', '/protectables/%s/instances' % DIRECTORY)[
                        'instances']}, 'the API')
                wait(lambda: [x for x in client(
                    'GET', '/os-services?binary=karbor-protection')[
                    'services'] if x['state'] == 'up'],
                    'karbor-protection up')
                plan = client('POST', '/plans', {'plan': {
                    'name': 'bench', 'provider_id': PROVIDER,
                    'resources': [{'id': listed['small'], 'type': DIRECTORY,
                                   'name': 'small'}]}})['plan']
                checkpoints = []
                for _ in range(args.checkpoints):
                    checkpoints.append(client(
                        'POST', '/providers/%s/checkpoints' % PROVIDER,
                        {'checkpoint': {'plan_id': plan['id']}},
                        expected=202)['checkpoint']['id'])

                def available(checkpoint_id):
                    return client('GET', '/providers/%s/checkpoints/%s' % (
                        PROVIDER, checkpoint_id))['checkpoint'][
                        'status'] == 'available'
                for c in checkpoints:
                    wait(lambda c=c: available(c), 'checkpoint %s' % c)
                # Warm-up, then one worker.
                run_batch(client, checkpoints, 10)
                one = run_batch(client, checkpoints, args.verifications)
                extra = utils.write_config(
                    os.path.join(tmp, 'worker-b.conf'),
                    {'DEFAULT': {'host': services.host + '-b'}})
                second = utils.KarborProcess(
                    'karbor-protection',
                    ['--config-file', services.config_file,
                     '--config-file', extra],
                    os.path.join(tmp, 'worker-b.log'))
                second.setUp()
                try:
                    time.sleep(5)  # its start-up
                    run_batch(client, checkpoints, 10)
                    two = run_batch(client, checkpoints, args.verifications)
                finally:
                    second.cleanUp()
        finally:
            redis.cleanUp()
    print('%d quick verifications of %d small checkpoints (%s, %d jobs per '
          'worker): one worker %.1f s (%.1f/s), two workers %.1f s '
          '(%.1f/s); ratio %.2fx on %d cores' % (
              args.verifications, args.checkpoints, args.backend, args.jobs,
              one, args.verifications / one, two, args.verifications / two,
              one / two, os.cpu_count()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
