"""GET list and show of the API, side by side with upstream Karbor 1.6.0.

Seeds the same rows into every service under test, runs the same requests
against each in one run, and prints one table: requests per second of ours
and of upstream's, their ratio, and the response sizes.

Services (all on 127.0.0.1):

* ``upstream``: upstream Karbor 1.6.0, one karbor-api process and
  karbor-protection over RabbitMQ and MariaDB, as
  ``/work/shared/peers/upstream-karbor.sh start`` runs it (API on port
  18799). Its rows are written into its MariaDB (``--upstream-db``), its
  checkpoints made through its API (it lists them from its bank).
* ``api``: ours in the same mode, karbor-api and karbor-protection over
  RabbitMQ (``--rabbit``) and MariaDB (``--mariadb``: a database of its
  own, ``karbor_api_reads``, is created and dropped).
* ``all``: ours as karbor-all (SQLite, in-process messaging).

Our rows are written with Karbor's own models into the service's database.

Every figure is the requests per second of ``--clients`` client processes
(1 and 4), each with one keep-alive connection, sending the same request
for ``--duration`` seconds. Our services run with ``[api]
server_timing``: the median of their Server-Timing headers (the time the
API process spent on each request, from the WSGI server's hand-over to
the start of the answer, whose body is complete by then) is printed next
to each figure, and for the empty list, requested ``--serial`` times one
at a time, its best, median and p90. ``--in-process`` also times the
empty list with the WSGI app of karbor-api called in this process.

    python benchmarks/api_reads.py                     # everything
    python benchmarks/api_reads.py --modes all --duration 2

Only the standard library and Karbor's requirements are imported.
"""

import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

import common

UPSTREAM_URL = 'http://127.0.0.1:18799'
UPSTREAM_DB = 'mysql+pymysql://karbor:karbor@127.0.0.1:33306/karbor'
UPSTREAM_PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'
MARIADB = 'mysql+pymysql://root@127.0.0.1:3306'
RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/'
OUR_DB_NAME = 'karbor_api_reads'

SMALL = 'bench-small'    # 4 rows of each kind
LARGE = 'bench-large'    # --rows rows of each kind (no checkpoints)
KINDS = ('plans', 'checkpoints', 'verifications', 'restores',
         'operation_logs')


def _resources(i):
    return [{'id': str(uuid.UUID(int=i * 2 + k)),
             'type': 'OS::Cinder::Volume', 'name': 'volume-%d-%d' % (i, k)}
            for k in range(2)]


def _maps(i):
    keys = ['%s#%s' % (r['type'], r['id']) for r in _resources(i)]
    return ({k: 'success' for k in keys}, {k: '' for k in keys})


def row_values(i, project, provider_id, now):
    """The values every service gets for row ``i`` of ``project``: ids,
    two resources, their status and reason maps."""
    statuses, reasons = _maps(i)
    created = now - datetime.timedelta(seconds=i)
    return {
        'id': str(uuid.uuid4()), 'project_id': project,
        'provider_id': provider_id, 'checkpoint_id': str(uuid.uuid4()),
        'plan_id': str(uuid.uuid4()), 'created_at': created,
        'resources': _resources(i), 'statuses': statuses,
        'reasons': reasons, 'name': 'plan-%d' % i,
    }


# ---------------------------------------------------------------- seeding

