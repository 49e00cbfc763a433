"""The request and response samples of the API reference, taken from a
run of every documented operation against the real app (local provider,
protection service in the process).

The checked-in samples (``doc/source/api-ref/samples``) must cover every
operation of the OpenAPI document and fit its current schemas. After an
API change, write them again from this test::

    tox -e api-samples
    # or: KARBOR_API_SAMPLES=write tools/run_tests.sh \\
    #         karbor.tests.unit.api.test_api_samples
"""

import json
import os

from karbor.api import openapi
from karbor.api import validation
from karbor.tests.unit.api import test_openapi
from karbor.tests.unit.api_v1 import base

SAMPLES = os.path.join(test_openapi.REPO, 'doc', 'source', 'api-ref',
                       'samples')
WRITE = os.environ.get('KARBOR_API_SAMPLES') == 'write'
REGENERATE = 'tox -e api-samples'


def sample_name(operation_id, kind):
    return '%s-%s.json' % (operation_id.replace(':', '-').replace('/', '-'),
                           kind)


class ApiSamplesTest(base.ProtectionApiTestCase):

    start_service = True

    def setUp(self):
        super().setUp()
        self.doc = test_openapi.default_document()
        self.operations = {}
        for path, item in self.doc['paths'].items():
            for method, op in item.items():
                self.operations[(method, path)] = op
        self.taken = {}

    def take(self, method, path, url, body=None, status=None):
        """Send the request; keep it and its answer as the samples of the
        operation ``method path``."""
        op = self.operations[(method, path)]
        resp = self.request(method.upper(), url, body=body, status=status)
        self.taken[op['operationId']] = (body, resp.json if resp.text
                                         else None, resp.status_int)
        return resp.json if resp.text else None

    def readable(self, doc):
        """The sample with this run's temporary directory made a
        plausible one."""
        text = json.dumps(doc, indent=4, sort_keys=True)
        return text.replace(self.state_path, '/var/lib/karbor') + '\n'

    def run_every_operation(self):
        p = '/v1/%s' % self.project
        prov = base.LOCAL_PROVIDER_ID
        self.take('get', '/', '/')
        self.take('get', '/v1/', '/v1/')
        self.take('get', '/v1/{project_id}/providers', p + '/providers')
        self.take('get', '/v1/{project_id}/providers/{provider_id}',
                  '%s/providers/%s' % (p, prov))
        self.take('get', '/v1/{project_id}/protectables',
                  p + '/protectables')
        self.take('get', '/v1/{project_id}/protectables/{protectable_type}',
                  '%s/protectables/%s' % (p, base.DIRECTORY))
        instances = self.take(
            'get', '/v1/{project_id}/protectables/{protectable_type}/'
            'instances', '%s/protectables/%s/instances' % (
                p, base.DIRECTORY))['instances']
        docs = [i for i in instances if i['name'] == 'docs'][0]
        self.take('get', '/v1/{project_id}/protectables/{protectable_type}/'
                  'instances/{resource_id}',
                  '%s/protectables/%s/instances/%s' % (
                      p, base.DIRECTORY, docs['id']))
        plan = self.take('post', '/v1/{project_id}/plans', p + '/plans',
                         body=self.plan_body('documents',
                                             description='Team documents'))
        plan = plan['plan']
        self.take('get', '/v1/{project_id}/plans', p + '/plans')
        self.take('get', '/v1/{project_id}/plans/{plan_id}',
                  '%s/plans/%s' % (p, plan['id']))
        self.take('put', '/v1/{project_id}/plans/{plan_id}',
                  '%s/plans/%s' % (p, plan['id']),
                  body={'plan': {'name': 'documents (weekly)'}})
        checkpoints = '%s/providers/%s/checkpoints' % (p, prov)
        item = '/v1/{project_id}/providers/{provider_id}/checkpoints'
        made = self.take('post', item, checkpoints, body={'checkpoint': {
            'plan_id': plan['id'], 'extra-info': {'ticket': 'OPS-1234'}}})
        checkpoint = self.wait_checkpoint(made['checkpoint']['id'])
        self.take('get', item, checkpoints)
        self.take('get', item + '/{checkpoint_id}',
                  '%s/%s' % (checkpoints, checkpoint['id']))
        verification = self.take('post', '/v1/{project_id}/verifications',
                                 p + '/verifications', body={
                                     'verification': {
                                         'provider_id': prov,
                                         'checkpoint_id': checkpoint['id'],
                                         'parameters': {base.DIRECTORY: {
                                             'level': 'deep'}}}})
        verification_id = verification['verification']['id']
        self.wait_for(lambda: self.get('verifications/%s' % verification_id)
                      .json['verification'],
                      lambda v: v['status'] != 'verifying', 'success')
        self.take('get', '/v1/{project_id}/verifications',
                  p + '/verifications')
        self.take('get', '/v1/{project_id}/verifications/{verification_id}',
                  '%s/verifications/%s' % (p, verification_id))
        restore = self.take('post', '/v1/{project_id}/restores',
                            p + '/restores', body={'restore': {
                                'provider_id': prov,
                                'checkpoint_id': checkpoint['id']}})
        restore_id = restore['restore']['id']
        self.wait_for(lambda: self.get('restores/%s' % restore_id)
                      .json['restore'],
                      lambda r: r['status'] != 'in_progress', 'success')
        self.take('get', '/v1/{project_id}/restores', p + '/restores')
        self.take('get', '/v1/{project_id}/restores/{restore_id}',
                  '%s/restores/%s' % (p, restore_id))
        logs = self.take('get', '/v1/{project_id}/operation_logs',
                         p + '/operation_logs')['operation_logs']
        self.take('get', '/v1/{project_id}/operation_logs/'
                  '{operation_log_id}',
                  '%s/operation_logs/%s' % (p, logs[0]['id']))
        services = self.take('get', '/v1/{project_id}/os-services',
                             p + '/os-services')['services']
        self.take('get', '/v1/{project_id}/os-services/{service_id}',
                  '%s/os-services/%s' % (p, services[0]['id']))
        self.take('put', '/v1/{project_id}/os-services/{service_id}',
                  '%s/os-services/%s' % (p, services[0]['id']),
                  body={'status': 'disabled',
                        'disabled_reason': 'maintenance'})
        self.take('put', '/v1/{project_id}/verifications/{verification_id}',
                  '%s/verifications/%s' % (p, verification_id),
                  body={'os-resetState': {'state': 'error'}})
        self.take('put', '/v1/{project_id}/restores/{restore_id}',
                  '%s/restores/%s' % (p, restore_id),
                  body={'os-resetState': {'state': 'fail'}})
        self.run_scheduling_operations(p, plan)
        self.run_quota_operations(p)
        self.take('put', item + '/{checkpoint_id}',
                  '%s/%s' % (checkpoints, checkpoint['id']),
                  body={'os-resetState': {'state': 'error'}})
        self.take('delete', item + '/{checkpoint_id}',
                  '%s/%s' % (checkpoints, checkpoint['id']))
        self.take('delete', '/v1/{project_id}/plans/{plan_id}',
                  '%s/plans/%s' % (p, plan['id']))

    def run_scheduling_operations(self, p, plan):
        triggers = '/v1/{project_id}/triggers'
        trigger = self.take('post', triggers, p + '/triggers', body={
            'trigger_info': {'name': 'nightly', 'type': 'time',
                             'properties': {'format': 'crontab',
                                            'pattern': '0 2 * * *',
                                            'timezone': 'Europe/Paris',
                                            'window': 3600}}})
        trigger_id = trigger['trigger_info']['id']
        self.take('get', triggers, p + '/triggers')
        self.take('get', triggers + '/{trigger_id}',
                  '%s/triggers/%s' % (p, trigger_id))
        self.take('put', triggers + '/{trigger_id}',
                  '%s/triggers/%s' % (p, trigger_id),
                  body={'trigger_info': {'name': 'nightly at 3',
                                         'properties': {
                                             'pattern': '0 3 * * *'}}})
        operations = '/v1/{project_id}/scheduled_operations'
        made = self.take('post', operations, p + '/scheduled_operations',
                         body={'scheduled_operation': {
                             'name': 'nightly documents',
                             'operation_type': 'retention_protect',
                             'trigger_id': trigger_id,
                             'operation_definition': {
                                 'plan_id': plan['id'],
                                 'provider_id': base.LOCAL_PROVIDER_ID,
                                 'max_backups': '7'}}})
        operation_id = made['scheduled_operation']['id']
        self.take('get', operations, p + '/scheduled_operations')
        self.take('get', operations + '/{scheduled_operation_id}',
                  '%s/scheduled_operations/%s' % (p, operation_id))
        self.take('put', operations + '/{scheduled_operation_id}',
                  '%s/scheduled_operations/%s' % (p, operation_id),
                  body={'scheduled_operation': {'enabled': False}})
        self.take('delete', operations + '/{scheduled_operation_id}',
                  '%s/scheduled_operations/%s' % (p, operation_id))
        self.take('delete', triggers + '/{trigger_id}',
                  '%s/triggers/%s' % (p, trigger_id))

    def run_quota_operations(self, p):
        quota = '/v1/{project_id}/quotas/{quota_project_id}'
        url = '%s/quotas/%s' % (p, self.project)
        self.take('put', quota, url, body={'quota': {'plans': 20,
                                                     'checkpoints': 100}})
        self.take('get', quota, url)
        self.take('get', quota + '/detail', url + '/detail')
        self.take('get', quota + '/defaults', url + '/defaults')
        classes = '/v1/{project_id}/quota_classes/{quota_class_name}'
        self.take('put', classes, p + '/quota_classes/default',
                  body={'quota_class': {'plans': 50}})
        self.take('get', classes, p + '/quota_classes/default')

    def test_samples(self):
        self.run_every_operation()
        documented = {op['operationId'] for op in self.operations.values()}
        self.assertEqual(documented - {'openapi:show'}, set(self.taken),
                         'an operation has no sample')
        for (method, path), op in self.operations.items():
            if op['operationId'] not in self.taken:
                continue
            body, answer, status = self.taken[op['operationId']]
            self.assertIn(str(status), op['responses'])
            files = {'request': body, 'response': answer}
            for kind, doc in files.items():
                name = os.path.join(SAMPLES,
                                    sample_name(op['operationId'], kind))
                if doc is None:
                    continue
                if WRITE:
                    os.makedirs(SAMPLES, exist_ok=True)
                    with open(name, 'w') as f:
                        f.write(self.readable(doc))
                self.assertTrue(os.path.exists(name),
                                '%s is missing; write the samples with %s' %
                                (name, REGENERATE))
                with open(name) as f:
                    checked_in = json.load(f)
                schema = (op['requestBody']['content']['application/json'][
                    'schema'] if kind == 'request' else
                    op['responses'][str(status)]['content'][
                        'application/json']['schema'])
                try:
                    validation.validate(schema, checked_in)
                except Exception as e:
                    self.fail('%s no longer fits the schema of %s %s (%s); '
                              'write the samples again with %s' % (
                                  name, method.upper(), path, e,
                                  REGENERATE))


# The document this test's samples illustrate; imported so that a change
# of its location shows here.
_DOCUMENT = openapi.CHECKED_IN
