"""/v1/{project_id}/providers/{provider_id}/checkpoints, with a real
protection service behind the API."""

import datetime
import json
import os
import shutil
import urllib.parse

import fixtures
from oslo_utils import uuidutils

from karbor.services.protection import rpcapi
from karbor.tests.unit.api_v1 import base

CHECKPOINT_KEYS = {'id', 'project_id', 'provider_id', 'status',
                   'status_reason', 'protection_plan', 'resource_graph',
                   'extra_info', 'progress', 'not_copied', 'verification',
                   'metadata', 'created_at',
                   'updated_at'}


def day(iso, days=0):
    date = datetime.date.fromisoformat(iso[:10])
    return (date + datetime.timedelta(days=days)).isoformat()


class CheckpointApiTestCase(base.ProtectionApiTestCase):

    start_service = True

    def setUp(self):
        super().setUp()
        self.plan = self.create_plan('docs plan')

    def list(self, query='', token=base.ADMIN, project=None,
             provider_id=base.LOCAL_PROVIDER_ID):
        return self.get(self.checkpoints_path(provider_id) + query,
                        token=token, project=project).json

    def ids(self, query='', **kwargs):
        return [c['id'] for c in self.list(query, **kwargs)['checkpoints']]

    def item_path(self, checkpoint_id, provider_id=base.LOCAL_PROVIDER_ID):
        return self.checkpoints_path(provider_id, '/' + checkpoint_id)

    def hold_protect(self):
        """Casts of protect go nowhere: checkpoints stay protecting."""
        self.useFixture(fixtures.MockPatchObject(rpcapi.ProtectionAPI,
                                                 'protect'))

    def reset(self, checkpoint_id, state, status=202, **kwargs):
        return self.put(self.item_path(checkpoint_id),
                        {'os-resetState': {'state': state}}, status=status,
                        **kwargs)

    def assertGraph(self, checkpoint, resource_ids):
        """``resource_graph`` is a JSON string naming these resources."""
        self.assertIsInstance(checkpoint['resource_graph'], str)
        graph = json.loads(checkpoint['resource_graph'])
        self.assertIsInstance(graph, list)
        self.assertEqual(sorted(resource_ids),
                         sorted(r[1] for r in graph[0].values()))


