"""/v1/{project_id}/restores, with a real protection service: the files
come back."""

import json
import logging
import os

import fixtures
from oslo_utils import uuidutils
import sqlalchemy

from karbor.common import rpc
from karbor.db import api as db_api
from karbor.services.protection import rpcapi
from karbor.tests.unit.api_v1 import base

RESTORE_KEYS = {'id', 'project_id', 'provider_id', 'checkpoint_id',
                'restore_target', 'parameters', 'status', 'status_reason',
                'resources_status', 'resources_reason', 'progress',
                'restored_to', 'not_restored', 'checkpoint_verification',
                'created_at', 'updated_at'}

SECRET = 's3cr3t-never-shown'
AUTH = {'type': 'password', 'username': 'restorer', 'password': SECRET}


def tree(root):
    """{relative path: bytes, or None for a directory} below ``root``."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        for name in dirnames:
            found[os.path.normpath(os.path.join(rel, name))] = None
        for name in filenames:
            with open(os.path.join(dirpath, name), 'rb') as f:
                found[os.path.normpath(os.path.join(rel, name))] = f.read()
    return found


class RestoreTestCase(base.ProtectionApiTestCase):
    """A plan of ``docs`` and an available checkpoint of it."""

    start_service = True

    def setUp(self):
        super().setUp()
        self.plan = self.create_plan('docs plan')
        self.docs = self.plan['resources'][0]
        self.checkpoint = self.create_checkpoint(self.plan['id'])
        self.original = tree(self.path('docs'))

    def restore_body(self, checkpoint_id=None, **extra):
        body = {'provider_id': base.LOCAL_PROVIDER_ID,
                'checkpoint_id': checkpoint_id or self.checkpoint['id'],
                'restore_target': None, 'restore_auth': None,
                'parameters': {}}
        body.update(extra)
        return {'restore': body}

    def create(self, status=202, token=base.ADMIN, project=None, **extra):
        return self.post('restores', self.restore_body(**extra), token=token,
                         project=project, status=status)

    def show(self, restore_id, token=base.ADMIN):
        return self.get('restores/%s' % restore_id,
                        token=token).json['restore']

    def wait_restore(self, restore_id, status='success'):
        return self.wait_for(lambda: self.show(restore_id),
                             lambda r: r['status'] != 'in_progress', status)

    def key(self, resource):
        return '%s#%s' % (base.DIRECTORY, resource['id'])


class RestoreApiTest(RestoreTestCase):

    def test_restore_next_to_the_original(self):
        resp = self.create()
        self.assertEqual('application/json', resp.content_type)
        created = resp.json['restore']
        self.assertEqual(RESTORE_KEYS, set(created))
        self.assertEqual('in_progress', created['status'])
        self.assertEqual(self.checkpoint['id'], created['checkpoint_id'])
        self.assertEqual(base.LOCAL_PROVIDER_ID, created['provider_id'])
        self.assertEqual('p1', created['project_id'])
        self.assertEqual({}, created['resources_status'])

        done = self.wait_restore(created['id'])
        self.assertEqual({self.key(self.docs): 'available'},
                         done['resources_status'])
        self.assertIsNone(done['status_reason'])
        target = '%s.restored-%s' % (self.path('docs'), created['id'][-8:])
        self.assertTrue(os.path.isdir(target))
        # Where the files went, by name, and how many.
        self.assertEqual({self.key(self.docs): 'docs.restored-%s' %
                          created['id'][-8:]}, done['restored_to'])
        self.assertEqual({'count': 0, 'first': []}, done['not_restored'])
        files = len([f for f in base.FILES if f.startswith('docs/')])
        self.assertEqual(
            {'files_total': files, 'files_done': files,
             'bytes_total': sum(len(v) for k, v in base.FILES.items()
                                if k.startswith('docs/')),
             'bytes_done': sum(len(v) for k, v in base.FILES.items()
                               if k.startswith('docs/'))},
            done['progress'])
        self.assertEqual(self.original, tree(target))
        self.assertEqual(self.original, tree(self.path('docs')))
        # No partial directory is left behind.
        self.assertEqual(
            sorted(['docs', 'photos', os.path.basename(target)]),
            sorted(os.listdir(self.root)))

    def test_restore_auth_is_refused(self):
        # What python-karborclient sends with --restore_target
        # URL --restore_username U --restore_password P.
        for auth in (AUTH, {'type': 'password', 'password': SECRET},
                     dict(AUTH, password=SECRET * 100), 'x'):
            resp = self.create(status=400, restore_auth=auth,
                               restore_target='http://other.example/')
            message = self.assertFault(resp, 400, 'badRequest')
            self.assertIn('restore_auth is not accepted', message)
            self.assertIn('--restore_password', message)
            self.assertNotIn(SECRET, resp.text)
        self.assertEqual([], self.get('restores').json['restores'])
        # null (the client without --restore_target) and {} are fine.
        for auth in (None, {}):
            restore = self.create(restore_auth=auth).json['restore']
            self.wait_restore(restore['id'])

    def test_target_path_inside_the_root(self):
        os.makedirs(self.path('restored'))
        restore = self.create(parameters={
            base.DIRECTORY: {'target_path': 'restored/here'}}).json['restore']
        self.assertEqual({base.DIRECTORY: {'target_path': 'restored/here'}},
                         restore['parameters'])
        done = self.wait_restore(restore['id'])
        self.assertEqual(self.original, tree(self.path('restored/here')))
        self.assertNotIn(self.root, str(done))

    def test_target_path_per_resource(self):
        restore = self.create(parameters={
            self.key(self.docs): {'target_path': 'just-docs'}}).json[
            'restore']
        self.wait_restore(restore['id'])
        self.assertEqual(self.original, tree(self.path('just-docs')))

    def test_absolute_target_path_below_the_root(self):
        # Single-user set-ups may still name the host path.
        target = self.path('absolute')
        restore = self.create(parameters={
            base.DIRECTORY: {'target_path': target}}).json['restore']
        self.wait_restore(restore['id'])
        self.assertEqual(self.original, tree(target))

    def test_target_path_into_an_empty_directory(self):
        os.mkdir(self.path('empty'))
        restore = self.create(parameters={
            base.DIRECTORY: {'target_path': 'empty'}}).json['restore']
        self.wait_restore(restore['id'])
        self.assertEqual(self.original, tree(self.path('empty')))

    def test_target_path_outside_the_root(self):
        os.symlink(self.state_path, self.path('escape'))
        os.symlink(self.path('photos'), self.path('photos-link'))
        other_root = self.project_root(base.OTHER_PROJECT)
        for target in (os.path.join(self.state_path, 'outside'), '/tmp/x',
                       self.path('../outside'), '../outside', 'escape/x',
                       'photos-link/x', self.root, '.', 'missing/x',
                       '../%s/new' % base.OTHER_PROJECT,
                       os.path.join(other_root, 'new')):
            resp = self.create(status=400, parameters={
                base.DIRECTORY: {'target_path': target}})
            message = self.assertFault(resp, 400, 'badRequest')
            self.assertIn('restore target', message)
            for host_path in (self.root, self.state_path):
                self.assertNotIn(host_path, message.replace(target, ''))
        self.assertFalse(os.path.exists(
            os.path.join(self.state_path, 'outside')))
        self.assertFalse(os.path.exists(os.path.join(other_root, 'new')))
        self.assertEqual([], self.get('restores').json['restores'])

    def test_target_path_not_empty(self):
        message = self.assertFault(
            self.create(status=400, parameters={
                base.DIRECTORY: {'target_path': 'photos'}}),
            400, 'badRequest')
        self.assertIn('restore target photos exists and is not empty',
                      message)
        self.assertNotIn(self.root, message)

    def test_parameters_not_fitting_restore_schema(self):
        for parameters, word in (
                ({base.DIRECTORY: {'target': 'x'}}, 'target'),
                ({base.DIRECTORY: {'target_path': ''}}, 'target_path'),
                ({'OS::Nova::Server': {}}, 'OS::Nova::Server')):
            message = self.assertFault(
                self.create(status=400, parameters=parameters), 400,
                'badRequest')
            self.assertIn(word, message)

    def test_bad_bodies(self):
        for body, word in (
                ({'restore': {'provider_id': base.LOCAL_PROVIDER_ID}},
                 'checkpoint_id'),
                (self.restore_body(checkpoint_id='cp'), 'uuid'),
                (self.restore_body(colour='red'), 'colour'),
                (self.restore_body(restore_auth={'type': 'token'}),
                 'restore_auth')):
            message = self.assertFault(
                self.post('restores', body, status=400), 400, 'badRequest')
            self.assertIn(word, message)

    def test_unknown_checkpoint(self):
        unknown = uuidutils.generate_uuid()
        message = self.assertFault(
            self.create(status=404, checkpoint_id=unknown), 404,
            'itemNotFound')
        self.assertIn(unknown, message)

    def test_unknown_provider(self):
        unknown = uuidutils.generate_uuid()
        message = self.assertFault(
            self.create(status=404, provider_id=unknown), 404,
            'itemNotFound')
        self.assertIn(unknown, message)
        # The checkpoint is not one of the second provider's.
        self.assertFault(
            self.create(status=404, provider_id=base.SECOND_PROVIDER_ID),
            404, 'itemNotFound')

    def test_checkpoint_of_another_project(self):
        message = self.assertFault(
            self.create(status=404, token=base.OTHER,
                        project=base.OTHER_PROJECT),
            404, 'itemNotFound')
        self.assertIn(self.checkpoint['id'], message)
        self.assertEqual([], self.get('restores' + self.query(
            all_tenants=1)).json['restores'])

    def test_checkpoint_not_available(self):
        self.put(self.checkpoints_path(rest='/' + self.checkpoint['id']),
                 {'os-resetState': {'state': 'error'}}, status=202)
        message = self.assertFault(self.create(status=409), 409,
                                   'conflictingRequest')
        self.assertIn(self.checkpoint['id'], message)
        self.assertIn('error', message)
        self.assertIn('available', message)

    def test_deleted_checkpoint(self):
        path = self.checkpoints_path(rest='/' + self.checkpoint['id'])
        self.delete(path, status=202)
        self.wait_gone(lambda: self.get(path, status=None))
        self.assertFault(self.create(status=404), 404, 'itemNotFound')

    def test_list_and_show(self):
        first = self.create().json['restore']
        self.wait_restore(first['id'])
        second = self.create(token=base.MEMBER).json['restore']
        second = self.wait_restore(second['id'])
        body = self.get('restores').json
        self.assertEqual({'restores', 'restores_links'}, set(body))
        self.assertEqual([second['id'], first['id']],
                         [r['id'] for r in body['restores']])
        for restore in body['restores']:
            self.assertEqual(RESTORE_KEYS, set(restore))
        self.assertEqual(second, body['restores'][0])
        self.assertEqual({'restore': second},
                         self.get('restores/%s' % second['id'],
                                  token=base.MEMBER).json)
        self.assertEqual([first['id']], [r['id'] for r in self.get(
            'restores' + self.query(sort='created_at:asc',
                                    limit=1)).json['restores']])
        self.assertEqual(2, len(self.get('restores' + self.query(
            status='success', checkpoint_id=self.checkpoint['id'])).json[
                'restores']))
        self.assertEqual([], self.get('restores' + self.query(
            status='fail')).json['restores'])
        page = self.get('restores' + self.query(limit=1)).json
        self.assertIn('marker=%s' % second['id'],
                      page['restores_links'][0]['href'])

    def test_show_unknown_and_other_project(self):
        restore = self.create().json['restore']
        self.wait_restore(restore['id'])
        for unknown in (uuidutils.generate_uuid(), 'nope'):
            message = self.assertFault(
                self.get('restores/%s' % unknown, status=404), 404,
                'itemNotFound')
            self.assertIn(unknown, message)
        self.assertFault(
            self.get('restores/%s' % restore['id'], token=base.OTHER,
                     project=base.OTHER_PROJECT, status=404),
            404, 'itemNotFound')
        self.assertEqual([], self.get('restores', token=base.OTHER,
                                      project=base.OTHER_PROJECT).json[
            'restores'])

    def test_restore_into_a_used_target(self):
        target = self.path('once')
        restore = self.create(parameters={
            base.DIRECTORY: {'target_path': target}}).json['restore']
        self.wait_restore(restore['id'])
        message = self.assertFault(self.create(status=400, parameters={
            base.DIRECTORY: {'target_path': target}}), 400, 'badRequest')
        self.assertIn('not empty', message)
        self.assertEqual(self.original, tree(target))

    def test_target_taken_after_acceptance(self):
        # The target is free when the API checks it and taken when the
        # protection service runs: the restore fails, overwriting nothing.
        target = self.path('late')
        cast = rpcapi.ProtectionAPI.restore

        def take_then_cast(api, *args, **kwargs):
            os.mkdir(target)
            with open(os.path.join(target, 'mine'), 'wb') as f:
                f.write(b'keep me')
            return cast(api, *args, **kwargs)

        self.useFixture(fixtures.MockPatchObject(
            rpcapi.ProtectionAPI, 'restore', take_then_cast))
        restore = self.create(parameters={
            base.DIRECTORY: {'target_path': target}}).json['restore']
        done = self.wait_restore(restore['id'], status='fail')
        self.assertIn('not empty', done['status_reason'])
        self.assertEqual('error', done['resources_status'][
            self.key(self.docs)])
        self.assertIn('not empty', done['resources_reason'][
            self.key(self.docs)])
        self.assertEqual({'mine': b'keep me'}, tree(target))
        # The log ends right after the restore.
        [log] = self.wait_for(
            lambda: self.get('operation_logs' + self.query(
                operation_type='restore')).json['operation_logs'],
            lambda logs: logs[0]['status'] != 'in_progress')
        self.assertEqual(('error', restore['id']),
                         (log['status'], log['restore_id']))
        self.assertIn('not empty', log['error_info'])

    def test_checkpoint_being_restored_cannot_be_deleted(self):
        # The restore stays in_progress: its cast goes nowhere.
        self.useFixture(fixtures.MockPatchObject(rpcapi.ProtectionAPI,
                                                 'restore'))
        restore = self.create().json['restore']
        path = self.checkpoints_path(rest='/' + self.checkpoint['id'])
        message = self.assertFault(self.delete(path, status=409), 409,
                                   'conflictingRequest')
        self.assertIn(self.checkpoint['id'], message)
        self.assertIn('restore', message)
        self.assertEqual('available', self.get(path).json['checkpoint'][
            'status'])
        self.assertEqual('in_progress', self.show(restore['id'])['status'])


class RestoreOfAVerifiedCheckpointTest(RestoreTestCase):
    """The latest verification of the checkpoint gates its restore. The
    verifications are rows written straight into the database (what a
    verification leaves when it ends): the verification flow itself has
    its own tests, and the e2e test damages a real bank."""

    def verification(self, status, resources_status=None,
                     resources_reason=None, minutes_ago=0):
        from oslo_utils import timeutils
        import datetime
        from karbor.db import verifications as verifications_db
        when = timeutils.utcnow() - datetime.timedelta(minutes=minutes_ago)
        return verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'status': status,
            'parameters': {base.DIRECTORY: {'level': 'deep'}},
            'resources_status': resources_status or {},
            'resources_reason': resources_reason or {},
            'created_at': when, 'started_at': when, 'ended_at': when})

    def test_never_verified_is_recorded(self):
        created = self.create().json['restore']
        self.assertEqual(
            {'id': None, 'level': None, 'status': None, 'ended_at': None,
             'summary': 'never verified', 'failure_ignored': False},
            created['checkpoint_verification'])
        done = self.wait_restore(created['id'])
        self.assertEqual(created['checkpoint_verification'],
                         done['checkpoint_verification'])
        [listed] = self.get('restores').json['restores']
        self.assertEqual('never verified',
                         listed['checkpoint_verification']['summary'])

    def test_failed_verification_refuses_the_restore(self):
        key = self.key(self.docs)
        reason = ('object checkpoints/%s/resource-data/%s/data/00000001: '
                  'SHA-256 mismatch' % (self.checkpoint['id'], key))
        failed = self.verification('error', {key: 'error'}, {key: reason})
        resp = self.create(status=409)
        self.assertEqual('application/json', resp.content_type)
        fault = resp.json['conflictingRequest']
        self.assertEqual(409, fault['code'])
        message = fault['message']
        # Which verification, which resource by name, why, and how to
        # restore anyway.
        self.assertIn(failed.id, message)
        self.assertIn('docs (%s): %s' % (key, reason), message)
        self.assertIn('ignore_failed_verification', message)
        self.assertIn('--parameters-json', message)
        self.assertNotIn(self.root, message)
        # Nothing was restored, no restore recorded.
        self.assertEqual([], self.get('restores').json['restores'])
        self.assertEqual(sorted(['docs', 'photos']),
                         sorted(os.listdir(self.root)))

    def test_failed_verification_overridden(self):
        key = self.key(self.docs)
        failed = self.verification('error', {key: 'error'}, {key: 'bad'})
        created = self.create(parameters={
            'ignore_failed_verification': True}).json['restore']
        record = created['checkpoint_verification']
        self.assertEqual(failed.id, record['id'])
        self.assertEqual('error', record['status'])
        self.assertEqual('deep', record['level'])
        self.assertTrue(record['failure_ignored'])
        self.assertTrue(record['summary'].startswith('error (deep'))
        # The override is not a plugin parameter.
        self.assertEqual({}, created['parameters'])
        self.wait_restore(created['id'])

    def test_only_the_latest_verification_counts(self):
        key = self.key(self.docs)
        self.verification('error', {key: 'error'}, {key: 'bad'},
                          minutes_ago=5)
        good = self.verification('success', {key: 'success'})
        created = self.create().json['restore']
        self.assertEqual(good.id, created['checkpoint_verification']['id'])
        self.assertEqual('success',
                         created['checkpoint_verification']['status'])
        self.assertFalse(created['checkpoint_verification'][
            'failure_ignored'])
        self.wait_restore(created['id'])

    def test_override_must_be_a_boolean(self):
        self.verification('error')
        for value in ('true', 1, {'x': 1}, None):
            resp = self.create(status=400, parameters={
                'ignore_failed_verification': value})
            self.assertIn('badRequest', resp.json)


class RestoreResetStateTest(RestoreTestCase):
    """PUT /restores/{id} {"os-resetState": {"state": ...}}: cloud
    administrators only."""

    def reset(self, restore_id, state, status=202, token=base.ADMIN,
              project=None):
        return self.put('restores/%s' % restore_id,
                        {'os-resetState': {'state': state}}, status=status,
                        token=token, project=project)

    def log_of(self, restore_id):
        [log] = self.get('operation_logs' + self.query(
            restore_id=restore_id)).json['operation_logs']
        return log

    def test_reset_a_restore_left_running(self):
        """The cast is mocked away, so the restore stays in_progress as if
        its worker had been lost; a late delivery of the cast afterwards
        runs nothing."""
        self.useFixture(fixtures.MockPatchObject(rpcapi.ProtectionAPI,
                                                 'restore'))
        restore = self.create().json['restore']
        from karbor.db import restores as restores_db
        self.assertTrue(restores_db.restore_set_resource_statuses(
            restore['id'], {self.key(self.docs): ('restoring', '')}))
        self.assertEqual('', self.reset(restore['id'], 'fail').text)
        shown = self.show(restore['id'])
        self.assertEqual('fail', shown['status'])
        self.assertIn('state reset to fail by', shown['status_reason'])
        self.assertEqual({self.key(self.docs): 'error'},
                         shown['resources_status'])
        log = self.log_of(restore['id'])
        self.assertEqual('error', log['status'])
        self.assertIn('state reset', log['error_info'])
        # The checkpoint is free again.
        path = self.checkpoints_path(rest='/' + self.checkpoint['id'])
        self.delete(path, status=202)
        from karbor.common import context as karbor_context
        self.service.manager.restore(
            karbor_context.RequestContext(project_id='p1', user_id='u'),
            restore['id'], log['id'])
        self.assertEqual(shown, self.show(restore['id']))

    def test_reset_an_ended_restore(self):
        restore = self.create().json['restore']
        self.wait_restore(restore['id'])
        self.reset(restore['id'], 'fail')
        self.assertEqual('fail', self.show(restore['id'])['status'])
        self.assertEqual('success', self.log_of(restore['id'])['status'])
        self.reset(restore['id'], 'success')
        self.assertEqual('success', self.show(restore['id'])['status'])

    def test_only_cloud_administrators(self):
        restore = self.create().json['restore']
        self.wait_restore(restore['id'])
        for token, project in ((base.MEMBER, None),
                               (base.OTHER, base.OTHER_PROJECT)):
            message = self.assertFault(
                self.reset(restore['id'], 'fail', status=403, token=token,
                           project=project), 403, 'forbidden')
            self.assertIn('karbor:restore:reset_state', message)
        self.assertEqual('success', self.show(restore['id'])['status'])

    def test_bad_states_and_bodies(self):
        restore = self.create().json['restore']
        self.wait_restore(restore['id'])
        for body, word in (({'os-resetState': {'state': 'in_progress'}},
                            'in_progress'),
                           ({'os-resetState': {'state': 'error'}},
                            'error'),
                           ({'os-resetState': {}}, 'state'),
                           ({'os-resetState': {'state': 'fail',
                                               'x': 1}}, 'x')):
            message = self.assertFault(
                self.put('restores/%s' % restore['id'], body, status=400),
                400, 'badRequest')
            self.assertIn(word, message)
        self.assertEqual('success', self.show(restore['id'])['status'])

    def test_unknown_restore(self):
        for unknown in (uuidutils.generate_uuid(), 'nope'):
            self.assertFault(self.reset(unknown, 'fail', status=404), 404,
                             'itemNotFound')


class RestoreCredentialsTest(base.ProtectionApiTestCase):
    """A password sent with a restore reaches no RPC message, no database
    row, no log line, no bank object and no file of the state directory.
    The RPC driver's send is spied on (wrapped, still sending)."""

    start_service = True

    def setUp(self):
        super().setUp()
        self.logs = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        self.sent = []
        driver = rpc.init()._driver
        real_send = driver.send

        def spy(target, ctxt, message, *args, **kwargs):
            self.sent.append(json.dumps([ctxt, message], default=str))
            return real_send(target, ctxt, message, *args, **kwargs)
        self.useFixture(fixtures.MonkeyPatch(
            'oslo_messaging._drivers.impl_fake.FakeDriver.send',
            lambda _self, *args, **kwargs: spy(*args, **kwargs)))
        self.plan = self.create_plan()
        self.checkpoint = self.create_checkpoint(self.plan['id'])

    def test_password_goes_nowhere(self):
        body = {'restore': {'provider_id': base.LOCAL_PROVIDER_ID,
                            'checkpoint_id': self.checkpoint['id'],
                            'restore_target': 'http://keystone.example/v3',
                            'restore_auth': AUTH, 'parameters': {}}}
        message = self.assertFault(self.post('restores', body, status=400),
                                   400, 'badRequest')
        self.assertIn('restore_auth', message)
        # What the client sends without --restore_target still restores.
        body['restore'].update(restore_auth=None, restore_target=None)
        restore = self.post('restores', body, status=202).json['restore']
        self.wait_for(
            lambda: self.get('restores/' + restore['id']).json['restore'],
            lambda r: r['status'] != 'in_progress', 'success')

        self.assertTrue(any('restore' in m for m in self.sent), self.sent)
        for text in self.sent:
            self.assertNotIn(SECRET, text)
            self.assertNotIn('restorer', text)
        self.assertIn('Restore %s' % restore['id'], self.logs.output)
        self.assertNotIn(SECRET, self.logs.output)
        engine = db_api.get_engine()
        with engine.connect() as connection:
            for table in sqlalchemy.inspect(engine).get_table_names():
                rows = connection.execute(sqlalchemy.text(
                    'SELECT * FROM %s' % table)).fetchall()
                self.assertNotIn(SECRET, repr(rows), table)
        files = 0
        for directory, _, names in os.walk(self.state_path):
            for name in names:
                with open(os.path.join(directory, name), 'rb') as f:
                    self.assertNotIn(SECRET.encode(), f.read())
                files += 1
        self.assertGreater(files, 5)  # the bank is in there