def seed_ours(db_url, rows_by_project, provider_id):
    """Insert the rows with Karbor's models; ids of one row of each kind
    per project, for the show requests."""
    import sqlalchemy as sa

    from karbor.db import models
    engine = sa.create_engine(db_url)
    shown = {}
    with engine.begin() as conn:
        for project, rows in rows_by_project.items():
            plans, checkpoints, verifications, restores, logs = \
                [], [], [], [], []
            for v in rows:
                plans.append({
                    'id': v['plan_id'], 'project_id': project,
                    'user_id': 'user', 'name': v['name'],
                    'description': None, 'provider_id': provider_id,
                    'status': 'suspended', 'resources': v['resources'],
                    'parameters': {}, 'created_at': v['created_at']})
                if project == SMALL:
                    checkpoints.append({
                        'id': v['checkpoint_id'], 'project_id': project,
                        'provider_id': provider_id, 'plan_id': v['plan_id'],
                        'status': 'available',
                        'protection_plan': {
                            'id': v['plan_id'], 'name': v['name'],
                            'provider_id': provider_id,
                            'resources': v['resources']},
                        'resource_graph': None, 'extra_info': {
                            'created_by': 'manual'},
                        'created_at': v['created_at']})
                verifications.append({
                    'id': v['id'], 'project_id': project,
                    'provider_id': provider_id,
                    'checkpoint_id': v['checkpoint_id'],
                    'status': 'success', 'parameters': {},
                    'resources_status': v['statuses'],
                    'resources_reason': v['reasons'], 'progress': {},
                    'created_at': v['created_at'],
                    'started_at': v['created_at'],
                    'ended_at': v['created_at']})
                restores.append({
                    'id': v['id'], 'project_id': project,
                    'provider_id': provider_id,
                    'checkpoint_id': v['checkpoint_id'],
                    'restore_target': None, 'parameters': {},
                    'status': 'success', 'resources_status': v['statuses'],
                    'resources_reason': v['reasons'], 'progress': {},
                    'created_at': v['created_at']})
                logs.append({
                    'id': v['id'], 'project_id': project,
                    'operation_type': 'protect',
                    'checkpoint_id': v['checkpoint_id'],
                    'plan_id': v['plan_id'], 'provider_id': provider_id,
                    'status': 'success', 'extra_info': {},
                    'started_at': v['created_at'],
                    'ended_at': v['created_at'],
                    'created_at': v['created_at']})
            for model, values in ((models.Plan, plans),
                                  (models.Checkpoint, checkpoints),
                                  (models.Verification, verifications),
                                  (models.Restore, restores),
                                  (models.OperationLog, logs)):
                if values:
                    conn.execute(sa.insert(model), values)
            shown[project] = {
                'plans': plans[0]['id'],
                'checkpoints': checkpoints[0]['id'] if checkpoints else None,
                'verifications': verifications[0]['id'],
                'restores': restores[0]['id'],
                'operation_logs': logs[0]['id']}
    engine.dispose()
    return shown


def seed_upstream(db_url, api_url, rows_by_project):
    """The same rows in upstream's tables (its JSON columns are text);
    its checkpoints through its API (it lists them from its bank)."""
    import sqlalchemy as sa
    engine = sa.create_engine(db_url)
    shown = {}
    with engine.begin() as conn:
        for project, rows in rows_by_project.items():
            plans, resources, verifications, restores, logs = \
                [], [], [], [], []
            for v in rows:
                common_cols = {'created_at': v['created_at'],
                               'updated_at': None, 'deleted_at': None,
                               'deleted': 0}
                plans.append(dict(
                    common_cols, id=v['plan_id'], name=v['name'],
                    description=None, provider_id=UPSTREAM_PROVIDER,
                    project_id=project, status='suspended',
                    parameters='{}'))
                for r in v['resources']:
                    resources.append(dict(
                        common_cols, plan_id=v['plan_id'],
                        resource_id=r['id'], resource_type=r['type'],
                        resource_name=r['name'], resource_extra_info=None))
                verifications.append(dict(
                    common_cols, id=v['id'], project_id=project,
                    provider_id=UPSTREAM_PROVIDER,
                    checkpoint_id=v['checkpoint_id'], status='success',
                    parameters='{}',
                    resources_status=json.dumps(v['statuses']),
                    resources_reason=json.dumps(v['reasons'])))
                restores.append(dict(
                    common_cols, id=v['id'], project_id=project,
                    provider_id=UPSTREAM_PROVIDER,
                    checkpoint_id=v['checkpoint_id'], restore_target=None,
                    parameters='{}', status='success',
                    resources_status=json.dumps(v['statuses']),
                    resources_reason=json.dumps(v['reasons'])))
                logs.append(dict(
                    common_cols, id=v['id'], project_id=project,
                    operation_type='protect',
                    checkpoint_id=v['checkpoint_id'], plan_id=v['plan_id'],
                    provider_id=UPSTREAM_PROVIDER, restore_id=None,
                    scheduled_operation_id=None, status='success',
                    started_at=v['created_at'], ended_at=v['created_at'],
                    error_info=None, extra_info='{}'))
            for table, values in (('plans', plans), ('resources', resources),
                                  ('verifications', verifications),
                                  ('restores', restores),
                                  ('operation_logs', logs)):
                t = sa.Table(table, sa.MetaData(), autoload_with=conn)
                conn.execute(sa.insert(t), values)
            shown[project] = {
                'plans': plans[0]['id'], 'checkpoints': None,
                'verifications': verifications[0]['id'],
                'restores': restores[0]['id'],
                'operation_logs': logs[0]['id']}
    engine.dispose()
    # Checkpoints: protect the small project's first plan four times.
    small = rows_by_project[SMALL]
    base = '%s/v1/%s' % (api_url, SMALL)
    token = 'user:%s' % SMALL
    upstream_delete_checkpoints(api_url)
    ids = []
    for _ in small:
        status, _, doc = common.http(
            'POST', '%s/providers/%s/checkpoints' % (base, UPSTREAM_PROVIDER),
            {'checkpoint': {'plan_id': small[0]['plan_id']}}, token=token,
            timeout=60)
        if status >= 300:
            raise RuntimeError('upstream checkpoint create: %s %s' %
                               (status, doc))
        ids.append(doc['checkpoint']['id'])
    deadline = time.monotonic() + 120
    path = '%s/providers/%s/checkpoints' % (base, UPSTREAM_PROVIDER)
    while time.monotonic() < deadline:
        doc = common.http('GET', path, token=token)[2]
        if sum(c['status'] == 'available'
               for c in doc['checkpoints']) >= len(ids):
            break
        time.sleep(0.5)
    else:
        raise RuntimeError('upstream checkpoints not available in time')
    shown[SMALL]['checkpoints'] = ids[0]
    return shown