class CheckpointCreateTest(CheckpointApiTestCase):

    def test_create_then_available(self):
        resp = self.post(self.checkpoints_path(),
                         {'checkpoint': {'plan_id': self.plan['id'],
                                         'extra-info': None}}, status=202)
        self.assertEqual('application/json', resp.content_type)
        created = resp.json['checkpoint']
        self.assertEqual(CHECKPOINT_KEYS, set(created))
        self.assertEqual('protecting', created['status'])
        self.assertTrue(uuidutils.is_uuid_like(created['id']))
        self.assertEqual(('p1', base.LOCAL_PROVIDER_ID),
                         (created['project_id'], created['provider_id']))
        plan = created['protection_plan']
        self.assertEqual(self.plan['id'], plan['id'])
        self.assertEqual('docs plan', plan['name'])
        self.assertEqual(self.plan['resources'], plan['resources'])
        # Not known yet, but always a JSON string for the clients.
        self.assertGraph(created, [])

        shown = self.wait_checkpoint(created['id'])
        self.assertEqual(CHECKPOINT_KEYS, set(shown))
        self.assertIsNone(shown['status_reason'])
        self.assertEqual(created['protection_plan'], shown['protection_plan'])
        docs = self.directory('docs')['id']
        self.assertGraph(shown, [docs])
        self.assertEqual(created['created_at'], shown['created_at'])
        self.assertIsNotNone(shown['updated_at'])

        [listed] = self.list()['checkpoints']
        self.assertEqual(shown, listed)
        self.assertGraph(listed, [docs])
        self.assertEqual({'id', 'name'},
                         {'id', 'name'} & set(listed['protection_plan']))

    def test_what_was_not_copied_is_shown(self):
        os.mkfifo(self.path('docs/sub1/pipe'))
        os.symlink('readme.txt', self.path('docs/link'))
        checkpoint = self.create_checkpoint(self.plan['id'])
        self.assertEqual(
            {'count': 1,
             'first': ['docs/sub1/pipe (special files are not copied)']},
            checkpoint['not_copied'])
        files = [k for k in base.FILES if k.startswith('docs/')]
        size = sum(len(base.FILES[k]) for k in files)
        self.assertEqual({'files_total': len(files),
                          'files_done': len(files),
                          'bytes_total': size, 'bytes_done': size},
                         checkpoint['progress'])
        [log] = [log for log in self.get('operation_logs').json[
            'operation_logs'] if log['checkpoint_id'] == checkpoint['id']]
        self.assertEqual(checkpoint['not_copied'],
                         log['extra_info']['not_copied'])
        self.assertNotIn(self.root, str(checkpoint) + str(log))

    def test_protect_two_directories(self):
        plan = self.create_plan('both', dirs=('docs', 'photos'))
        checkpoint = self.create_checkpoint(plan['id'])
        self.assertGraph(checkpoint, [self.directory('docs')['id'],
                                      self.directory('photos')['id']])

    def test_extra_info(self):
        null = self.create_checkpoint(self.plan['id'], extra_info=None)
        given = self.create_checkpoint(self.plan['id'],
                                       extra_info={'k': 'v'})
        self.assertNotIn('k', null['extra_info'])
        self.assertEqual('v', given['extra_info']['k'])
        # The api-ref spelling works too; values stay flat.
        resp = self.post(self.checkpoints_path(), {'checkpoint': {
            'plan_id': self.plan['id'], 'extra_info': {'n': 1}}},
            status=202)
        self.assertEqual(1, resp.json['checkpoint']['extra_info']['n'])
        self.wait_checkpoint(resp.json['checkpoint']['id'])
        resp = self.post(self.checkpoints_path(), {'checkpoint': {
            'plan_id': self.plan['id'], 'extra-info': {'k': {'x': 1}}}},
            status=400)
        self.assertFault(resp, 400, 'badRequest')

    def test_member_creates(self):
        checkpoint = self.create_checkpoint(self.plan['id'],
                                            token=base.MEMBER)
        self.assertEqual('p1', checkpoint['project_id'])

    def test_unknown_plan(self):
        unknown = uuidutils.generate_uuid()
        message = self.assertFault(
            self.post(self.checkpoints_path(),
                      {'checkpoint': {'plan_id': unknown}}, status=404),
            404, 'itemNotFound')
        self.assertIn(unknown, message)
        self.assertEqual([], self.ids())

    def test_plan_of_another_project(self):
        message = self.assertFault(
            self.post(self.checkpoints_path(),
                      {'checkpoint': {'plan_id': self.plan['id']}},
                      token=base.OTHER, project=base.OTHER_PROJECT,
                      status=404),
            404, 'itemNotFound')
        self.assertIn(self.plan['id'], message)

    def test_plan_of_another_provider(self):
        message = self.assertFault(
            self.post(self.checkpoints_path(base.SECOND_PROVIDER_ID),
                      {'checkpoint': {'plan_id': self.plan['id']}},
                      status=400),
            400, 'badRequest')
        self.assertIn(base.LOCAL_PROVIDER_ID, message)
        self.assertIn(base.SECOND_PROVIDER_ID, message)

    def test_unknown_provider(self):
        for provider_id in (uuidutils.generate_uuid(), 'local'):
            for resp in (
                    self.post(self.checkpoints_path(provider_id),
                              {'checkpoint': {'plan_id': self.plan['id']}},
                              status=404),
                    self.get(self.checkpoints_path(provider_id),
                             status=404)):
                message = self.assertFault(resp, 404, 'itemNotFound')
                self.assertIn(provider_id, message)

    def test_bad_bodies(self):
        for body, word in (
                ({'checkpoint': {}}, 'plan_id'),
                ({'checkpoint': {'plan_id': 'nope'}}, 'uuid'),
                ({'checkpoint': {'plan_id': self.plan['id'],
                                 'colour': 'red'}}, 'colour'),
                ({'plan_id': self.plan['id']}, 'checkpoint')):
            message = self.assertFault(
                self.post(self.checkpoints_path(), body, status=400), 400,
                'badRequest')
            self.assertIn(word, message)
        resp = self.request('POST', self.url(self.checkpoints_path()),
                            raw='{"checkpoint"')
        self.assertIn('not valid JSON',
                      self.assertFault(resp, 400, 'badRequest'))
        self.assertEqual([], self.ids())

    def test_vanished_directory_ends_in_error(self):
        plan = self.create_plan('sub', dirs=('docs/sub1',))
        shutil.rmtree(self.path('docs/sub1'))
        resp = self.post(self.checkpoints_path(),
                         {'checkpoint': {'plan_id': plan['id']}}, status=202)
        checkpoint = self.wait_checkpoint(resp.json['checkpoint']['id'],
                                          status='error')
        self.assertIn(plan['resources'][0]['id'],
                      checkpoint['status_reason'])
        # The log ends right after the checkpoint.
        [log] = self.wait_for(
            lambda: self.get('operation_logs' + self.query(
                checkpoint_id=checkpoint['id'])).json['operation_logs'],
            lambda logs: logs[0]['status'] != 'protecting')
        self.assertEqual('error', log['status'])
        self.assertIn(plan['resources'][0]['id'], log['error_info'])
        self.assertIsNotNone(log['ended_at'])

    def test_checkpoint_outlives_its_plan(self):
        checkpoint = self.create_checkpoint(self.plan['id'])
        self.delete('plans/%s' % self.plan['id'], status=204)
        shown = self.show_checkpoint(checkpoint['id'])
        self.assertEqual(self.plan['id'], shown['protection_plan']['id'])
        self.assertEqual('docs plan', shown['protection_plan']['name'])


