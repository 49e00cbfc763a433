"""/v1/{project_id}/verifications: create, the refusals (each with its own
error, nothing queued), list, show, policies."""

import json
import os
import urllib.parse

import fixtures
from oslo_utils import uuidutils

from karbor.common import policy
from karbor.policies import base as policy_base
from karbor.policies import verifications as verification_policies
from karbor.services.protection import rpcapi
from karbor.tests.unit.verification import base


class CreateTest(base.VerificationTestCase):

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint(dirs=('alpha', 'beta'))

    def assertCreated(self, resp, parameters=None):
        self.assertEqual('application/json', resp.content_type)
        created = resp.json['verification']
        self.assertEqual(['verification'], list(resp.json))
        self.assertEqual(set(), base.VERIFICATION_KEYS - set(created))
        self.assertEqual(set(), set(created) - base.VERIFICATION_KEYS -
                         base.EXTRA_KEYS)
        self.assertEqual('verifying', created['status'])
        self.assertTrue(uuidutils.is_uuid_like(created['id']))
        self.assertEqual(
            ('p1', base.LOCAL_PROVIDER_ID, self.checkpoint['id']),
            (created['project_id'], created['provider_id'],
             created['checkpoint_id']))
        self.assertEqual(parameters or {}, created['parameters'])
        self.assertIsNotNone(created['created_at'])
        return created

    def assertSucceeded(self, created, levels=None):
        shown = self.wait_verification(created['id'], 'success')
        keys = {self.resource_key('alpha'), self.resource_key('beta')}
        self.assertEqual(dict.fromkeys(keys, 'success'),
                         shown['resource_status'])
        self.assertEqual(dict.fromkeys(keys, ''), shown['resource_reason'])
        # Each fact once: no second name for the same maps.
        self.assertNotIn('resources_status', shown)
        self.assertNotIn('resources_reason', shown)
        # The level each resource ran at: by default the local
        # provider's.
        self.assertEqual(levels or dict.fromkeys(keys, 'deep'),
                         shown['levels'])
        self.assertIsNone(shown['status_reason'])
        self.assertEqual(created['created_at'], shown['created_at'])
        self.assertIsNotNone(shown['updated_at'])
        self.assertLessEqual(shown['started_at'], shown['ended_at'])
        log = self.log_of(created['id'])
        self.assertEqual(('verify', 'success', None),
                         (log.operation_type, log.status, log.error_info))
        return shown

    def test_create_then_success(self):
        resp = self.verify(self.checkpoint['id'])
        self.assertSucceeded(self.assertCreated(resp))

    def test_one_element_list_form(self):
        resp = self.verify(self.checkpoint['id'], as_list=True)
        self.assertSucceeded(self.assertCreated(resp))

    def test_member_of_the_project(self):
        resp = self.verify(self.checkpoint['id'], token=base.MEMBER)
        created = self.assertCreated(resp)
        shown = self.wait_verification(created['id'], 'success',
                                       token=base.MEMBER)
        self.assertEqual('p1', shown['project_id'])

    def test_parameters_accepted(self):
        alpha = self.directory('alpha')['id']
        for parameters in (
                {},
                {base.DIRECTORY: {}},
                {base.DIRECTORY: {'level': 'quick'}},
                {base.DIRECTORY: {'level': 'deep'}},
                {'%s#%s' % (base.DIRECTORY, alpha): {'level': 'deep'}},
                {base.DIRECTORY: {'level': 'quick'},
                 '%s#%s' % (base.DIRECTORY, alpha): {'level': 'deep'}}):
            resp = self.verify(self.checkpoint['id'], parameters)
            levels = {}
            for key in (self.resource_key('alpha'),
                        self.resource_key('beta')):
                levels[key] = (parameters.get(key) or parameters.get(
                    base.DIRECTORY) or {}).get('level', 'deep')
            self.assertSucceeded(self.assertCreated(resp, parameters),
                                 levels)

    def test_parameters_null(self):
        resp = self.post('verifications', {'verification': {
            'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'parameters': None}})
        # Either refused as malformed or taken as no parameters; never a
        # 500 and never a stuck record.
        if resp.status_int == 400:
            self.assertFault(resp, 400, 'badRequest')
            self.assertNothingQueued()
        else:
            self.assertEqual(202, resp.status_int, resp.text)
            self.wait_verification(resp.json['verification']['id'],
                                   'success')


class RefusalTest(base.VerificationTestCase):
    """Each refusal has its own error and queues nothing: no row, no
    operation log, no cast."""

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint()
        self.cast = self.useFixture(fixtures.MockPatchObject(
            rpcapi.ProtectionAPI, 'verify')).mock

    def refused(self, resp, status, fault):
        message = self.assertFault(resp, status, fault)
        self.assertNothingQueued()
        self.cast.assert_not_called()
        return message

    def test_unknown_provider(self):
        unknown = uuidutils.generate_uuid()
        message = self.refused(
            self.verify(self.checkpoint['id'], provider_id=unknown,
                        status=404), 404, 'itemNotFound')
        self.assertIn(unknown, message)
        self.assertIn('Provider', message)

    def test_unknown_checkpoint(self):
        unknown = uuidutils.generate_uuid()
        message = self.refused(self.verify(unknown, status=404), 404,
                               'itemNotFound')
        self.assertIn(unknown, message)
        self.assertIn('Checkpoint', message)

    def test_checkpoint_of_another_provider(self):
        message = self.refused(
            self.verify(self.checkpoint['id'],
                        provider_id=base.SECOND_PROVIDER_ID, status=404),
            404, 'itemNotFound')
        self.assertIn(self.checkpoint['id'], message)

    def test_checkpoint_of_another_project(self):
        # Upstream let any project verify any checkpoint. The checkpoint
        # is project p1's; a member of B may not even learn that it exists.
        message = self.refused(
            self.verify(self.checkpoint['id'], token='u:B', project='B',
                        status=404),
            404, 'itemNotFound')
        self.assertIn(self.checkpoint['id'], message)
        self.assertIn('Checkpoint', message)

    def test_checkpoint_of_another_project_for_an_admin(self):
        # A cloud administrator sees B's checkpoint, but a verification
        # is made in the caller's project, of the caller's checkpoints:
        # the answer says which token to use.
        base.write_tree(self.project_root('B'), {'alpha/a': b'a'})
        theirs = self.available_checkpoint(token='u:B', project='B')
        message = self.refused(self.verify(theirs['id'], status=403), 403,
                               'forbidden')
        self.assertIn(theirs['id'], message)
        self.assertIn('belongs to project B', message)

    def test_checkpoint_in_error(self):
        self.put(self.checkpoints_path(rest='/' + self.checkpoint['id']),
                 {'os-resetState': {'state': 'error'}}, status=202)
        message = self.refused(self.verify(self.checkpoint['id'],
                                           status=409),
                               409, 'conflictingRequest')
        self.assertIn(self.checkpoint['id'], message)
        self.assertIn('error', message)
        self.assertIn('available', message)

    def test_checkpoint_protecting(self):
        self.useFixture(fixtures.MockPatchObject(rpcapi.ProtectionAPI,
                                                 'protect'))
        plan = self.create_plan('held', dirs=('beta',))
        protecting = self.create_checkpoint(plan['id'], wait=False)
        self.assertEqual('protecting', protecting['status'])
        message = self.refused(self.verify(protecting['id'], status=409),
                               409, 'conflictingRequest')
        self.assertIn('protecting', message)

    def test_checkpoint_conflict_before_parameters(self):
        # The state of the checkpoint is refused even with bad parameters.
        self.put(self.checkpoints_path(rest='/' + self.checkpoint['id']),
                 {'os-resetState': {'state': 'error'}}, status=202)
        self.refused(self.verify(self.checkpoint['id'],
                                 {base.DIRECTORY: {'level': 'medium'}},
                                 status=409), 409, 'conflictingRequest')

    def test_bad_parameters(self):
        for parameters, words in (
                ({'OS::Nova::Server': {'level': 'deep'}},
                 ('OS::Nova::Server', base.DIRECTORY)),
                ({base.DIRECTORY: {'depth': 'deep'}}, ('depth',)),
                ({base.DIRECTORY: {'level': 'medium'}}, ('medium',)),
                ({base.DIRECTORY: {'level': 1}}, ('level',)),
                ({base.DIRECTORY: 'deep'}, ('deep',)),
                ({base.DIRECTORY + '#': {'level': 'deep'}}, ('#',)),
                ({'OS::Nova::Server#%s' % uuidutils.generate_uuid():
                  {'level': 'deep'}}, ('OS::Nova::Server',)),
                ({'a#b#c': {}}, ('a#b#c',)),
                (['deep'], ('parameters',))):
            message = self.refused(
                self.verify(self.checkpoint['id'], parameters, status=400),
                400, 'badRequest')
            for word in words:
                self.assertIn(word, message, parameters)

    def test_parameters_of_a_provider_without_plugins(self):
        # The second provider's verify_schema allows no type at all; its
        # refusal comes after the checkpoint lookup, which fails first.
        message = self.refused(
            self.verify(self.checkpoint['id'],
                        {base.DIRECTORY: {'level': 'deep'}},
                        provider_id=base.SECOND_PROVIDER_ID, status=404),
            404, 'itemNotFound')
        self.assertIn(self.checkpoint['id'], message)

    def test_malformed_bodies(self):
        good = {'provider_id': base.LOCAL_PROVIDER_ID,
                'checkpoint_id': self.checkpoint['id']}
        for body, word in (
                ({'verification': {'provider_id': base.LOCAL_PROVIDER_ID}},
                 'checkpoint_id'),
                ({'verification': {'checkpoint_id': self.checkpoint['id']}},
                 'provider_id'),
                ({'verification': [{'provider_id':
                                    base.LOCAL_PROVIDER_ID}]},
                 'checkpoint_id'),
                ({'verification': dict(good, provider_id='local')},
                 'provider_id'),
                ({'verification': dict(good, checkpoint_id='nope')},
                 'checkpoint_id'),
                ({'verification': dict(good, colour='red')}, 'colour'),
                ({'verification': [dict(good, colour='red')]}, 'colour'),
                ({'verification': [good, good]}, 'at most 1 are allowed'),
                ({'verification': []}, 'non-empty'),
                ({'verification': good, 'extra': 1}, 'extra'),
                (good, 'verification'),
                ({'verification': None}, 'verification'),
                ([good], 'object')):
            message = self.refused(
                self.post('verifications', body, status=400), 400,
                'badRequest')
            self.assertIn(word, message, body)
        for raw, word in (('{"verification"', 'not valid JSON'),
                          ('', 'no body'),
                          ('\xff\xfe', 'not valid JSON')):
            resp = self.request('POST', self.url('verifications'), raw=raw)
            self.assertIn(word, self.refused(resp, 400, 'badRequest'))


class ListShowTest(base.VerificationTestCase):

    def setUp(self):
        super().setUp()
        self.cp1 = self.available_checkpoint(dirs=('alpha',), name='one')
        self.cp2 = self.available_checkpoint(dirs=('beta',), name='two')
        ids = [self.verified(self.cp1['id'])['id'],
               self.verified(self.cp2['id'])['id'],
               self.verified(self.cp1['id'])['id']]
        # One that ends in error: beta's data object is gone.
        self.cp3 = self.available_checkpoint(dirs=('beta',), name='three')
        os.unlink(self.bank_file(self.object_key(self.cp3['id'], 'beta',
                                                 'data/00000000')))
        self.failed = self.verified(self.cp3['id'], status='error')['id']
        self.mine = list(reversed(ids + [self.failed]))  # newest first
        self.theirs_cp = self.available_checkpoint(
            dirs=('gamma',), token=base.OTHER, project=base.OTHER_PROJECT)
        self.theirs = self.verified(self.theirs_cp['id'], token=base.OTHER,
                                    project=base.OTHER_PROJECT)['id']

    def list(self, query='', token=base.ADMIN, project=None, status=200):
        return self.get('verifications' + query, token=token,
                        project=project, status=status).json

    def ids(self, query='', **kwargs):
        return [v['id'] for v in self.list(query, **kwargs)['verifications']]

    def test_list(self):
        body = self.list()
        self.assertEqual({'verifications', 'verifications_links'},
                         set(body))
        self.assertEqual(self.mine, [v['id'] for v in body['verifications']])
        self.assertEqual([], body['verifications_links'])
        for item in body['verifications']:
            self.assertEqual(set(), base.VERIFICATION_KEYS - set(item))
            self.assertEqual(item, self.show(item['id']))
        self.assertEqual(self.mine, self.ids(token=base.MEMBER))

    def test_filters(self):
        self.assertEqual([self.failed], self.ids(self.query(status='error')))
        self.assertEqual(self.mine[1:],
                         self.ids(self.query(status='success')))
        self.assertEqual([], self.ids(self.query(status='verifying')))
        self.assertEqual([self.mine[1], self.mine[3]],
                         self.ids(self.query(checkpoint_id=self.cp1['id'])))
        self.assertEqual([self.mine[2]],
                         self.ids(self.query(checkpoint_id=self.cp2['id'])))
        self.assertEqual([], self.ids(self.query(
            checkpoint_id=self.theirs_cp['id'])))
        self.assertEqual(self.mine, self.ids(self.query(
            provider_id=base.LOCAL_PROVIDER_ID)))
        self.assertEqual([], self.ids(self.query(
            provider_id=base.SECOND_PROVIDER_ID)))
        self.assertEqual([self.mine[1], self.mine[3]], self.ids(self.query(
            checkpoint_id=self.cp1['id'], status='success',
            provider_id=base.LOCAL_PROVIDER_ID)))
        message = self.assertFault(
            self.get('verifications' + self.query(colour='red'),
                     status=400), 400, 'badRequest')
        self.assertIn('colour', message)

    def test_sort(self):
        oldest_first = list(reversed(self.mine))
        self.assertEqual(oldest_first,
                         self.ids(self.query(sort='created_at:asc')))
        self.assertEqual(sorted(self.mine), self.ids(self.query(
            sort='id:asc')))
        self.assertEqual(sorted(self.mine, reverse=True),
                         self.ids(self.query(sort='id:desc')))
        self.assertEqual(oldest_first, self.ids(self.query(
            sort_key='created_at', sort_dir='asc')))
        self.assertEqual(sorted(self.mine, reverse=True), self.ids(
            self.query(sort_key='id', sort_dir='desc')))
        # Errors first, then by age.
        self.assertEqual([self.failed] + list(reversed(self.mine[1:])),
                         self.ids(self.query(
                             sort='status:asc,created_at:asc')))
        for query, word in (({'sort': 'checkpoint_id:asc'},
                             'checkpoint_id'),
                            ({'sort': 'id:up'}, 'up'),
                            ({'sort_key': 'nope'}, 'nope')):
            message = self.assertFault(
                self.get('verifications' + self.query(**query),
                         status=400), 400, 'badRequest')
            self.assertIn(word, message)

    def test_limit_marker_and_links(self):
        first = self.list(self.query(limit=2))
        self.assertEqual(self.mine[:2],
                         [v['id'] for v in first['verifications']])
        [link] = first['verifications_links']
        self.assertEqual('next', link['rel'])
        href = urllib.parse.urlsplit(link['href'])
        self.assertEqual('/v1/p1/verifications', href.path)
        query = urllib.parse.parse_qs(href.query)
        self.assertEqual([self.mine[1]], query['marker'])
        self.assertEqual(['2'], query['limit'])
        second = self.request('GET', href.path + '?' + href.query,
                              status=200).json
        self.assertEqual(self.mine[2:],
                         [v['id'] for v in second['verifications']])
        # A full page again: a link to the (empty) rest.
        [link] = second['verifications_links']
        href = urllib.parse.urlsplit(link['href'])
        third = self.request('GET', href.path + '?' + href.query,
                             status=200).json
        self.assertEqual({'verifications': [], 'verifications_links': []},
                         third)
        self.assertEqual(self.mine[2:], self.ids(self.query(
            marker=self.mine[1])))
        self.assertEqual([], self.list(self.query(limit=5))[
            'verifications_links'])
        # The filters and the sort survive in the link.
        page = self.list(self.query(status='success', sort='id:asc',
                                    limit=1))
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(
            page['verifications_links'][0]['href']).query)
        self.assertEqual((['success'], ['id:asc']),
                         (query['status'], query['sort']))
        unknown = uuidutils.generate_uuid()
        self.assertIn('Marker', self.assertFault(
            self.get('verifications' + self.query(marker=unknown),
                     status=404), 404, 'itemNotFound'))
        for bad in ({'limit': 0}, {'limit': 'x'}, {'marker': 'nope'}):
            message = self.assertFault(
                self.get('verifications' + self.query(**bad), status=400),
                400, 'badRequest')
            self.assertIn(list(bad)[0], message)

    def test_all_tenants(self):
        everyone = sorted(self.mine + [self.theirs])
        for value in ('1', 'True', 'true'):
            self.assertEqual(everyone, sorted(self.ids(self.query(
                all_tenants=value))))
        self.assertEqual(self.mine, self.ids(self.query(all_tenants='0')))
        self.assertEqual([self.theirs], self.ids(self.query(
            all_tenants='1', project_id=base.OTHER_PROJECT)))
        for value in ('1', 'True', 'true'):
            self.assertFault(
                self.get('verifications' + self.query(all_tenants=value),
                         token=base.MEMBER, status=403), 403, 'forbidden')
        self.assertFault(
            self.get('verifications' + self.query(all_tenants='maybe'),
                     status=400), 400, 'badRequest')
        self.assertEqual([self.theirs], self.ids(
            token=base.OTHER, project=base.OTHER_PROJECT))

    def test_show(self):
        shown = self.show(self.failed, token=base.MEMBER)
        self.assertEqual(set(), base.VERIFICATION_KEYS - set(shown))
        self.assertEqual(('error', self.cp3['id']),
                         (shown['status'], shown['checkpoint_id']))
        self.assertEqual(['verification'], list(self.get(
            'verifications/%s' % self.failed).json))

    def test_show_of_another_project(self):
        for verification_id in self.mine:
            message = self.assertFault(
                self.get('verifications/%s' % verification_id,
                         token=base.OTHER, project=base.OTHER_PROJECT,
                         status=404), 404, 'itemNotFound')
            self.assertIn(verification_id, message)
        self.assertEqual(self.theirs, self.show(
            self.theirs, token=base.OTHER,
            project=base.OTHER_PROJECT)['id'])

    def test_show_unknown(self):
        for unknown in (uuidutils.generate_uuid(), 'nope', '1234'):
            message = self.assertFault(
                self.get('verifications/%s' % unknown, status=404), 404,
                'itemNotFound')
            self.assertIn(unknown, message)


class PolicyTest(base.VerificationTestCase):

    def test_rules_are_member_reader_and_admin(self):
        rules = {r.name: r for r in verification_policies.list_rules()}
        self.assertEqual({'karbor:verification:create',
                          'karbor:verification:get',
                          'karbor:verification:get_all',
                          'karbor:verification:reset_state'}, set(rules))
        for name, method, check in (
                ('karbor:verification:create', 'POST', policy_base.MEMBER),
                ('karbor:verification:get', 'GET', policy_base.READER),
                ('karbor:verification:get_all', 'GET', policy_base.READER),
                ('karbor:verification:reset_state', 'PUT',
                 policy_base.ADMIN)):
            rule = rules[name]
            self.assertEqual(check, rule.check_str)
            self.assertTrue(rule.description.strip())
            self.assertEqual([method], [o['method']
                                        for o in rule.operations])
            self.assertTrue(all(o['path'].startswith(
                '/v1/{project_id}/verifications') for o in rule.operations))
            self.assertIn(name, policy.get_enforcer().registered_rules)

    def override(self, rules):
        path = self.state_path + '/policy.json'
        with open(path, 'w') as f:
            json.dump(rules, f)
        self.conf.config(policy_file=path, group='oslo_policy')
        policy.reset()

    def test_create_closed(self):
        checkpoint = self.available_checkpoint()
        self.override({'verification:create': '!'})
        for token in (base.ADMIN, base.MEMBER):
            message = self.assertFault(
                self.verify(checkpoint['id'], token=token, status=403),
                403, 'forbidden')
            self.assertIn('verification:create', message)
        self.assertNothingQueued()
        # Reading is still allowed.
        self.assertEqual([], self.get('verifications').json['verifications'])

    def test_reads_closed(self):
        checkpoint = self.available_checkpoint()
        verification = self.verified(checkpoint['id'], status='success')
        self.override({'verification:get': '!',
                       'verification:get_all': '!'})
        self.assertFault(self.get('verifications', status=403), 403,
                         'forbidden')
        self.assertFault(self.get('verifications/%s' % verification['id'],
                                  status=403), 403, 'forbidden')


class ResetStateTest(base.VerificationTestCase):
    """PUT /verifications/{id} {"os-resetState": {"state": ...}}: cloud
    administrators only; a running verification ends, with its log, and
    its flow cannot bring it back."""

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint(dirs=('alpha', 'beta'))
        self.keys = [self.resource_key(d) for d in ('alpha', 'beta')]

    def reset(self, verification_id, state, status=202, token=base.ADMIN,
              project=None):
        return self.put('verifications/%s' % verification_id,
                        {'os-resetState': {'state': state}}, status=status,
                        token=token, project=project)

    def test_reset_a_running_verification(self):
        gate = self.useFixture(base.Gate(self))
        executor = self.service.manager.executor
        flows_before = executor.statistics.executed
        created = self.verify(self.checkpoint['id']).json['verification']
        gate.wait_arrived(2)
        resp = self.reset(created['id'], 'error')
        self.assertEqual('', resp.text)
        shown = self.show(created['id'])
        self.assertEqual('error', shown['status'])
        self.assertIn('state reset to error by', shown['status_reason'])
        self.assertIn('it was verifying', shown['status_reason'])
        self.assertEqual(dict.fromkeys(self.keys, 'error'),
                         shown['resource_status'])
        self.assertIsNotNone(shown['ended_at'])
        log = self.log_of(created['id'])
        self.assertEqual('error', log.status)
        self.assertIn('state reset', log.error_info)
        # The flow goes on and ends; it changes nothing.
        gate.open()
        self.wait_for(lambda: executor.statistics.executed,
                      lambda n: n > flows_before)
        self.assertEqual(shown, self.show(created['id']))
        self.assertEqual(('error', log.error_info),
                         (self.log_of(created['id']).status,
                          self.log_of(created['id']).error_info))

    def test_reset_an_ended_verification(self):
        shown = self.verified(self.checkpoint['id'], status='success')
        self.reset(shown['id'], 'error')
        again = self.show(shown['id'])
        self.assertEqual(('error', shown['ended_at']),
                         (again['status'], again['ended_at']))
        self.assertEqual(dict.fromkeys(self.keys, 'success'),
                         again['resource_status'])
        self.assertEqual('success', self.log_of(shown['id']).status)
        self.reset(shown['id'], 'success')
        self.assertEqual('success', self.show(shown['id'])['status'])

    def test_only_cloud_administrators(self):
        shown = self.verified(self.checkpoint['id'], status='success')
        for token, project in ((base.MEMBER, None),
                               (base.OTHER, base.OTHER_PROJECT)):
            message = self.assertFault(
                self.reset(shown['id'], 'error', status=403, token=token,
                           project=project), 403, 'forbidden')
            self.assertIn('karbor:verification:reset_state', message)
        self.assertEqual('success', self.show(shown['id'])['status'])

    def test_bad_states_and_bodies(self):
        shown = self.verified(self.checkpoint['id'], status='success')
        for body, word in (({'os-resetState': {'state': 'verifying'}},
                            'verifying'),
                           ({'os-resetState': {'state': 'available'}},
                            'available'),
                           ({'os-resetState': {}}, 'state'),
                           ({'os-resetStatus': {'state': 'error'}},
                            'os-resetState'),
                           ([], 'object')):
            message = self.assertFault(
                self.put('verifications/%s' % shown['id'], body,
                         status=400), 400, 'badRequest')
            self.assertIn(word, message)
        self.assertEqual('success', self.show(shown['id'])['status'])

    def test_unknown_verification(self):
        for unknown in (uuidutils.generate_uuid(), 'nope'):
            self.assertFault(self.reset(unknown, 'error', status=404), 404,
                             'itemNotFound')

    def test_changed_meanwhile_is_409(self):
        """The reset is a compare-and-set on the status the administrator
        saw: if the flow ended the verification between the read and the
        write, the reset is refused, not applied over it (the database
        function is called as the controller would have after its
        read)."""
        from karbor.db import verifications as verifications_db
        shown = self.verified(self.checkpoint['id'], status='success')
        self.assertIsNone(verifications_db.verification_reset_state(
            shown['id'], 'verifying', 'error', 'late'))
        self.assertEqual('success', self.show(shown['id'])['status'])
