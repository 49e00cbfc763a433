"""Generated requests against a running karbor-api, on MariaDB and on
PostgreSQL: the hand-made requests that once answered 500 (issue 13), then
schemathesis over every operation of the API's own OpenAPI document.

What must hold for every answer: no 5xx, every error in the OpenStack
fault shape, every body strict JSON that fits the schema the document
gives for its status (schemathesis' checks, plus those of
``karbor.tests.functional.schemathesis_checks``).

``KARBOR_GENERATED_REQUESTS`` (at least this many requests, default 2000)
and ``KARBOR_GENERATED_SEED`` (default 13) make a run larger or different;
the seed of a run is in its failure message, and the same seed makes the
same requests::

    KARBOR_GENERATED_SEED=13 KARBOR_GENERATED_REQUESTS=20000 \\
        tools/run_tests.sh karbor.tests.functional.test_generated_requests
"""

import base64
import collections
import http.client
import json
import logging
import math
import os
import re
import subprocess
import time
import urllib.parse
import uuid

import fixtures
from oslotest import base
from testtools import content

from karbor.common import constants
from karbor.services.protection import local_roots
from karbor.services.protection import provider as provider_module
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import processes
from karbor.tests.functional import schemathesis_checks
from karbor.tests.functional import utils

DIRECTORY = local_roots.RESOURCE_TYPE
LOCAL_PROVIDER_ID = provider_module.LOCAL_PROVIDER_ID
SERVICE_DOWN_TIME = 30
# A protect of LARGE_PLAN resources takes minutes on a loaded 2-core
# machine (one task per resource): 120 s timed out at load 20.
OPERATION_TIMEOUT = 600