class CheckpointListTest(CheckpointApiTestCase):

    def setUp(self):
        super().setUp()
        self.other_plan = self.create_plan('photos plan', dirs=('photos',))
        self.first = self.create_checkpoint(self.plan['id'])
        self.second = self.create_checkpoint(self.other_plan['id'])
        self.third = self.create_checkpoint(self.plan['id'])
        self.theirs_plan = self.create_plan('theirs', token=base.OTHER,
                                            project=base.OTHER_PROJECT)
        self.theirs = self.create_checkpoint(
            self.theirs_plan['id'], token=base.OTHER,
            project=base.OTHER_PROJECT)
        self.all = [self.third['id'], self.second['id'], self.first['id']]

    def test_newest_first_with_links_key(self):
        body = self.list()
        self.assertEqual({'checkpoints', 'checkpoints_links'}, set(body))
        self.assertEqual(self.all, [c['id'] for c in body['checkpoints']])
        self.assertEqual([], body['checkpoints_links'])
        for checkpoint in body['checkpoints']:
            self.assertEqual(CHECKPOINT_KEYS, set(checkpoint))
            self.assertIn('id', checkpoint['protection_plan'])
            self.assertIn('name', checkpoint['protection_plan'])
            self.assertIsInstance(
                json.loads(checkpoint['resource_graph']), list)

    def test_filter_plan_id(self):
        self.assertEqual([self.third['id'], self.first['id']],
                         self.ids(self.query(plan_id=self.plan['id'])))
        self.assertEqual([self.second['id']],
                         self.ids(self.query(plan_id=self.other_plan['id'])))
        self.assertEqual([], self.ids(self.query(
            plan_id=self.theirs_plan['id'])))

    def test_filter_status(self):
        self.assertEqual(self.all, self.ids(self.query(status='available')))
        self.assertEqual([], self.ids(self.query(status='error')))

    def test_filter_dates(self):
        first = day(self.first['created_at'])
        last = day(self.third['created_at'])
        self.assertEqual(self.all, self.ids(self.query(start_date=first)))
        self.assertEqual(self.all, self.ids(self.query(end_date=last)))
        self.assertEqual(self.all, self.ids(self.query(
            start_date=day(first, -1), end_date=last)))
        self.assertEqual([], self.ids(self.query(start_date=day(last, 1))))
        self.assertEqual([], self.ids(self.query(end_date=day(first, -1))))

    def test_bad_dates(self):
        for name in ('start_date', 'end_date'):
            for value in ('2024-13-01', '25-11-2024', 'yesterday',
                          '2024-11-25T10:00:00'):
                message = self.assertFault(
                    self.get(self.checkpoints_path() +
                             self.query(**{name: value}), status=400),
                    400, 'badRequest')
                self.assertIn(name, message)
                self.assertIn('YYYY-MM-DD', message)

    def test_sort(self):
        self.assertEqual(list(reversed(self.all)),
                         self.ids(self.query(sort='created_at:asc')))
        self.assertEqual(sorted(self.all),
                         self.ids(self.query(sort='id:asc')))
        self.assertEqual(sorted(self.all, reverse=True),
                         self.ids(self.query(sort_key='id',
                                             sort_dir='desc')))
        message = self.assertFault(
            self.get(self.checkpoints_path() + self.query(sort='name:asc'),
                     status=400), 400, 'badRequest')
        self.assertIn('name', message)

    def test_limit_marker_and_links(self):
        first = self.list(self.query(limit=2))
        self.assertEqual(self.all[:2],
                         [c['id'] for c in first['checkpoints']])
        [link] = first['checkpoints_links']
        self.assertEqual('next', link['rel'])
        href = urllib.parse.urlsplit(link['href'])
        self.assertEqual('/v1/p1/' + self.checkpoints_path(), href.path)
        self.assertEqual([self.all[1]],
                         urllib.parse.parse_qs(href.query)['marker'])
        rest = self.request('GET', href.path + '?' + href.query,
                            status=200).json
        self.assertEqual(self.all[2:], [c['id'] for c in rest['checkpoints']])
        self.assertEqual([], rest['checkpoints_links'])
        self.assertEqual(self.all[1:], self.ids(self.query(
            marker=self.all[0])))
        message = self.assertFault(
            self.get(self.checkpoints_path() + self.query(
                marker=uuidutils.generate_uuid()), status=404),
            404, 'itemNotFound')
        self.assertIn('Marker', message)

    def test_other_provider_lists_none(self):
        self.assertEqual([], self.ids(
            provider_id=base.SECOND_PROVIDER_ID))

    def test_projects(self):
        self.assertEqual([self.theirs['id']], self.ids(
            token=base.OTHER, project=base.OTHER_PROJECT))
        self.assertEqual(self.all, self.ids(token=base.MEMBER))
        self.assertEqual(
            sorted(self.all + [self.theirs['id']]),
            sorted(self.ids(self.query(all_tenants='1'))))
        self.assertFault(
            self.get(self.checkpoints_path() + self.query(all_tenants='1'),
                     token=base.MEMBER, status=403), 403, 'forbidden')

    def test_other_projects_checkpoint(self):
        other = {'token': base.OTHER, 'project': base.OTHER_PROJECT}
        path = self.item_path(self.first['id'])
        for resp in (
                self.get(path, status=404, **other),
                self.delete(path, status=404, **other)):
            message = self.assertFault(resp, 404, 'itemNotFound')
            self.assertIn(self.first['id'], message)
        # Resetting a state is for cloud administrators: refused before
        # any lookup, so a random id answers the same.
        for checkpoint_id in (self.first['id'], uuidutils.generate_uuid()):
            self.assertFault(self.reset(checkpoint_id, 'error', status=403,
                                        **other), 403, 'forbidden')
        self.assertEqual('available',
                         self.show_checkpoint(self.first['id'])['status'])

    def test_show_unknown(self):
        for unknown in (uuidutils.generate_uuid(), 'nope'):
            message = self.assertFault(
                self.get(self.item_path(unknown), status=404), 404,
                'itemNotFound')
            self.assertIn(unknown, message)
        # A checkpoint is found only under its own provider.
        self.assertFault(
            self.get(self.item_path(self.first['id'],
                                    base.SECOND_PROVIDER_ID), status=404),
            404, 'itemNotFound')


