"""Page times of the Horizon panels (karbor-dashboard) in a real browser.

Starts (or reuses) the test Keystone (tools/keystone/keystone.sh) and the
test Horizon with the panels (tools/horizon/horizon.sh), starts karbor-api
and karbor-protection behind Keystone on PostgreSQL and RabbitMQ (as the
functional tests do), protects a small directory of project alpha once and
verifies that checkpoint ``--verifications`` times through the API (real
verifications, run by karbor-protection). Then Debian's headless Chromium,
logged in to Horizon as alice, loads every panel ``--runs`` times and
prints, for each page, the median and the worst of:

* server: from the request to the first byte of the answer (Horizon,
  karborclient and karbor-api together);
* page: the browser's whole navigation (``performance`` navigation entry:
  the request, the answer, parsing and the page's own scripts).

The verification list is measured with Horizon's default page size (20
rows, the user can change it under Settings), with 100 rows and with all
``--verifications`` rows on one page (the "Items Per Page" user setting,
sent as its cookie).

    .venv/bin/python benchmarks/dashboard.py [--verifications 1000] [--runs 5]

Not a test: figures only.
"""

import argparse
import concurrent.futures
import logging
import os
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from karbor.tests.e2e import browser as browser_mod  # noqa: E402
from karbor.tests.functional import behind_keystone  # noqa: E402
from karbor.tests.functional import fixtures as ft_fixtures  # noqa: E402
from karbor.tests.functional import horizon_fixture  # noqa: E402
from karbor.tests.functional import keystone_fixture  # noqa: E402
from karbor.tests.functional import processes  # noqa: E402
from karbor.tests.functional import utils  # noqa: E402

PROVIDER = behind_keystone.LOCAL_PROVIDER_ID
DIRECTORY = behind_keystone.DIRECTORY


def timing(b, path, cookies=None):
    """(server s, page s) of one load of ``path``."""
    if cookies:
        for name, value in cookies.items():
            b.driver.add_cookie({'name': name, 'value': str(value),
                                 'path': '/'})
    b.driver.get(b.base + path)
    nav = b.driver.execute_script(
        'var t = performance.getEntriesByType("navigation")[0];'
        'return [t.requestStart, t.responseStart, t.duration];')
    return (nav[1] - nav[0]) / 1000.0, nav[2] / 1000.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--verifications', type=int, default=1000)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--threads', type=int, default=4)
    a = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    t0 = time.monotonic()
    keystone = keystone_fixture.ensure_keystone()
    horizon = horizon_fixture.ensure_horizon(keystone)
    region = keystone_fixture.region_name()
    services = processes.KarborServices(
        ft_fixtures.POSTGRESQL, 60,
        configure=behind_keystone.configure(keystone, region))
    services.setUp()
    try:
        endpoint = 'http://127.0.0.1:%d/v1' % services.port
        catalog = keystone_fixture.CatalogRegion(
            keystone, region, {'data-protect': endpoint + '/$(project_id)s'})
        catalog.setUp()
        try:
            print('services up in %.1f s' % (time.monotonic() - t0))
            run(a, keystone, horizon, region, services, endpoint)
        finally:
            catalog.cleanUp()
    finally:
        services.cleanUp()


def wait_for(what, predicate, timeout=600):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except OSError:  # not listening yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit('timed out waiting for %s' % what)
        time.sleep(0.5)


