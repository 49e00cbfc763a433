"""How late scheduled runs start after their due time, in karbor-all.

Starts karbor-all with its defaults on a fresh state directory, makes a
plan of a small directory, an every-minute crontab trigger and on it
``--operations`` protect schedules (retention_protect, max_backups 2) and
one verify schedule; watches ``--cycles`` minutes, then prints, for each
run, its due time and how late its operation log started, and the
minimum, median, 95th percentile and maximum.

    python benchmarks/schedule_drift.py                 # 3 cycles, 2 protects
    python benchmarks/schedule_drift.py --cycles 5 --operations 4
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

import common
from karbor.tests.e2e import test_scheduling_cli

PROVIDER_ID = test_scheduling_cli.PROVIDER_ID
DIRECTORY = test_scheduling_cli.DIRECTORY


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--cycles', type=int, default=3)
    parser.add_argument('--operations', type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='karbor-drift-') as state:
        server = common.KarborAll(state, os.path.join(state, '..',
                                                      'drift-%d.log' %
                                                      os.getpid()))
        try:
            server.wait_ready()
            run(server, state, args)
        finally:
            server.stop()


def run(server, state, args):
    root = os.path.join(os.path.realpath(state), 'protect', common.PROJECT,
                        'docs')
    os.makedirs(root)
    for i in range(10):
        common.write_random(os.path.join(root, 'f%d' % i), 64 * 1024)
    [item] = [i for i in server.call(
        'GET', '/protectables/%s/instances' % DIRECTORY)['instances']
        if i['name'] == 'docs']
    plan = server.call('POST', '/plans', {'plan': {
        'name': 'drift', 'provider_id': PROVIDER_ID,
        'resources': [{'id': item['id'], 'type': DIRECTORY,
                       'name': 'docs'}]}})['plan']
    trigger = server.call('POST', '/triggers', {'trigger_info': {
        'name': 'every-minute', 'type': 'time', 'properties': {
            'format': 'crontab', 'pattern': '* * * * *',
            'window': 60}}})['trigger_info']
    definition = {'plan_id': plan['id'], 'provider_id': PROVIDER_ID}
    for i in range(args.operations):
        server.call('POST', '/scheduled_operations', {'scheduled_operation': {
            'name': 'protect-%d' % i, 'operation_type': 'retention_protect',
            'trigger_id': trigger['id'],
            'operation_definition': dict(definition, max_backups=2)}})
    server.call('POST', '/scheduled_operations', {'scheduled_operation': {
        'name': 'verify', 'operation_type': 'verify',
        'trigger_id': trigger['id'],
        'operation_definition': dict(definition, level='quick')}})
    first = trigger['next_due_at']
    print('first due time %s; watching %d cycles of %d protect and 1 '
          'verify schedules' % (first, args.cycles, args.operations))
    sys.stdout.flush()
    deadline = time.monotonic() + 60 * (args.cycles + 1) + 30
    while time.monotonic() < deadline:
        time.sleep(5)
        logs = server.call('GET', '/operation_logs?limit=1000')[
            'operation_logs']
        figures = test_scheduling_cli.drift_figures(logs)
        dues = {due for _kind, due, _late in figures}
        if len(dues) >= args.cycles:
            break
    print(test_scheduling_cli.describe_drift(figures))
    lates = sorted(f[2] for f in figures)
    if len(lates) >= 2:
        p95 = statistics.quantiles(lates, n=20)[-1]
        print('p95 %.3f s over %d runs' % (p95, len(lates)))


if __name__ == '__main__':
    main()