TARGET = int(os.environ.get('KARBOR_GENERATED_REQUESTS', '2000'))
SEED = int(os.environ.get('KARBOR_GENERATED_SEED', '13'))
# schemathesis' coverage and stateful phases make about this many requests
# (2,300 with seed 13) whatever the number of examples; its fuzzing phase
# makes about one per example and operation.
FIXED_REQUESTS = 2000
# The whole schemathesis run, on a loaded machine.
RUN_TIMEOUT = max(900, TARGET // 2)

# Checks left out, and why:
# - ignored_auth, missing_required_header: with auth_strategy noauth (these
#   tests), a request without a token is the project's administrator by
#   design; keystonemiddleware's 401 is tested elsewhere.
# - positive_data_acceptance: a request that fits the schema can still be
#   refused with a 400 the schema cannot express: parameters that do not
#   fit the provider's own schemas, types the provider does not protect,
#   sort with sort_key, a parameters query that is no dictionary.
EXCLUDED_CHECKS = ('ignored_auth', 'missing_required_header',
                   'positive_data_acceptance')

PROJECT = 'generated'
OTHER_PROJECT = 'someoneelse'
# Directories of the plan whose JSON passes MySQL TEXT's 64 KiB.
LARGE_PLAN = 600


def reproduce(backend):
    return ('KARBOR_GENERATED_SEED=%d KARBOR_GENERATED_REQUESTS=%d '
            'tools/run_tests.sh '
            'karbor.tests.functional.test_generated_requests.%s' % (
                SEED, TARGET, backend))


# A provider whose bank cannot be used: its directory is under a file.
BLOCKED_PROVIDER_ID = 'b10cced0-5f60-4a8b-9c0d-1e2f3a4b5c6d'
BLOCKED_PROVIDER_NAME = 'Blocked Provider'


def configure(services, sections):
    processes.make_protect_root(services)
    providers_dir = os.path.join(services.tmp, 'providers.d')
    os.makedirs(providers_dir)
    blocker = os.path.join(services.tmp, 'a-file')
    with open(blocker, 'w') as f:
        f.write('not a directory')
    utils.write_config(os.path.join(providers_dir, 'blocked.conf'), {
        'provider': {'id': BLOCKED_PROVIDER_ID,
                     'name': BLOCKED_PROVIDER_NAME,
                     'bank': 'file_system', 'plugin': 'local_directory'},
        'file_system_bank': {'path': os.path.join(blocker, 'bank')},
        'local_directory': {'allowed_roots': services.root}})
    sections['providers'] = {'enable_local_provider': 'true',
                             'config_dir': providers_dir}
    sections['api']['threads'] = 8


class _GeneratedRequests(processes.ProcessTestMixin):

    backend = None

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.services = self.useFixture(processes.KarborServices(
            self.backend, SERVICE_DOWN_TIME, configure=configure))
        self.port = self.services.port
        self.base_url = 'http://127.0.0.1:%d/v1/%s' % (self.port, PROJECT)
        self.token = 'admin:%s:admin' % PROJECT
        self.wait_protection_up()

    # HTTP

    def raw(self, method, path, body=None, token=None, headers=None):
        """(status, content type, body bytes) of one request, sent as it
        is (no quoting of the path)."""
        conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                          timeout=60)
        try:
            all_headers = {'X-Auth-Token': token or self.token}
            if body is not None:
                all_headers['Content-Type'] = 'application/json'
                if not isinstance(body, bytes):
                    body = body.encode('utf-8', 'surrogatepass')
            all_headers.update(headers or {})
            conn.putrequest(method, path, skip_accept_encoding=True)
            for key, value in all_headers.items():
                conn.putheader(key, value)
            conn.putheader('Content-Length', str(len(body or b'')))
            conn.endheaders(body)
            resp = conn.getresponse()
            return resp.status, resp.getheader('Content-Type'), resp.read()
        finally:
            conn.close()

    def call(self, method, path, body=None, expected=200, **kwargs):
        """The JSON answer of a request under /v1/PROJECT that must answer
        ``expected``."""
        raw = body if isinstance(body, (str, bytes)) or body is None \
            else json.dumps(body)
        status, ctype, data = self.raw(method, '/v1/%s%s' % (PROJECT, path),
                                       raw, **kwargs)
        self.assertAnswer(status, ctype, data,
                          '%s %s' % (method, path[:100]))
        if status != expected:
            self.fail_with_logs('%s %s answered %s, not %s: %.500s' % (
                method, path[:100], status, expected, data))
        return json.loads(data) if data else None

    def assertAnswer(self, status, ctype, data, what):
        problem = schemathesis_checks.check_answer(status, ctype, data)
        if problem or status >= 500:
            self.fail_with_logs('%s: answered %s: %s: %.500s' % (
                what, status, problem or 'a server error', data))

    def refused(self, method, path, body=None, status=400, contains=None,
                **kwargs):
        """The fault message of a request that must be refused."""
        raw = body if isinstance(body, (str, bytes)) or body is None \
            else json.dumps(body)
        got, ctype, data = self.raw(method, path, raw, **kwargs)
        self.assertAnswer(got, ctype, data, '%s %s' % (method, path[:100]))
        self.assertEqual(status, got, '%s %s: %.500s' % (method, path[:100],
                                                         data))
        message = next(iter(json.loads(data).values()))['message']
        if contains:
            self.assertIn(contains, message)
        return message

    # The objects the requests can name

    def make_objects(self):
        """Directories, a plan, an available checkpoint, a restore and a
        verification; their ids."""
        # The built-in local provider's root of the project.
        root = os.path.join(self.services.root, PROJECT)
        for n in range(LARGE_PLAN):
            os.makedirs(os.path.join(root, 'd%04d' % n))
        listed = self.list_directories()
        resources = [{'id': listed['d%04d' % n], 'type': DIRECTORY,
                      'name': 'directory %04d' % n}
                     for n in range(LARGE_PLAN)]
        small = self.call('POST', '/plans', {'plan': {
            'name': 'small', 'provider_id': LOCAL_PROVIDER_ID,
            'resources': resources[:2]}})['plan']
        checkpoint = self.protect(small['id'])
        restore = self.call('POST', '/restores', {'restore': {
            'provider_id': LOCAL_PROVIDER_ID,
            'checkpoint_id': checkpoint}}, expected=202)['restore']
        verification = self.call('POST', '/verifications', {
            'verification': {'provider_id': LOCAL_PROVIDER_ID,
                             'checkpoint_id': checkpoint}},
            expected=202)['verification']
        logs = self.call('GET', '/operation_logs')['operation_logs']
        # Triggers (the first used by the scheduled operations, the others
        # free to delete) and scheduled operations; hourly, so that none
        # runs while the requests are made.
        triggers = [self.call('POST', '/triggers', {'trigger_info': {
            'name': 'hourly %d' % n, 'type': 'time', 'properties': {
                'format': 'crontab', 'pattern': '0 * * * *'}}})[
            'trigger_info']['id'] for n in range(4)]
        # A plan of its own, that no generated DELETE reaches.
        scheduled = self.call('POST', '/plans', {'plan': {
            'name': 'scheduled', 'provider_id': LOCAL_PROVIDER_ID,
            'resources': resources[:1]}})['plan']
        operations = [self.call('POST', '/scheduled_operations', {
            'scheduled_operation': {
                'name': 'protect %d' % n, 'operation_type': 'protect',
                'trigger_id': triggers[0], 'operation_definition': {
                    'plan_id': scheduled['id'],
                    'provider_id': LOCAL_PROVIDER_ID}}})[
            'scheduled_operation']['id'] for n in range(4)]
        return {'resources': resources, 'plan': small['id'],
                'checkpoint': checkpoint, 'restore': restore['id'],
                'verification': verification['id'],
                'operation_logs': [log['id'] for log in logs],
                'triggers': triggers, 'scheduled_operations': operations,
                'scheduled_plan': scheduled['id']}

    def protect(self, plan_id, extra_info=None):
        body = {'checkpoint': {'plan_id': plan_id}}
        if extra_info is not None:
            body['checkpoint']['extra-info'] = extra_info
        checkpoint = self.call(
            'POST', '/providers/%s/checkpoints' % LOCAL_PROVIDER_ID, body,
            expected=202)['checkpoint']['id']
        path = '/providers/%s/checkpoints/%s' % (LOCAL_PROVIDER_ID,
                                                 checkpoint)

        def available():
            status = self.call('GET', path)['checkpoint']['status']
            if status == constants.CHECKPOINT_STATUS_ERROR:
                self.fail_with_logs('checkpoint %s failed' % checkpoint)
            return status == constants.CHECKPOINT_STATUS_AVAILABLE
        self.wait(available, 'checkpoint %s available' % checkpoint,
                  timeout=OPERATION_TIMEOUT)
        return checkpoint

    # The hand-made requests of issue 13

    def one_view_of_providers(self, ids):
        """A provider whose bank cannot be used is offered by neither
        process, each saying why once in its log; the API refuses a plan
        of it at once instead of accepting work that fails later."""
        listed = [p['id'] for p in self.call('GET', '/providers')[
            'providers']]
        self.assertEqual([LOCAL_PROVIDER_ID], listed)
        self.refused('GET', '/v1/%s/providers/%s' % (
            PROJECT, BLOCKED_PROVIDER_ID), status=404)
        self.refused('POST', '/v1/%s/plans' % PROJECT, json.dumps({'plan': {
            'name': 'p', 'provider_id': BLOCKED_PROVIDER_ID,
            'resources': ids['resources'][:1]}}), status=404,
            contains=BLOCKED_PROVIDER_ID)
        for process in (self.services.api, self.services.protection):
            errors = [line for line in process.output().splitlines()
                      if 'Provider %s' % BLOCKED_PROVIDER_NAME in line and
                      'could not be loaded and is not offered' in line]
            self.assertEqual(1, len(errors), process.output())

    def handmade(self, ids):
        p = '/v1/%s' % PROJECT
        checkpoints = '%s/providers/%s/checkpoints' % (p, LOCAL_PROVIDER_ID)
        # Bytes that are not UTF-8 in the path and the query.
        for raw in ('%FF', '%C0%AF', '%ED%A0%80'):
            self.refused('GET', '%s/plans/%s' % (p, raw), contains='URL')
            self.refused('GET', '%s/plans?name=%s' % (p, raw),
                         contains='URL')
        # JSON nested thousands deep, in a body and in a query.
        self.refused('POST', p + '/plans', '[' * 5000 + ']' * 5000,
                     contains='deeper')
        self.refused('GET', '%s/protectables/%s/instances?parameters=%s' % (
            p, DIRECTORY, '%5B' * 5000))
        # Methods a path does not have.
        for method, path, status in (
                ('PUT', p + '/plans', 405), ('DELETE', p + '/plans', 405),
                ('PUT', checkpoints, 405), ('DELETE', checkpoints, 405),
                ('POST', p + '/providers//checkpoints', 404)):
            self.refused(method, path, '{}', status=status)
        # Lone surrogates.
        plan = ('{"plan": {"name": "%s", "description": "%s", '
                '"provider_id": "%s", "resources": [{"id": "x", '
                '"type": "%s"}]}}')
        self.refused('POST', p + '/plans', plan % (
            '\\ud800', 'd', LOCAL_PROVIDER_ID, DIRECTORY),
            contains='surrogate')
        self.refused('POST', p + '/plans', plan % (
            'n', '\\udfff', LOCAL_PROVIDER_ID, DIRECTORY),
            contains='surrogate')
        self.refused('POST', p + '/restores', '{"restore": {"provider_id": '
                     '"%s", "checkpoint_id": "%s", "restore_target": '
                     '"\\ud800"}}' % (LOCAL_PROVIDER_ID, ids['checkpoint']),
                     contains='surrogate')
        self.refused('PUT', p + '/os-services/1', '{"status": "disabled", '
                     '"disabled_reason": "\\ud800"}', contains='surrogate')
        # The last day of the calendar.
        self.call('GET', '/providers/%s/checkpoints?end_date=9999-12-31' %
                  LOCAL_PROVIDER_ID)
        # Ids longer than their columns.
        long_project = 'x' * 300
        self.refused('POST', '/v1/%s/plans' % long_project, '{}',
                     token='u:%s' % long_project, contains='255')
        self.refused('POST', p + '/plans', '{}',
                     token='%s:%s' % ('u' * 300, PROJECT), contains='255')
        # NaN and Infinity.
        for constant in ('NaN', 'Infinity', '-Infinity'):
            self.refused('POST', checkpoints, '{"checkpoint": {"plan_id": '
                         '"%s", "extra-info": {"k": %s}}}' % (
                             ids['plan'], constant), contains='JSON')
        # A path starting with //, refused by the web server itself.
        self.refused('GET', '//v1/%s/plans' % PROJECT, contains='"/"')
        # Another project's id as a marker answers like a random id.
        os.makedirs(os.path.join(self.services.root, OTHER_PROJECT,
                                 'theirs'))
        other = 'u:%s' % OTHER_PROJECT
        path = '/v1/%s/protectables/%s/instances' % (OTHER_PROJECT,
                                                     DIRECTORY)
        listed = json.loads(self.raw('GET', path, token=other)[2])[
            'instances']
        theirs = self.raw('POST', '/v1/%s/plans' % OTHER_PROJECT, json.dumps(
            {'plan': {'name': 'theirs', 'provider_id': LOCAL_PROVIDER_ID,
                      'resources': [{'id': listed[0]['id'],
                                     'type': DIRECTORY}]}}), token=other)
        self.assertEqual(200, theirs[0], theirs[2])
        theirs = json.loads(theirs[2])['plan']['id']
        random_id = str(uuid.uuid4())
        messages = [self.refused('GET', '%s/plans?marker=%s' % (p, m),
                                 status=404).replace(m, 'ID')
                    for m in (theirs, random_id)]
        self.assertEqual(messages[0], messages[1])
        # JSON columns past MySQL TEXT's 64 KiB: a plan of LARGE_PLAN
        # resources, its checkpoint with a large extra-info, a restore and
        # a verification with 2,000 parameter keys.
        large = self.call('POST', '/plans', {'plan': {
            'name': 'large', 'provider_id': LOCAL_PROVIDER_ID,
            'resources': ids['resources']}})['plan']
        self.assertGreater(len(json.dumps(large['resources'])), 65536)
        shown = self.call('GET', '/plans/%s' % large['id'])['plan']
        self.assertEqual(LARGE_PLAN, len(shown['resources']))
        extra = {'k%02d' % n: 'x' * 4000 for n in range(20)}
        checkpoint = self.protect(large['id'], extra_info=extra)
        shown = self.call('GET', '/providers/%s/checkpoints/%s' % (
            LOCAL_PROVIDER_ID, checkpoint))['checkpoint']
        self.assertEqual(LARGE_PLAN,
                         len(shown['protection_plan']['resources']))
        self.assertEqual(extra['k00'], shown['extra_info']['k00'])
        keys = {'%s#k%04d' % (DIRECTORY, n): {} for n in range(2000)}
        for kind in ('restore', 'verification'):
            made = self.call('POST', '/%ss' % kind, {kind: {
                'provider_id': LOCAL_PROVIDER_ID, 'checkpoint_id': checkpoint,
                'parameters': keys}}, expected=202)[kind]
            self.assertEqual(keys, self.call('GET', '/%ss/%s' % (
                kind, made['id']))[kind]['parameters'])
        # Beyond a limit: a 400 that says the limit (the 413 of the body
        # size is a unit test: the server answers it before it reads the
        # body, which this client is still sending).
        self.refused('POST', p + '/plans', json.dumps({'plan': {
            'name': 'n' * 256, 'provider_id': LOCAL_PROVIDER_ID,
            'resources': ids['resources'][:1]}}), contains='at most 255')

    # schemathesis

    def schemathesis_config(self, ids, path):
        """The configuration: the ids of the objects made, as
        dictionaries that path parameters and body fields draw from (and
        otherwise generated values)."""
        def dictionary(name, values):
            return '[dictionaries.%s]\nvalues = %s\n' % (
                name, json.dumps(sorted(set(values))))

        def bind(key, name, probability=0.7):
            return '"%s" = { dictionary = "%s", probability = %s }\n' % (
                key, name, probability)
        text = ''.join([
            dictionary('providers', [LOCAL_PROVIDER_ID]),
            dictionary('plans', [ids['plan']]),
            dictionary('checkpoints', [ids['checkpoint']]),
            dictionary('restores', [ids['restore']]),
            dictionary('verifications', [ids['verification']]),
            dictionary('operation_logs', ids['operation_logs']),
            dictionary('resources', [r['id'] for r in ids['resources'][:5]]),
            dictionary('types', [DIRECTORY]),
            dictionary('triggers', ids['triggers']),
            # In use: never deleted (409).
            dictionary('used_triggers', ids['triggers'][:1]),
            dictionary('scheduled_plans', [ids['scheduled_plan']]),
            dictionary('scheduled_operations', ids['scheduled_operations']),
            dictionary('formats', ['crontab']),
            dictionary('patterns', ['0 * * * *', '30 2 * * *']),
            dictionary('operation_types', ['protect']),
            '[parameters]\n',
            bind('path.provider_id', 'providers', 0.9),
            bind('path.plan_id', 'plans'),
            bind('path.checkpoint_id', 'checkpoints'),
            bind('path.restore_id', 'restores'),
            bind('path.verification_id', 'verifications'),
            bind('path.operation_log_id', 'operation_logs'),
            bind('path.protectable_type', 'types'),
            bind('path.resource_id', 'resources'),
            bind('body.plan.provider_id', 'providers', 0.9),
            bind('body.plan.resources[*].id', 'resources', 0.9),
            bind('body.plan.resources[*].type', 'types', 0.9),
            bind('body.checkpoint.plan_id', 'plans', 0.9),
            bind('body.restore.provider_id', 'providers', 0.9),
            bind('body.restore.checkpoint_id', 'checkpoints', 0.9),
            bind('body.verification.provider_id', 'providers', 0.9),
            bind('body.verification.checkpoint_id', 'checkpoints', 0.9),
            bind('path.trigger_id', 'triggers', 0.9),
            bind('path.scheduled_operation_id', 'scheduled_operations',
                 0.9),
            bind('body.trigger_info.properties.format', 'formats', 0.9),
            bind('body.trigger_info.properties.pattern', 'patterns', 0.9),
            bind('body.scheduled_operation.trigger_id', 'used_triggers',
                 0.9),
            bind('body.scheduled_operation.operation_type',
                 'operation_types', 0.9),
            bind('body.scheduled_operation.operation_definition.plan_id',
                 'scheduled_plans', 0.9),
            bind('body.scheduled_operation.operation_definition.'
                 'provider_id', 'providers', 0.9),
        ])
        with open(path, 'w') as f:
            f.write(text)
        return path

    def document(self, path):
        """The document the API serves, with the project of the token as
        the only value of project_id (another one is a 403: a request of
        little interest, and one that schemathesis counts as a value it
        made invalid when it is replaced after the fact)."""
        doc = json.loads(self.raw('GET', '/v1/openapi.json')[2])
        for item in doc['paths'].values():
            for op in item.values():
                for param in op.get('parameters', ()):
                    if (param['name'], param['in']) == ('project_id',
                                                        'path'):
                        param['schema'] = {'type': 'string',
                                           'enum': [PROJECT]}
        with open(path, 'w') as f:
            json.dump(doc, f)
        return doc

    def generated(self, ids):
        tmp = self.services.tmp
        document = os.path.join(tmp, 'openapi.json')
        doc = self.document(document)
        operations = sum(len(v) for v in doc['paths'].values())
        examples = max(10, math.ceil((TARGET - FIXED_REQUESTS) /
                                     operations))
        har = os.path.join(tmp, 'schemathesis.har')
        command = [
            utils.executable('schemathesis'),
            '--config-file', self.schemathesis_config(
                ids, os.path.join(tmp, 'schemathesis.toml')),
            'run', document, '--url', 'http://127.0.0.1:%d' % self.port,
            '--header', 'X-Auth-Token: %s' % self.token,
            '--checks', 'all', '--exclude-checks', ','.join(EXCLUDED_CHECKS),
            '--seed', str(SEED), '--max-examples', str(examples),
            # One worker: hypothesis' ast.parse in several threads failed
            # once with "SystemError: AST constructor recursion depth
            # mismatch" (CPython 3.11), a failure of the tool.
            '--workers', '1', '--generation-database', 'none',
            '--request-timeout', '60', '--no-color',
            '--report', 'har', '--report-har-path', har]
        env = dict(os.environ, SCHEMATHESIS_HOOKS=schemathesis_checks.__name__)
        started = time.monotonic()
        result = subprocess.run(command, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=env,
                                timeout=RUN_TIMEOUT, cwd=tmp)
        elapsed = time.monotonic() - started
        output = result.stdout.decode('utf-8', 'replace')
        if os.environ.get('KARBOR_GENERATED_OUTPUT'):
            with open(os.environ['KARBOR_GENERATED_OUTPUT'] + '.' +
                      self.backend, 'w') as f:
                f.write(output)
        with open(har) as f:
            entries = json.load(f)['log']['entries']
        statuses = collections.Counter(e['response']['status']
                                       for e in entries)
        summary = ('%s: %d generated requests in %.0f s (seed %d, %d '
                   'examples per operation), statuses %s; reproduce with '
                   '%s' % (self.backend, len(entries), elapsed, SEED,
                           examples, dict(sorted(statuses.items())),
                           reproduce(type(self).__name__)))
        print(summary)
        self.addDetail('generated-requests', content.text_content(
            summary))
        server_errors = [e for e in entries if e['response']['status'] >=
                         500]
        unreached = self.operations_without_success(doc, entries)
        if (result.returncode or server_errors or unreached or
                len(entries) < TARGET):
            self.fail_with_logs(
                '%s\nschemathesis exited %s; %d answers were 5xx; '
                'operations never answered 2xx: %s; the end of its '
                'output:\n%s' % (
                    summary, result.returncode, len(server_errors),
                    unreached or 'none', output[-20000:]))

    @staticmethod
    def operations_without_success(doc, entries):
        """The operations that no generated request got a 2xx from: the
        requests did not reach their work."""
        patterns = {}
        for path, item in doc['paths'].items():
            regex = re.compile('^%s$' % re.sub(r'\\{[^}]+\\}', '[^/]+',
                                               re.escape(path)))
            for method in item:
                patterns[(method.upper(), path)] = regex
        reached = set()
        for entry in entries:
            if not (200 <= entry['response']['status'] < 300 or
                    _refused_as_busy(entry)):
                continue
            url = urllib.parse.urlsplit(entry['request']['url']).path
            for (method, path), regex in patterns.items():
                if method == entry['request']['method'] and regex.match(
                        urllib.parse.unquote(url)):
                    reached.add((method, path))
        return sorted('%s %s' % key for key in set(patterns) - reached)

    def test_handmade_and_generated_requests(self):
        ids = self.make_objects()
        self.one_view_of_providers(ids)
        self.handmade(ids)
        self.generated(ids)


def _refused_as_busy(entry):
    """A DELETE of a checkpoint refused because an operation on it was
    running (409 "is being verified/restored"): the request reached the
    deletion's state check, its work. The generated verifications and
    restores of the one checkpoint may keep it busy through every
    generated DELETE of it on a loaded machine."""
    if (entry['request']['method'] != 'DELETE' or
            entry['response']['status'] != 409):
        return False
    body = entry['response'].get('content') or {}
    text = body.get('text') or ''
    if body.get('encoding') == 'base64':
        text = base64.b64decode(text).decode('utf-8', 'replace')
    return ' is being verified ' in text or ' is being restored ' in text


class GeneratedRequestsMySQL(_GeneratedRequests, base.BaseTestCase):
    backend = ft_fixtures.MYSQL


class GeneratedRequestsPostgreSQL(_GeneratedRequests, base.BaseTestCase):
    backend = ft_fixtures.POSTGRESQL
