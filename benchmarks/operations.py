"""Operations in milliseconds: POST verification -> ``success`` of a
one-resource checkpoint, verifications per second, CPU per verification.

For each mode asked (``--modes``):

* ``all``: karbor-all on a fresh ``--state-path`` (SQLite, in-process
  messaging, no jobboard);
* ``api``: karbor-api and karbor-protection as two processes over
  RabbitMQ (``--rabbit``) and MariaDB (``--mariadb``: a database of its
  own, ``karbor_operations``, created and dropped).

it makes a plan of one directory holding one small file, protects it
once, then prints:

* latency: ``--count`` verifications one after the other, for the
  ``quick`` level and for the default level (no parameters): the time
  from sending the POST to the first GET that shows ``success`` (GET
  every ``--poll`` seconds), p50 and p90, and the server's own figure
  ``ended_at - created_at`` (p50);
* CPU: ``--count`` verifications POSTed one after the other by one
  client, waited for with one list query every 50 ms; the user + system
  CPU of the server processes (from /proc) divided by the count;
* throughput: ``--clients`` threads, each POSTing a verification and
  polling it until it ends, for ``--duration`` seconds: completed
  verifications per second (and how many did not end ``success``).

    python benchmarks/operations.py                       # both modes
    python benchmarks/operations.py --modes all --count 50 --duration 5

Only the standard library and Karbor's requirements are imported; the
machine's load average is printed with the figures.
"""

import argparse
import datetime
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import common

MARIADB = 'mysql+pymysql://root@127.0.0.1:3306'
RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/'
DB_NAME = 'karbor_operations'
LOCAL_PROVIDER = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = 'OS::Local::Directory'
ENDED = ('success', 'error')


def load():
    return '%.2f %.2f %.2f' % os.getloadavg()


