"""The broker outage workload: POSTs sent while RabbitMQ is taken away,
and the figures of what became of them.

Shared by the functional test (which asserts on the figures) and
``benchmarks/broker_outage.py`` (which prints them). The caller gives the
API's base URL (``http://127.0.0.1:port/v1/<project>``), a broker with
``stop()`` and ``start()`` (a private RabbitMQ node), and a project whose
local root holds a small directory.
"""

import concurrent.futures
import os
import statistics
import threading
import time

from karbor.common import constants
from karbor.services.protection import provider as provider_module
from karbor.tests.functional import utils

PROVIDER_ID = provider_module.LOCAL_PROVIDER_ID
DIRECTORY = 'OS::Local::Directory'
UNREACHABLE = ('the protection service cannot be reached: the message '
               'broker is unavailable; try again later')
TRANSIENT = (constants.CHECKPOINT_STATUS_PROTECTING,
             constants.VERIFICATION_STATUS_VERIFYING)
SUCCESS = (constants.CHECKPOINT_STATUS_AVAILABLE,
           constants.VERIFICATION_STATUS_SUCCESS)
# How long a request may take before the client gives up: far beyond the
# bound, so that a hung request shows as slow rather than as an error.
HTTP_TIMEOUT = 60
READ_INTERVAL = 0.5


class Client:
    """Requests to the API of one project, timed."""

    def __init__(self, base_url, token='admin-token'):
        self.base_url = base_url
        self.token = token

    def timed(self, method, path, body=None):
        """(status or the exception, document, seconds)."""
        started = time.monotonic()
        try:
            status, _headers, doc = utils.http(
                method, self.base_url + path, body=body, token=self.token,
                timeout=HTTP_TIMEOUT)
        except Exception as e:
            status, doc = repr(e), None
        return status, doc, time.monotonic() - started

    def get(self, path):
        status, doc, _took = self.timed('GET', path)
        if status != 200:
            raise AssertionError('GET %s answered %s: %s' % (path, status,
                                                             doc))
        return doc

    def listed(self, path, key):
        """Every item of a list, page by page."""
        items = []
        marker = ''
        while True:
            sep = '&' if '?' in path else '?'
            doc = self.get('%s%slimit=1000%s' % (path, sep, marker))
            items.extend(doc[key])
            if not doc.get(key + '_links'):
                return items
            marker = '&marker=%s' % doc[key][-1]['id']


def write_directory(root, name='data', files=8, size=4096):
    """A directory of small files under a project's root; its path."""
    path = os.path.join(root, name)
    os.makedirs(path, exist_ok=True)
    for n in range(files):
        with open(os.path.join(path, 'f%02d' % n), 'wb') as f:
            f.write(os.urandom(size))
    return path


def prepare(client, name='data', timeout=60):
    """A plan of directory ``name`` and an available checkpoint of it:
    (plan id, checkpoint id)."""
    listed = {i['name']: i['id'] for i in client.listed(
        '/protectables/%s/instances' % DIRECTORY, 'instances')}
    status, doc, _took = client.timed('POST', '/plans', {'plan': {
        'name': 'outage', 'provider_id': PROVIDER_ID,
        'resources': [{'id': listed[name], 'type': DIRECTORY,
                       'name': name}]}})
    if status != 200:
        raise AssertionError('plan create answered %s: %s' % (status, doc))
    plan_id = doc['plan']['id']
    status, doc, _took = client.timed(
        'POST', '/providers/%s/checkpoints' % PROVIDER_ID,
        {'checkpoint': {'plan_id': plan_id}})
    if status != 202:
        raise AssertionError('checkpoint create answered %s: %s' %
                             (status, doc))
    checkpoint_id = doc['checkpoint']['id']
    path = '/providers/%s/checkpoints/%s' % (PROVIDER_ID, checkpoint_id)
    deadline = time.monotonic() + timeout
    while True:
        shown = client.get(path)['checkpoint']
        if shown['status'] == constants.CHECKPOINT_STATUS_AVAILABLE:
            return plan_id, checkpoint_id
        if shown['status'] != constants.CHECKPOINT_STATUS_PROTECTING or \
                time.monotonic() > deadline:
            raise AssertionError('the first checkpoint did not become '
                                 'available: %s' % shown)
        time.sleep(0.2)


