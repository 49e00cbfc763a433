"""/v1/{project_id}/providers: list, show, filters, paging."""

import urllib.parse

from oslo_utils import uuidutils

from karbor.tests.unit.api_v1 import base

SCHEMA_KEYS = {'options_schema', 'restore_schema', 'saved_info_schema',
               'verify_schema'}


class ProvidersApiTest(base.ProtectionApiTestCase):

    def list(self, query='', token=base.ADMIN):
        return self.get('providers' + query, token=token).json

    def names(self, query=''):
        return [p['name'] for p in self.list(query)['providers']]

    def test_list_shape(self):
        body = self.list()
        self.assertEqual({'providers', 'providers_links'}, set(body))
        self.assertEqual([], body['providers_links'])
        by_id = {p['id']: p for p in body['providers']}
        self.assertEqual({base.LOCAL_PROVIDER_ID, base.SECOND_PROVIDER_ID},
                         set(by_id))
        for provider in body['providers']:
            self.assertEqual({'id', 'name', 'description',
                              'extended_info_schema', 'bank'}, set(provider))
            self.assertTrue(uuidutils.is_uuid_like(provider['id']))
            self.assertEqual(SCHEMA_KEYS,
                             set(provider['extended_info_schema']))
        local = by_id[base.LOCAL_PROVIDER_ID]
        self.assertEqual('Local Provider', local['name'])
        self.assertIsInstance(local['description'], str)
        # The kind of bank only: no path, no credentials.
        self.assertEqual({'type': 'file_system'}, local['bank'])
        for key in SCHEMA_KEYS:
            self.assertEqual(
                [base.DIRECTORY],
                list(local['extended_info_schema'][key]), key)
        restore = local['extended_info_schema']['restore_schema'][
            base.DIRECTORY]
        self.assertEqual('object', restore['type'])
        self.assertIn('target_path', restore['properties'])
        second = by_id[base.SECOND_PROVIDER_ID]
        self.assertEqual({'id': base.SECOND_PROVIDER_ID,
                          'name': 'Second Provider',
                          'description': 'A bank without plugins',
                          'extended_info_schema': {k: {}
                                                   for k in SCHEMA_KEYS},
                          'bank': {'type': 'file_system'}},
                         second)

    def test_member_can_list_and_show(self):
        self.assertEqual(2, len(self.list(token=base.MEMBER)['providers']))
        self.get('providers/%s' % base.LOCAL_PROVIDER_ID, token=base.MEMBER)

    def test_show(self):
        body = self.get('providers/%s' % base.LOCAL_PROVIDER_ID).json
        self.assertEqual(['provider'], list(body))
        listed = [p for p in self.list()['providers']
                  if p['id'] == base.LOCAL_PROVIDER_ID]
        self.assertEqual(listed, [body['provider']])

    def test_show_unknown_id(self):
        unknown = uuidutils.generate_uuid()
        message = self.assertFault(
            self.get('providers/%s' % unknown, status=404), 404,
            'itemNotFound')
        self.assertIn(unknown, message)
        self.assertIn('Provider', message)

    def test_show_non_uuid_id(self):
        for bad in ('not-a-uuid', '1', 'Local%20Provider'):
            message = self.assertFault(
                self.get('providers/%s' % bad, status=404), 404,
                'itemNotFound')
            self.assertIn('could not be found', message)

    def test_filter_by_name(self):
        self.assertEqual(['Local Provider'],
                         self.names(self.query(name='Local Provider')))
        self.assertEqual([], self.names(self.query(name='Local')))

    def test_filter_by_description(self):
        self.assertEqual(
            ['Second Provider'],
            self.names(self.query(description='A bank without plugins')))
        self.assertEqual([], self.names(self.query(description='nothing')))

    def test_unknown_filter(self):
        message = self.assertFault(
            self.get('providers' + self.query(colour='red'), status=400),
            400, 'badRequest')
        self.assertIn('colour', message)

    def test_sort(self):
        self.assertEqual(['Local Provider', 'Second Provider'],
                         self.names(self.query(sort='name:asc')))
        self.assertEqual(['Second Provider', 'Local Provider'],
                         self.names(self.query(sort='name:desc')))
        self.assertEqual(['Second Provider', 'Local Provider'],
                         self.names(self.query(sort_key='name',
                                               sort_dir='desc')))
        ids = [p['id'] for p in self.list(self.query(sort='id:asc'))[
            'providers']]
        self.assertEqual(sorted(ids), ids)

    def test_bad_sort(self):
        for query, word in (({'sort': 'colour:asc'}, 'colour'),
                            ({'sort': 'name:up'}, 'asc or desc'),
                            ({'sort': 'name', 'sort_key': 'id'}, 'not both')):
            message = self.assertFault(
                self.get('providers' + self.query(**query), status=400),
                400, 'badRequest')
            self.assertIn(word, message)

    def test_limit_marker_and_links(self):
        first = self.list(self.query(limit=1, sort='name:asc'))
        self.assertEqual(['Local Provider'],
                         [p['name'] for p in first['providers']])
        [link] = first['providers_links']
        self.assertEqual('next', link['rel'])
        href = urllib.parse.urlsplit(link['href'])
        query = urllib.parse.parse_qs(href.query)
        self.assertEqual([base.LOCAL_PROVIDER_ID], query['marker'])
        self.assertEqual(['1'], query['limit'])
        self.assertEqual(['name:asc'], query['sort'])
        self.assertEqual('/v1/p1/providers', href.path)
        second = self.request('GET', href.path + '?' + href.query,
                              status=200).json
        self.assertEqual(['Second Provider'],
                         [p['name'] for p in second['providers']])
        last = self.list(self.query(marker=base.SECOND_PROVIDER_ID,
                                    sort='name:asc'))
        self.assertEqual({'providers': [], 'providers_links': []}, last)

    def test_bad_marker_and_limit(self):
        message = self.assertFault(
            self.get('providers' + self.query(
                marker=uuidutils.generate_uuid()), status=404),
            404, 'itemNotFound')
        self.assertIn('Marker', message)
        for query, word in (({'marker': 'nope'}, 'marker'),
                            ({'limit': '0'}, 'limit'),
                            ({'limit': 'many'}, 'limit')):
            message = self.assertFault(
                self.get('providers' + self.query(**query), status=400),
                400, 'badRequest')
            self.assertIn(word, message)

    def test_local_provider_off(self):
        self.conf.config(enable_local_provider=False, group='providers')
        self._reset_registries()
        self.assertEqual(['Second Provider'], self.names())
        self.assertFault(
            self.get('providers/%s' % base.LOCAL_PROVIDER_ID, status=404),
            404, 'itemNotFound')