def upstream_delete_checkpoints(api_url):
    """Delete the checkpoints of the small project (an earlier run's
    too): upstream lists them from its bank, not from its database."""
    path = '%s/v1/%s/providers/%s/checkpoints' % (api_url, SMALL,
                                                  UPSTREAM_PROVIDER)
    token = 'user:%s' % SMALL
    doc = common.http('GET', path, token=token)[2]
    for checkpoint in doc['checkpoints']:
        common.http('DELETE', '%s/%s' % (path, checkpoint['id']),
                    token=token, timeout=60)
    deadline = time.monotonic() + 120
    while common.http('GET', path, token=token)[2]['checkpoints']:
        if time.monotonic() > deadline:
            raise RuntimeError('upstream checkpoints not deleted in time')
        time.sleep(0.5)


def upstream_clear(db_url):
    """Remove what an earlier run seeded into upstream's database."""
    import sqlalchemy as sa
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            'DELETE FROM resources WHERE plan_id IN (SELECT id FROM plans '
            'WHERE project_id IN (:a, :b))'), {'a': SMALL, 'b': LARGE})
        for table in ('plans', 'verifications', 'restores',
                      'operation_logs'):
            conn.execute(sa.text(
                'DELETE FROM %s WHERE project_id IN (:a, :b)' % table),
                {'a': SMALL, 'b': LARGE})
    engine.dispose()


# ---------------------------------------------------------------- load