class Outage:
    """Send ``posts`` POSTs, alternately a checkpoint create and a
    verification of ``checkpoint_id``: ``before`` of them with the broker
    up, then the broker stops for ``outage`` seconds while the others but
    ``after`` are sent at an even pace, then it starts again and the last
    ``after`` are sent. Reads go on during the outage."""

    def __init__(self, client, broker, plan_id, checkpoint_id, posts=50,
                 outage=30.0, before=5, after=5, senders=4):
        self.client = client
        self.broker = broker
        self.plan_id = plan_id
        self.checkpoint_id = checkpoint_id
        self.posts = posts
        self.outage = outage
        self.before = before
        self.after = after
        self.senders = senders
        # (kind, status, document, seconds, phase)
        self.answers = []
        # (status, seconds) of the reads during the outage
        self.reads = []
        self._lock = threading.Lock()
        self.broker_down_for = None
        self.broker_back_at = None

    def _post(self, n, phase):
        if n % 2 == 0:
            kind = 'checkpoint'
            status, doc, took = self.client.timed(
                'POST', '/providers/%s/checkpoints' % PROVIDER_ID,
                {'checkpoint': {'plan_id': self.plan_id}})
        else:
            kind = 'verification'
            status, doc, took = self.client.timed(
                'POST', '/verifications', {'verification': {
                    'provider_id': PROVIDER_ID,
                    'checkpoint_id': self.checkpoint_id,
                    'parameters': {}}})
        with self._lock:
            self.answers.append((kind, status, doc, took, phase))

    def _read(self, stop):
        while not stop.wait(READ_INTERVAL):
            status, _doc, took = self.client.timed(
                'GET', '/verifications?limit=20')
            with self._lock:
                self.reads.append((status, took))

    def run(self):
        during = self.posts - self.before - self.after
        with concurrent.futures.ThreadPoolExecutor(self.senders) as pool:
            list(pool.map(lambda n: self._post(n, 'before'),
                          range(self.before)))
            self.broker.stop()
            stopped = time.monotonic()
            stop_reading = threading.Event()
            reader = threading.Thread(target=self._read,
                                      args=(stop_reading,), daemon=True)
            reader.start()
            pace = self.outage / max(during, 1)
            futures = []
            for k in range(during):
                delay = stopped + k * pace - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(self._post, self.before + k,
                                           'during'))
            concurrent.futures.wait(futures)
            delay = stopped + self.outage - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.broker.start()
            self.broker_back_at = time.monotonic()
            self.broker_down_for = self.broker_back_at - stopped
            stop_reading.set()
            reader.join(HTTP_TIMEOUT)
            list(pool.map(lambda n: self._post(n, 'after'),
                          range(self.posts - self.after, self.posts)))

    # What became of them

    def accepted_ids(self):
        return {doc[kind]['id'] for kind, status, doc, _t, _p in self.answers
                if status == 202}

    def rows(self):
        """{id: row} of the checkpoints and verifications the POSTs made
        (the first checkpoint left out)."""
        rows = {}
        for row in self.client.listed(
                '/providers/%s/checkpoints' % PROVIDER_ID, 'checkpoints'):
            if row['id'] != self.checkpoint_id:
                rows[row['id']] = row
        for row in self.client.listed('/verifications', 'verifications'):
            rows[row['id']] = row
        return rows

    def settle(self, timeout):
        """Wait until no row is transient, or ``timeout``; the rows and
        the seconds from the broker's return to the last end."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.rows()
            if not [r for r in rows.values() if r['status'] in TRANSIENT]:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        return rows, time.monotonic() - self.broker_back_at

    def figures(self, rows, drained_in=None):
        accepted = self.accepted_ids()
        statuses = [status for _k, status, _d, _t, _p in self.answers]
        refused_rows = [r for i, r in rows.items() if i not in accepted]
        logs = self.client.listed('/operation_logs', 'operation_logs')
        running = set(constants.OPERATION_LOG_STATUS_RUNNING.values())
        return {
            'attempted': len(self.answers),
            'answered_202': statuses.count(202),
            'answered_503': statuses.count(503),
            'answered_other': [(k, s, d) for k, s, d, _t, _p in self.answers
                               if s not in (202, 503)],
            'max_latency_s': round(max(t for *_x, t, _p in self.answers), 3),
            'max_latency_503_s': round(max(
                [t for _k, s, _d, t, _p in self.answers if s == 503] or
                [0]), 3),
            'median_latency_503_s': round(statistics.median(
                [t for _k, s, _d, t, _p in self.answers if s == 503] or
                [0]), 3),
            'max_latency_202_s': round(max(
                [t for _k, s, _d, t, _p in self.answers if s == 202] or
                [0]), 3),
            'rows_made': len(rows),
            'ended_success': len([i for i in accepted
                                  if rows.get(i, {}).get('status') in
                                  SUCCESS]),
            'accepted_not_success': sorted(
                (i, rows[i]['status'], rows[i].get('status_reason'))
                for i in accepted if i in rows and
                rows[i]['status'] not in SUCCESS),
            'lost': sorted(i for i in accepted if i not in rows),
            'refused_ended_error': len([
                r for r in refused_rows
                if r['status'] == constants.CHECKPOINT_STATUS_ERROR and
                r['status_reason'] == UNREACHABLE]),
            'refused_other': [(r['id'], r['status'], r['status_reason'])
                              for r in refused_rows
                              if r['status'] !=
                              constants.CHECKPOINT_STATUS_ERROR or
                              r['status_reason'] != UNREACHABLE],
            'stuck': len([r for r in rows.values()
                          if r['status'] in TRANSIENT]),
            'logs_running': len([g for g in logs
                                 if g['status'] in running]),
            'reads': len(self.reads),
            'reads_failed': len([s for s, _t in self.reads if s != 200]),
            'max_read_latency_s': round(max(
                [t for _s, t in self.reads] or [0]), 3),
            'broker_down_s': round(self.broker_down_for, 1),
            'drained_after_return_s': (round(drained_in, 1)
                                       if drained_in is not None else None),
        }


def report(figures):
    """The figures, one per line."""
    width = max(len(k) for k in figures)
    return '\n'.join('%-*s  %s' % (width, k, v) for k, v in figures.items())