class Services:
    """karbor-all (``mode`` 'all') or karbor-api + karbor-protection
    (``mode`` 'api') on a fresh state directory."""

    def __init__(self, mode, workdir, mariadb, rabbit):
        self.mode = mode
        self.dir = os.path.join(workdir, mode)
        os.makedirs(self.dir)
        self.port = common.free_port()
        self.project = uuid.uuid4().hex
        self.base = 'http://127.0.0.1:%d' % self.port
        self.url = '%s/v1/%s' % (self.base, self.project)
        self.processes = []
        self.state = os.path.join(self.dir, 'state')
        self.mariadb = mariadb
        if mode == 'all':
            self._spawn('karbor-all', ['--state-path', self.state,
                                       '--api-port', str(self.port)])
            return
        self._database('DROP DATABASE IF EXISTS %s' % DB_NAME)
        self._database('CREATE DATABASE %s' % DB_NAME)
        config = common.write_config(
            os.path.join(self.dir, 'karbor.conf'), {
                'DEFAULT': {'transport_url': rabbit,
                            'auth_strategy': 'noauth',
                            'state_path': self.state,
                            'host': 'operations-%d' % self.port},
                'api': {'port': self.port, 'host_ip': '127.0.0.1'},
                'protection': {'topic': 'karbor-operations-%d' %
                               self.port},
                'providers': {'enable_local_provider': 'true'},
                'oslo_messaging_rabbit': {'amqp_durable_queues': 'false'},
                'database': {'connection': '%s/%s?charset=utf8mb4' % (
                    mariadb, DB_NAME)}})
        subprocess.run([common.executable('karbor-manage'), '--config-file',
                        config, 'db', 'sync'], check=True,
                       stdout=subprocess.DEVNULL)
        os.makedirs(os.path.join(self.state, 'protect'), exist_ok=True)
        self._spawn('karbor-protection', ['--config-file', config])
        self._spawn('karbor-api', ['--config-file', config])

    def _database(self, statement):
        common.run_sql(self.mariadb, statement)

    def _spawn(self, command, args):
        common.spawn(self.processes, self.dir, command, args)

    def check_alive(self):
        for p in self.processes:
            if p.poll() is not None:
                raise RuntimeError('%s exited with %s (logs in %s)' % (
                    p.args[0], p.returncode, self.dir))

    def wait_ready(self):
        deadline = time.monotonic() + common.START_TIMEOUT
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if common.http('GET', self.base + '/', token=None,
                               timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError('%s did not answer (logs in %s)' % (
            self.mode, self.dir))

    def cpu(self):
        return sum(common.cpu_seconds(p.pid) for p in self.processes)

    def call(self, method, path, body=None, expect=(200,)):
        status, _, doc = common.http(method, self.url + path, body=body,
                                     token='user:%s' % self.project,
                                     timeout=60)
        if status not in expect:
            raise RuntimeError('%s %s: HTTP %s %s' % (method, path, status,
                                                      doc))
        return doc

    def stop(self):
        for p in reversed(self.processes):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if self.mode == 'api':
            self._database('DROP DATABASE IF EXISTS %s' % DB_NAME)


def wait_for(what, predicate, timeout=120, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = predicate()
        except (OSError, RuntimeError):
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise RuntimeError('timed out waiting for %s' % what)
        time.sleep(interval)


def prepare(services):
    """A checkpoint of one directory holding one small file."""
    root = os.path.join(services.state, 'protect', services.project, 'tiny')
    os.makedirs(root)
    with open(os.path.join(root, 'file'), 'wb') as f:
        f.write(os.urandom(1024))
    instances = wait_for('the directory', lambda: {
        i['name']: i['id'] for i in services.call(
            'GET', '/protectables/%s/instances' % DIRECTORY)['instances']})
    plan = services.call('POST', '/plans', {'plan': {
        'name': 'operations', 'provider_id': LOCAL_PROVIDER,
        'resources': [{'id': instances['tiny'], 'type': DIRECTORY,
                       'name': 'tiny'}]}})['plan']
    checkpoint = services.call(
        'POST', '/providers/%s/checkpoints' % LOCAL_PROVIDER,
        {'checkpoint': {'plan_id': plan['id']}},
        expect=(202,))['checkpoint']['id']
    path = '/providers/%s/checkpoints/%s' % (LOCAL_PROVIDER, checkpoint)
    wait_for('checkpoint available', lambda: services.call(
        'GET', path)['checkpoint']['status'] == 'available')
    return checkpoint


def post(services, checkpoint, parameters):
    return services.call('POST', '/verifications', {'verification': {
        'provider_id': LOCAL_PROVIDER, 'checkpoint_id': checkpoint,
        'parameters': parameters}}, expect=(202,))['verification']['id']


def until_ended(services, verification_id, poll, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        body = services.call('GET', '/verifications/%s' %
                             verification_id)['verification']
        if body['status'] in ENDED:
            return body
        if time.monotonic() > deadline:
            raise RuntimeError('verification %s still %s' % (
                verification_id, body['status']))
        time.sleep(poll)


def _seconds(body):
    parse = datetime.datetime.fromisoformat
    if not body.get('ended_at') or not body.get('created_at'):
        return None
    return (parse(body['ended_at']) -
            parse(body['created_at'])).total_seconds()


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def latency(services, checkpoint, parameters, count, poll):
    """(p50, p90 of POST -> success seen, p50 of ended_at - created_at),
    in milliseconds."""
    seen, server = [], []
    for _ in range(count):
        t0 = time.perf_counter()
        verification_id = post(services, checkpoint, parameters)
        body = until_ended(services, verification_id, poll)
        seen.append(time.perf_counter() - t0)
        if body['status'] != 'success':
            raise RuntimeError('verification %s ended %s: %s' % (
                verification_id, body['status'], body.get('status_reason')))
        took = _seconds(body)
        if took is not None:
            server.append(took)
    return (pct(seen, 0.5) * 1000, pct(seen, 0.9) * 1000,
            statistics.median(server) * 1000 if server else float('nan'))


def cpu_per_verification(services, checkpoint, parameters, count):
    """Milliseconds of server CPU per verification (POSTs one after the
    other, then waited for with one list query every 50 ms)."""
    before = services.cpu()
    for _ in range(count):
        post(services, checkpoint, parameters)
    wait_for('the verifications to end', lambda: not services.call(
        'GET', '/verifications?status=verifying&limit=1')['verifications'],
        timeout=600)
    return (services.cpu() - before) / count * 1000


def throughput(services, checkpoint, parameters, clients, duration, poll):
    """(completed per second, not success) with ``clients`` threads."""
    done = []
    failed = []
    errors = []
    stop = time.monotonic() + duration

    def client():
        try:
            while time.monotonic() < stop:
                body = until_ended(services, post(services, checkpoint,
                                                  parameters), poll)
                if time.monotonic() > stop:
                    break
                (done if body['status'] == 'success' else failed).append(1)
        except Exception as e:
            errors.append(e)
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return len(done) / (time.monotonic() - started), len(failed)


def run(mode, args, workdir):
    services = Services(mode, workdir, args.mariadb, args.rabbit)
    try:
        services.wait_ready()
        checkpoint = prepare(services)
        quick = {DIRECTORY: {'level': 'quick'}}
        for _ in range(args.warmup):
            until_ended(services, post(services, checkpoint, quick),
                        args.poll)
        out = {'load before': load()}
        out['quick'] = latency(services, checkpoint, quick, args.count,
                               args.poll)
        out['default'] = latency(services, checkpoint, {}, args.count,
                                 args.poll)
        out['cpu'] = cpu_per_verification(services, checkpoint, quick,
                                          args.count)
        out['throughput'] = throughput(services, checkpoint, quick,
                                       args.clients, args.duration,
                                       args.poll)
        out['load after'] = load()
        return out
    finally:
        services.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--modes', default='all,api')
    parser.add_argument('--count', type=int, default=100,
                        help='verifications per latency or CPU figure')
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--clients', type=int, default=4)
    parser.add_argument('--duration', type=float, default=10.0)
    parser.add_argument('--poll', type=float, default=0.002,
                        help='seconds between two GETs of a verification')
    parser.add_argument('--mariadb', default=MARIADB)
    parser.add_argument('--rabbit', default=RABBIT)
    parser.add_argument('--keep', action='store_true',
                        help='keep the services\' logs and state')
    args = parser.parse_args()
    # Stopped (timeout, kill): the services stop too (see run()).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    workdir = tempfile.mkdtemp(prefix='karbor-operations-')
    results = {}
    try:
        for mode in args.modes.split(','):
            results[mode] = run(mode, args, workdir)
    finally:
        if args.keep:
            print('logs and state in %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    names = {'all': 'karbor-all (SQLite, in-process RPC)',
             'api': 'karbor-api + karbor-protection (RabbitMQ, MariaDB)'}
    for mode, out in results.items():
        print('%s, load %s -> %s' % (names[mode], out['load before'],
                                     out['load after']))
        for level in ('quick', 'default'):
            p50, p90, server = out[level]
            print('  POST -> success, %-7s p50 %6.1f ms  p90 %6.1f ms  '
                  '(ended_at - created_at p50 %.1f ms; %d runs, GET every '
                  '%g ms)' % (level, p50, p90, server, args.count,
                              args.poll * 1000))
        print('  CPU per verification (server processes) %.1f ms '
              '(%d verifications)' % (out['cpu'], args.count))
        rate, failed = out['throughput']
        print('  %d clients, %g s: %.1f verifications/s completed '
              '(%d not success)' % (args.clients, args.duration, rate,
                                    failed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