def _client(args):
    """One client: one keep-alive connection, ``path`` again and again
    for ``duration`` seconds; (requests, latencies sample, bytes, errors,
    server times: the milliseconds of each Server-Timing header)."""
    host, port, path, token, duration, start_at = args
    conn = http.client.HTTPConnection(host, port, timeout=30)
    headers = {'X-Auth-Token': token, 'Accept': 'application/json'}
    while time.time() < start_at:
        time.sleep(0.001)
    end = time.monotonic() + duration
    count = errors = size = 0
    latencies = []
    served = []
    while True:
        t0 = time.monotonic()
        if t0 >= end:
            break
        conn.request('GET', path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        t1 = time.monotonic()
        if resp.status != 200:
            errors += 1
        size = len(body)
        count += 1
        latencies.append(t1 - t0)
        timing = resp.getheader('Server-Timing')
        if timing and 'dur=' in timing:
            served.append(float(timing.split('dur=')[1].split(';')[0]))
    conn.close()
    return count, latencies, size, errors, served


def load(pool, url, token, clients, duration):
    """(requests per second, p50 latency in ms, body bytes, errors,
    p50 server time in ms or None)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path + ('?' + parts.query if parts.query else '')
    start_at = time.time() + 0.3
    results = pool.map(_client, [(parts.hostname, parts.port, path, token,
                                  duration, start_at)] * clients)
    count = sum(r[0] for r in results)
    latencies = [x for r in results for x in r[1]]
    served = [x for r in results for x in r[4]]
    return (count / duration, statistics.median(latencies) * 1000,
            results[0][2], sum(r[3] for r in results),
            statistics.median(served) if served else None)


# ---------------------------------------------------------------- services

class Ours:
    """karbor-api + karbor-protection (``mode`` 'api') or karbor-all
    (``mode`` 'all') on a fresh state directory."""

    def __init__(self, mode, workdir, mariadb, rabbit):
        self.mode = mode
        self.dir = os.path.join(workdir, mode)
        os.makedirs(self.dir)
        self.port = common.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.processes = []
        state = os.path.join(self.dir, 'state')
        if mode == 'all':
            self.db_url = 'sqlite:///%s/karbor.sqlite' % state
            self.config = common.write_config(
                os.path.join(self.dir, 'karbor.conf'),
                {'api': {'server_timing': 'true'}})
            self._spawn('karbor-all', ['--state-path', state, '--api-port',
                                       str(self.port), '--config-file',
                                       self.config])
        else:
            self.server_db = mariadb
            self.db_url = '%s/%s?charset=utf8mb4' % (mariadb, OUR_DB_NAME)
            self._database('DROP DATABASE IF EXISTS %s' % OUR_DB_NAME)
            self._database('CREATE DATABASE %s' % OUR_DB_NAME)
            self.config = common.write_config(
                os.path.join(self.dir, 'karbor.conf'), {
                    'DEFAULT': {'transport_url': rabbit,
                                'auth_strategy': 'noauth',
                                'state_path': state,
                                'host': 'api-reads-%d' % self.port},
                    'api': {'port': self.port, 'host_ip': '127.0.0.1',
                            'server_timing': 'true'},
                    'protection': {'topic': 'karbor-api-reads-%d' %
                                   self.port},
                    'providers': {'enable_local_provider': 'true'},
                    'oslo_messaging_rabbit': {
                        'amqp_durable_queues': 'false'},
                    'database': {'connection': self.db_url}})
            subprocess.run([common.executable('karbor-manage'),
                            '--config-file', self.config, 'db', 'sync'],
                           check=True, stdout=subprocess.DEVNULL)
            os.makedirs(os.path.join(state, 'protect'), exist_ok=True)
            self._spawn('karbor-protection', ['--config-file', self.config])
            self._spawn('karbor-api', ['--config-file', self.config])
        self.api_pid = self.processes[-1].pid

    def _database(self, statement):
        common.run_sql(self.server_db, statement)

    def _spawn(self, command, args):
        common.spawn(self.processes, self.dir, command, args)

    def wait_ready(self):
        deadline = time.monotonic() + common.START_TIMEOUT
        while time.monotonic() < deadline:
            for p in self.processes:
                if p.poll() is not None:
                    raise RuntimeError('%s exited with %s (logs in %s)' % (
                        p.args[0], p.returncode, self.dir))
            try:
                if common.http('GET', self.url + '/', token=None,
                               timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError('%s did not answer' % self.mode)

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
            self._database('DROP DATABASE IF EXISTS %s' % OUR_DB_NAME)


def requests_of(provider_id, shown, page):
    """(label, path) of every figure."""
    out = []
    for kind in KINDS:
        coll = ('providers/%s/checkpoints' % provider_id
                if kind == 'checkpoints' else kind)
        out.append(('%s list, 4 rows' % kind, SMALL,
                    '/v1/%s/%s' % (SMALL, coll)))
        out.append(('%s show' % kind, SMALL, '/v1/%s/%s/%s' % (
            SMALL, coll, shown[SMALL][kind])))
        if kind != 'checkpoints':
            out.append(('%s list, %d of the rows' % (kind, page), LARGE,
                        '/v1/%s/%s?limit=%d' % (LARGE, coll, page)))
    out.append(('verifications list, empty', 'bench-empty',
                '/v1/bench-empty/verifications'))
    return out


def server_time(db_url, project, iterations):
    """Median ms of an empty GET /v1/<project>/verifications inside our
    WSGI application (all middleware, pecan, policy, the query, the JSON
    body), called in this process on ``db_url``."""
    from oslo_config import cfg
    import webob

    from karbor.api import app as api_app
    from karbor.common import config
    conf = cfg.CONF
    config.register_all(conf)
    conf([], project='karbor', default_config_files=[])
    conf.set_override('connection', db_url, group='database')
    conf.set_override('auth_strategy', 'noauth')
    import logging
    logging.getLogger().setLevel(logging.WARNING)
    app = api_app.setup_app(conf)
    path = '/v1/%s/verifications' % project
    token = 'user:%s' % project

    def one():
        environ = webob.Request.blank(
            path, headers={'X-Auth-Token': token}).environ
        status = []
        t0 = time.perf_counter()
        body = b''.join(app(environ, lambda s, h, e=None: status.append(s)))
        took = time.perf_counter() - t0
        assert status[0].startswith('200') and b'"verifications": []' in body
        return took

    for _ in range(100):
        one()
    return statistics.median(one() for _ in range(iterations)) * 1000


def ours_names(names):
    return [n for n in names if n != 'upstream']


def serial_server_time(url, token, count):
    """(best, median, p90) of the Server-Timing milliseconds of ``count``
    requests, one at a time on one keep-alive connection, after 100 to
    warm up; None from a server that sends no Server-Timing (a Karbor
    before the option)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                      timeout=30)
    served = []
    for i in range(count + 100):
        conn.request('GET', parts.path, headers={'X-Auth-Token': token})
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise RuntimeError('%s: %d' % (url, resp.status))
        timing = resp.getheader('Server-Timing') or ''
        if 'dur=' not in timing:
            return None
        if i >= 100:
            served.append(float(timing.split('dur=')[1].split(';')[0]))
    conn.close()
    served.sort()
    p90 = served[int(len(served) * 0.9)]
    return served[0], statistics.median(served), p90


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--modes', default='api,all',
                        help='ours to measure: api (two processes), all')
    parser.add_argument('--upstream-url', default=UPSTREAM_URL)
    parser.add_argument('--upstream-db', default=UPSTREAM_DB)
    parser.add_argument('--no-upstream', action='store_true')
    parser.add_argument('--mariadb', default=MARIADB)
    parser.add_argument('--rabbit', default=RABBIT)
    parser.add_argument('--rows', type=int, default=10000)
    parser.add_argument('--page', type=int, default=1000)
    parser.add_argument('--clients', default='1,4')
    parser.add_argument('--duration', type=float, default=3.0)
    parser.add_argument('--only', default='',
                        help='run the figures whose label holds this text')
    parser.add_argument('--keep', action='store_true')
    parser.add_argument('--serial', type=int, default=2000,
                        help='requests of the empty list one at a time, '
                             'for its server time')
    parser.add_argument('--in-process', action='store_true',
                        help='also time the empty list in this process '
                             '(the WSGI app called directly)')
    args = parser.parse_args()
    modes = [m for m in args.modes.split(',') if m]
    clients = [int(c) for c in args.clients.split(',')]

    now = datetime.datetime.utcnow().replace(microsecond=0)
    rows = {SMALL: [row_values(i, SMALL, None, now) for i in range(4)],
            LARGE: [row_values(i, LARGE, None, now)
                    for i in range(args.rows)]}
    from karbor.services.protection import provider as provider_module
    our_provider = provider_module.LOCAL_PROVIDER_ID

    workdir = tempfile.mkdtemp(prefix='karbor-api-reads-')
    services = {}
    targets = {}
    try:
        if not args.no_upstream:
            upstream_clear(args.upstream_db)
            shown = seed_upstream(args.upstream_db, args.upstream_url, rows)
            targets['upstream'] = (args.upstream_url, requests_of(
                UPSTREAM_PROVIDER, shown, args.page))
        for mode in modes:
            ours = Ours(mode, workdir, args.mariadb, args.rabbit)
            services[mode] = ours
            ours.wait_ready()
            shown = seed_ours(ours.db_url, rows, our_provider)
            targets[mode] = (ours.url, requests_of(our_provider, shown,
                                                   args.page))
        names = list(targets)
        print('load average before: %s' % ' '.join(
            '%.2f' % x for x in os.getloadavg()))
        results = {}
        sizes = {}
        with multiprocessing.Pool(max(clients)) as pool:
            for index, (label, project, _) in enumerate(
                    targets[names[0]][1]):
                if args.only and args.only not in label:
                    continue
                for n in clients:
                    for name in names:
                        base, reqs = targets[name]
                        path = reqs[index][2]
                        rate, p50, size, errors, served = load(
                            pool, base + path, 'user:%s' % project, n,
                            args.duration)
                        if errors:
                            raise RuntimeError('%s %s: %d errors' % (
                                name, path, errors))
                        results[(label, n, name)] = (rate, p50, served)
                        sizes[(label, name)] = size
                    line = '%-38s %dc' % (label, n)
                    for name in names:
                        rate, p50, served = results[(label, n, name)]
                        line += '  %s %7.1f/s p50 %6.2fms' % (name, rate, p50)
                        if served is not None:
                            line += ' (server %.2fms)' % served
                    print(line, flush=True)
        load_after = os.getloadavg()
        # The empty list's server time, from the running processes (their
        # Server-Timing headers), one client, one request at a time.
        served = {}
        for name in ours_names(names):
            served[name] = serial_server_time(
                services[name].url + '/v1/bench-empty/verifications',
                'user:bench-empty', args.serial)
        server_ms = None
        if args.in_process:
            mode = 'api' if 'api' in services else 'all'
            server_ms = server_time(services[mode].db_url, 'bench-empty',
                                    2000)
        report(names, clients, results, sizes, targets, load_after,
               server_ms, served)
    finally:
        for ours in services.values():
            ours.stop()
        if not args.no_upstream:
            upstream_clear(args.upstream_db)
            upstream_delete_checkpoints(args.upstream_url)
        if args.keep:
            print('kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(names, clients, results, sizes, targets, load_after,
           server_ms, served):
    ours = ours_names(names)
    header = '| request | clients |'
    rule = '|---|---|'
    for name in ours:
        header += ' %s req/s |' % name
        rule += '---|'
    if 'upstream' in names:
        header += ' upstream req/s |'
        rule += '---|'
        for name in ours:
            header += ' %s / upstream |' % name
            rule += '---|'
    print()
    print(header)
    print(rule)
    labels = [r[0] for r in targets[names[0]][1]]
    for label in labels:
        for n in clients:
            if (label, n, names[0]) not in results:
                continue
            line = '| %s | %d |' % (label, n)
            for name in ours:
                line += ' %.1f |' % results[(label, n, name)][0]
                if results[(label, n, name)][2] is not None:
                    line = line[:-1] + '(server p50 %.2f ms) |' % results[
                        (label, n, name)][2]
            if 'upstream' in names:
                up = results[(label, n, 'upstream')][0]
                line += ' %.1f |' % up
                for name in ours:
                    line += ' %.1fx |' % (results[(label, n, name)][0] / up)
            print(line)
    print()
    print('| response bytes | %s |' % ' | '.join(names))
    print('|---|%s' % ('---|' * len(names)))
    for label in labels:
        if (label, names[0]) in sizes:
            print('| %s | %s |' % (label, ' | '.join(
                str(sizes[(label, name)]) for name in names)))
    print()
    for name, figures in served.items():
        if figures is None:
            continue
        best, median, p90 = figures
        print('empty GET /v1/{p}/verifications, server time of %s (its '
              'Server-Timing headers, one request at a time): best %.3f ms, '
              'median %.3f ms, p90 %.3f ms' % (name, best, median, p90))
    if server_ms is not None:
        print('empty GET /v1/{p}/verifications, server time (in-process '
              'WSGI app, median of 2000): %.3f ms' % server_ms)
    print('load average after: %s' % ' '.join('%.2f' % x
                                              for x in load_after))


if __name__ == '__main__':
    sys.exit(main())