def run(a, keystone, horizon, region, services, endpoint):
    token, project = keystone.token('alice')

    def api(method, path, body=None):
        status, _h, doc = utils.http(method, '%s/%s/%s' % (
            endpoint, project, path), body=body, token=token, timeout=60)
        if status >= 400:
            raise SystemExit('%s %s: %s %s' % (method, path, status, doc))
        return doc

    wait_for('karbor-api', lambda: utils.http(
        'GET', endpoint + '/', token=None)[0] == 200)
    wait_for('karbor-protection', lambda: 'serving topic' in
             services.protection.output())
    root = os.path.join(services.root, project, 'docs')
    os.makedirs(root)
    with open(os.path.join(root, 'a.txt'), 'w') as f:
        f.write('benchmark\n')
    [docs] = [i for i in api('GET', 'protectables/%s/instances' %
                             DIRECTORY)['instances']
              if i['name'].rstrip('/').endswith('docs')]
    plan = api('POST', 'plans', {'plan': {
        'name': 'bench', 'provider_id': PROVIDER, 'parameters': {},
        'resources': [{'id': docs['id'], 'type': DIRECTORY,
                       'name': 'docs'}]}})['plan']
    checkpoint = api('POST', 'providers/%s/checkpoints' % PROVIDER, {
        'checkpoint': {'plan_id': plan['id']}})['checkpoint']
    wait_for('the checkpoint', lambda: api(
        'GET', 'providers/%s/checkpoints/%s' % (PROVIDER, checkpoint['id'])
    )['checkpoint']['status'] == 'available')

    t0 = time.monotonic()
    body = {'verification': {'provider_id': PROVIDER,
                             'checkpoint_id': checkpoint['id'],
                             'parameters': {DIRECTORY: {'level': 'quick'}}}}
    with concurrent.futures.ThreadPoolExecutor(a.threads) as pool:
        ids = list(pool.map(lambda _i: api('POST', 'verifications', body)[
            'verification']['id'], range(a.verifications)))
    created = time.monotonic() - t0
    wait_for('the verifications to end', lambda: not api(
        'GET', 'verifications?status=verifying&limit=1')['verifications'])
    print('%d verifications created in %.1f s (%.1f/s through the API), '
          'all ended after %.1f s' % (len(ids), created, len(ids) / created,
                                      time.monotonic() - t0))

    b = browser_mod.Browser(horizon, '/tmp')
    try:
        b.login('alice', keystone.password('alice'))
        b.switch_region(region, '/project/data_protection_providers/')
        pages = [
            ('providers', '/project/data_protection_providers/', None),
            ('provider detail', '/project/data_protection_providers/%s/' %
             PROVIDER, None),
            ('plans', '/project/data_protection_plans/', None),
            ('plan form', '/project/data_protection_plans/create/', None),
            ('checkpoints (latest verification of each)',
             '/project/data_protection_checkpoints/?provider=' + PROVIDER,
             None),
            ('checkpoint detail', '/project/data_protection_checkpoints/'
             '%s/%s/' % (PROVIDER, checkpoint['id']), None),
            ('verifications, 20 rows', '/project/data_protection_'
             'verifications/', None),
            ('verifications, 100 rows', '/project/data_protection_'
             'verifications/', {'API_RESULT_PAGE_SIZE': 100}),
            ('verifications, %d rows' % a.verifications,
             '/project/data_protection_verifications/',
             {'API_RESULT_PAGE_SIZE': a.verifications}),
            ('verification detail', '/project/data_protection_'
             'verifications/%s/' % ids[0], {'API_RESULT_PAGE_SIZE': 20}),
            ('restores', '/project/data_protection_restores/', None),
            ('operation logs, 20 rows',
             '/project/data_protection_operation_logs/', None),
        ]
        print('%-45s %17s %17s' % ('page (%d runs)' % a.runs,
                                   'server med/max s', 'page med/max s'))
        for name, path, cookies in pages:
            timing(b, path, cookies)  # warm
            got = [timing(b, path) for _ in range(a.runs)]
            server = [g[0] for g in got]
            page = [g[1] for g in got]
            print('%-45s %8.3f /%6.3f %8.3f /%6.3f' % (
                name, statistics.median(server), max(server),
                statistics.median(page), max(page)))
            b.assert_no_server_error()
            if cookies and cookies.get('API_RESULT_PAGE_SIZE') == \
                    a.verifications:
                rows = len(b.find('table#verifications tbody tr'))
    finally:
        b.quit()
    print('rows on the page of all verifications: %d' % rows)


if __name__ == '__main__':
    main()
