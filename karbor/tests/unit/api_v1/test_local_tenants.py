"""Two tenants over the built-in local provider (one root per project):
a member of B never lists, shows, plans, restores into or learns the name
of A's directories, and nothing B is shown names a host path."""

import os

from oslo_utils import uuidutils

from karbor.services.protection import local_roots
from karbor.tests.unit.api_v1 import base

A, B = 'tenant-a', 'tenant-b'
ALICE, BOB = 'alice:%s' % A, 'bob:%s' % B

A_FILES = {'secret-plans/q1.txt': b'merger\n',
           'secret-plans/deeper/notes': b'do not tell\n',
           'family/photo.jpg': b'\xff\xd8' * 100}
B_FILES = {'b-docs/readme': b'bob\n', 'b-docs/sub/x': b'x' * 10}


def files_below(root):
    return sorted(os.path.relpath(os.path.join(d, name), root)
                  for d, dirs, files in os.walk(root)
                  for name in dirs + files)


class LocalTenantsTest(base.ProtectionApiTestCase):

    start_service = True

    def setUp(self):
        super().setUp()
        self.root_a = self.project_root(A)
        self.root_b = self.project_root(B)
        base.write_tree(self.root_a, A_FILES)
        base.write_tree(self.root_b, B_FILES)
        # Everything B is shown, to be searched at the end.
        self.seen_by_b = []
        # What A has, and how it is protected.
        self.a_docs = self.directory('secret-plans', token=ALICE, project=A)
        self.a_deeper = self.directory('secret-plans/deeper', token=ALICE,
                                       project=A)
        self.a_plan = self.create_plan('a', dirs=('secret-plans',),
                                       token=ALICE, project=A)
        self.a_checkpoint = self.create_checkpoint(
            self.a_plan['id'], token=ALICE, project=A)

    def as_b(self, method, path, body=None, status=None):
        resp = self.request(method, self.url(path, B), token=BOB, body=body,
                            status=status)
        self.seen_by_b.append(resp.text)
        return resp

    def instances(self, query='', status=200):
        return self.as_b('GET', 'protectables/%s/instances%s' % (
            base.DIRECTORY, query), status=status)

    def assertNoLeak(self):
        """Nothing B was shown names A's directories or a host path."""
        text = '\n'.join(self.seen_by_b)
        for secret in ('secret-plans', 'family', 'deeper', A,
                       self.state_path, os.path.realpath(self.state_path),
                       self.root_a, self.root_b, '/tmp'):
            self.assertNotIn(secret, text)

    def test_b_sees_only_its_own(self):
        body = self.instances().json
        self.assertEqual(['b-docs'], [i['name'] for i in body['instances']])
        self.assertEqual(['b-docs/sub'], [
            i['extra_info']['path'] for i in self.instances(self.query(
                parameters=str({'path': 'b-docs'}))).json['instances']])
        # A's names, relative or absolute, and ways out of B's root.
        os.symlink(self.root_a, os.path.join(self.root_b, 'to-a'))
        for parent in ('secret-plans', '../%s/secret-plans' % A, '..',
                       'to-a', 'to-a/secret-plans'):
            message = self.assertFault(self.instances(self.query(
                parameters=str({'path': parent})), status=400), 400,
                'badRequest')
            self.assertNotIn(self.root_b, message)
            self.seen_by_b[-1] = self.seen_by_b[-1].replace(parent, '')
        # The link is not one of B's directories.
        self.assertEqual(['b-docs'], [
            i['name'] for i in self.instances().json['instances']])
        self.assertNoLeak()

    def test_a_directory_of_a_answers_like_a_random_id(self):
        unknown = uuidutils.generate_uuid()
        for theirs in (self.a_docs['id'], self.a_deeper['id']):
            show = self.instances('/' + theirs, status=404)
            random = self.instances('/' + unknown, status=404)
            self.assertEqual(random.json['itemNotFound']['message'].replace(
                unknown, 'X'), show.json['itemNotFound']['message'].replace(
                theirs, 'X'))
            for resource_id in (theirs, unknown):
                body = {'plan': {
                    'name': 'steal', 'provider_id': base.LOCAL_PROVIDER_ID,
                    'resources': [{'id': resource_id,
                                   'type': base.DIRECTORY,
                                   'name': 'secret-plans',
                                   'extra_info': {'path': 'secret-plans'}}]}}
                resp = self.as_b('POST', 'plans', body, status=404)
                self.assertFault(resp, 404, 'itemNotFound')
        self.assertEqual([], self.as_b('GET', 'plans').json['plans'])
        self.assertNoLeak()

    def test_b_cannot_restore_a_or_into_a(self):
        # A's checkpoint is not B's.
        self.as_b('POST', 'restores', {'restore': {
            'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.a_checkpoint['id']}}, status=404)
        # B's own checkpoint, restored towards A's root.
        b_docs = self.directory('b-docs', token=BOB, project=B)
        self.seen_by_b.append(str(b_docs))
        body = {'plan': {
            'name': 'b', 'provider_id': base.LOCAL_PROVIDER_ID,
            'resources': [{'id': b_docs['id'], 'type': base.DIRECTORY,
                           'name': b_docs['name']}]}}
        plan = self.as_b('POST', 'plans', body, status=200).json['plan']
        checkpoint = self.create_checkpoint(plan['id'], token=BOB,
                                            project=B)
        self.seen_by_b.append(str(checkpoint))
        os.symlink(os.path.join(self.root_a, 'family'),
                   os.path.join(self.root_b, 'to-a'))
        before = files_below(self.root_a)
        for target in ('../%s/stolen' % A, 'to-a/stolen', 'to-a',
                       os.path.join(self.root_a, 'stolen')):
            resp = self.as_b('POST', 'restores', {'restore': {
                'provider_id': base.LOCAL_PROVIDER_ID,
                'checkpoint_id': checkpoint['id'],
                'parameters': {base.DIRECTORY: {'target_path': target}}}},
                status=400)
            self.assertFault(resp, 400, 'badRequest')
            # The caller's own words may come back, nothing else.
            self.seen_by_b[-1] = self.seen_by_b[-1].replace(target, '')
        self.assertEqual(before, files_below(self.root_a))
        # Into its own root it works, and says so by name.
        resp = self.as_b('POST', 'restores', {'restore': {
            'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': checkpoint['id'],
            'parameters': {base.DIRECTORY: {'target_path': 'back'}}}},
            status=202)
        restore_id = resp.json['restore']['id']
        self.wait_for(lambda: self.as_b('GET', 'restores/' + restore_id)
                      .json['restore'], lambda r: r['status'] !=
                      'in_progress', 'success')
        self.assertTrue(os.path.isfile(os.path.join(self.root_b, 'back',
                                                    'readme')))
        self.as_b('GET', 'operation_logs')
        self.as_b('GET', 'plans/' + plan['id'])
        self.as_b('GET', self.checkpoints_path(rest='/' + checkpoint['id']))
        self.assertNoLeak()

    def test_failures_b_sees_name_no_host_path(self):
        os.makedirs(os.path.join(self.root_b, 'going'))
        going = self.directory('going', token=BOB, project=B)
        plan = self.as_b('POST', 'plans', {'plan': {
            'name': 'gone', 'provider_id': base.LOCAL_PROVIDER_ID,
            'resources': [{'id': going['id'], 'type': base.DIRECTORY,
                           'name': 'going'}]}}, status=200).json['plan']
        os.rmdir(os.path.join(self.root_b, 'going'))
        resp = self.as_b('POST', self.checkpoints_path(),
                         {'checkpoint': {'plan_id': plan['id']}},
                         status=202)
        checkpoint = self.wait_for(
            lambda: self.as_b('GET', self.checkpoints_path(
                rest='/' + resp.json['checkpoint']['id'])).json['checkpoint'],
            lambda c: c['status'] != 'protecting', 'error')
        self.assertIn(going['id'], checkpoint['status_reason'])
        logs = self.as_b('GET', 'operation_logs').json['operation_logs']
        self.assertEqual(['error'], [log['status'] for log in logs])
        self.assertNoLeak()

    def test_an_id_computed_from_a_path_of_a(self):
        # Ids are one-way: knowing A's path, B computes the id in vain.
        forged = local_roots.directory_id(os.path.join(self.root_a,
                                                       'family'))
        self.instances('/' + forged, status=404)
        self.assertNoLeak()
