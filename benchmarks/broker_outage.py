"""A RabbitMQ outage under POSTs, and work queued while no protection
service runs: what becomes of the operations.

Starts a RabbitMQ node of its own (free ports of 127.0.0.1, everything
under a temporary directory; the machine's RabbitMQ is never touched), a
database of its own on MariaDB or PostgreSQL, and karbor-api and
karbor-protection as two processes, as the functional tests do. Then:

* outage: --posts POSTs (checkpoint creates and verifications alternately,
  on the built-in local provider's file-system bank), a few with the
  broker up, most while it is stopped for --outage seconds, a few after it
  is back; GETs go on meanwhile. It waits until nothing is transient and
  prints what the POSTs were answered, how long the slowest took, how the
  operations ended, and how long it took from the broker's return until
  every accepted one had ended;
* idle worker: karbor-protection is stopped, --queued operations are
  POSTed, the broker is restarted, karbor-protection is started, and the
  time until every queued operation ended is printed.

Prints figures; not a test (the assertions live in
karbor/tests/functional/test_broker_outage.py).

    python benchmarks/broker_outage.py [--backend mysql|postgresql]
        [--posts 50] [--outage 30] [--senders 4] [--queued 10]
"""

import argparse
import logging
import os
import sys
import time
import uuid

from karbor.common import constants
from karbor.tests.functional import broker_outage
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import processes
from karbor.tests.functional import rabbitmq_fixture

SERVICE_DOWN_TIME = 5
SETTLE_TIMEOUT = 180


def configure(services, sections):
    processes.make_protect_root(services)
    sections['providers'] = {'enable_local_provider': 'true'}


def wait(predicate, what, timeout=60):
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
        time.sleep(0.2)


def protection_up(client, host):
    return [s for s in client.get('/os-services?binary=%s&host=%s' % (
        constants.SERVICE_BINARY_PROTECTION, host))['services']
        if s['state'] == constants.SERVICE_STATE_UP]


def setup(services):
    project = uuid.uuid4().hex
    client = broker_outage.Client('http://127.0.0.1:%d/v1/%s' % (
        services.port, project))
    broker_outage.write_directory(os.path.join(services.root, project))
    wait(lambda: protection_up(client, services.host),
         'karbor-protection up')
    plan_id, checkpoint_id = broker_outage.prepare(client)
    return client, plan_id, checkpoint_id


def run_outage(args):
    broker = rabbitmq_fixture.PrivateRabbitMQ()
    with processes.KarborServices(args.backend, SERVICE_DOWN_TIME,
                                  configure=configure,
                                  rabbit=broker) as services:
        client, plan_id, checkpoint_id = setup(services)
        outage = broker_outage.Outage(
            client, broker, plan_id, checkpoint_id, posts=args.posts,
            outage=args.outage, senders=args.senders)
        outage.run()
        rows, drained_in = outage.settle(SETTLE_TIMEOUT)
        return outage.figures(rows, drained_in)


def run_idle_worker(args):
    broker = rabbitmq_fixture.PrivateRabbitMQ()
    with processes.KarborServices(args.backend, SERVICE_DOWN_TIME,
                                  configure=configure,
                                  rabbit=broker) as services:
        client, plan_id, checkpoint_id = setup(services)
        services.stop_protection()
        paths = []
        said = 0
        for n in range(args.queued):
            if n % 2 == 0:
                status, doc, _took = client.timed(
                    'POST', '/providers/%s/checkpoints' %
                    broker_outage.PROVIDER_ID,
                    {'checkpoint': {'plan_id': plan_id}})
                kind = 'checkpoint'
                path = '/providers/%s/checkpoints/%s' % (
                    broker_outage.PROVIDER_ID, doc[kind]['id'])
            else:
                status, doc, _took = client.timed(
                    'POST', '/verifications', {'verification': {
                        'provider_id': broker_outage.PROVIDER_ID,
                        'checkpoint_id': checkpoint_id, 'parameters': {}}})
                kind = 'verification'
                path = '/verifications/%s' % doc[kind]['id']
            if status != 202:
                raise RuntimeError('POST answered %s: %s' % (status, doc))
            said += (doc[kind]['status_reason'] or '').startswith('waiting')
            paths.append((kind, path))
        in_queue = broker.queues()[broker.topic]['messages']
        broker.stop()
        broker.start()
        after_restart = broker.queues()[broker.topic]['messages']
        started = time.monotonic()
        services.start_protection()

        def ended():
            rows = [client.get(p)[k] for k, p in paths]
            return rows if all(r['status'] not in broker_outage.TRANSIENT
                               for r in rows) else None
        rows = wait(ended, 'queued operations to end', SETTLE_TIMEOUT)
        return {
            'queued_while_no_protection': len(paths),
            'answers_saying_nobody_is_up': said,
            'messages_in_durable_queue': in_queue,
            'messages_after_broker_restart': after_restart,
            'ended_success': len([r for r in rows if r['status'] in
                                  broker_outage.SUCCESS]),
            'seconds_from_start_to_all_ended': round(
                time.monotonic() - started, 1),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backend', default=ft_fixtures.MYSQL,
                        choices=(ft_fixtures.MYSQL, ft_fixtures.POSTGRESQL))
    parser.add_argument('--posts', type=int, default=50)
    parser.add_argument('--outage', type=float, default=30.0)
    parser.add_argument('--senders', type=int, default=4)
    parser.add_argument('--queued', type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    started = time.monotonic()
    print('broker outage: %d POSTs, broker stopped for %.0f s, %s' % (
        args.posts, args.outage, args.backend))
    print(broker_outage.report(run_outage(args)))
    print()
    print('idle worker: %d operations POSTed while no karbor-protection '
          'runs' % args.queued)
    print(broker_outage.report(run_idle_worker(args)))
    print()
    print('total %.0f s' % (time.monotonic() - started))
    return 0


if __name__ == '__main__':
    sys.exit(main())