class CheckpointStateTest(CheckpointApiTestCase):

    def test_reset_state(self):
        checkpoint = self.create_checkpoint(self.plan['id'])
        self.reset(checkpoint['id'], 'error')
        shown = self.show_checkpoint(checkpoint['id'])
        self.assertEqual('error', shown['status'])
        self.assertIn('alice', shown['status_reason'])
        # A member of the project may not.
        message = self.assertFault(
            self.reset(checkpoint['id'], 'available', token=base.MEMBER,
                       status=403), 403, 'forbidden')
        self.assertIn('karbor:provider:checkpoint_update', message)
        self.reset(checkpoint['id'], 'available')
        self.assertEqual('available',
                         self.show_checkpoint(checkpoint['id'])['status'])

    def test_reset_to_a_bad_state(self):
        checkpoint = self.create_checkpoint(self.plan['id'])
        for body, word in (({'os-resetState': {'state': 'deleted'}},
                            'deleted'),
                           ({'os-resetState': {}}, 'state'),
                           ({'os-resetStatus': {'state': 'error'}},
                            'os-resetState')):
            message = self.assertFault(
                self.put(self.item_path(checkpoint['id']), body,
                         status=400), 400, 'badRequest')
            self.assertIn(word, message)
        self.assertEqual('available',
                         self.show_checkpoint(checkpoint['id'])['status'])

    def test_reset_while_protecting(self):
        self.hold_protect()
        checkpoint = self.create_checkpoint(self.plan['id'], wait=False)
        message = self.assertFault(
            self.reset(checkpoint['id'], 'available', status=409), 409,
            'conflictingRequest')
        self.assertIn('protecting', message)
        self.assertEqual('protecting',
                         self.show_checkpoint(checkpoint['id'])['status'])

    def test_reset_unknown(self):
        unknown = uuidutils.generate_uuid()
        self.assertFault(self.reset(unknown, 'error', status=404), 404,
                         'itemNotFound')

    def test_delete(self):
        keep = self.create_checkpoint(self.plan['id'])
        checkpoint = self.create_checkpoint(self.plan['id'])
        bank = os.path.join(self.state_path, 'bank', base.LOCAL_PROVIDER_ID)
        self.assertTrue(any(checkpoint['id'] in dirs
                            for _, dirs, _ in os.walk(bank)))
        self.delete(self.item_path(checkpoint['id']), status=202)
        resp = self.wait_gone(lambda: self.get(
            self.item_path(checkpoint['id']), status=None))
        message = self.assertFault(resp, 404, 'itemNotFound')
        self.assertIn(checkpoint['id'], message)
        self.assertEqual([keep['id']], self.ids())
        # Its bank objects are gone; the other checkpoint's are not.
        self.assertFalse(any(checkpoint['id'] in dirs
                             for _, dirs, _ in os.walk(bank)))
        self.assertTrue(any(keep['id'] in dirs
                            for _, dirs, _ in os.walk(bank)))
        self.assertFault(
            self.delete(self.item_path(checkpoint['id']), status=404), 404,
            'itemNotFound')
        self.assertFault(self.reset(checkpoint['id'], 'available',
                                    status=404), 404, 'itemNotFound')

    def test_delete_after_reset_to_error(self):
        checkpoint = self.create_checkpoint(self.plan['id'])
        self.reset(checkpoint['id'], 'error')
        self.delete(self.item_path(checkpoint['id']), token=base.MEMBER,
                    status=202)
        self.wait_gone(lambda: self.get(self.item_path(checkpoint['id']),
                                        status=None))
        self.assertEqual([], self.ids())

    def test_delete_while_protecting(self):
        self.hold_protect()
        checkpoint = self.create_checkpoint(self.plan['id'], wait=False)
        message = self.assertFault(
            self.delete(self.item_path(checkpoint['id']), status=409), 409,
            'conflictingRequest')
        self.assertIn('protecting', message)
        self.assertEqual([checkpoint['id']], self.ids())

    def test_delete_unknown(self):
        for unknown in (uuidutils.generate_uuid(), 'nope'):
            self.assertFault(
                self.delete(self.item_path(unknown), status=404), 404,
                'itemNotFound')
