"""The ``karbor service-*`` commands of python-karborclient 2.1.0 against
karbor-all."""

import socket

from karbor.common import constants
from karbor.tests.e2e import base
from karbor.tests.functional import utils

PROJECT = 'e2e-project'
COLUMNS = ['Id', 'Binary', 'Host', 'Status', 'State', 'Updated_at',
           'Disabled Reason']


class ServiceCommandsTest(base.SharedServerTestCase):

    PROJECT = PROJECT

    def service_list(self, *args):
        return self.rows('service-list', *args)

    def protection_row(self):
        rows = [row for row in self.service_list()
                if row['Binary'] == constants.SERVICE_BINARY_PROTECTION]
        self.assertEqual(1, len(rows), rows)
        return rows[0]

    def enable_over_http(self, service_id):
        """Clean-up that does not depend on the shell under test."""
        utils.http('PUT', '%s/os-services/%s' % (
            self.server.project_url(PROJECT), service_id),
            body={'status': 'enabled'})

    def test_service_list(self):
        result = self.run_karbor('service-list')
        self.assertSucceeded(result)
        self.assertEqual('', result.stderr)
        rows = base.parse_table(result.stdout)
        self.assertEqual(COLUMNS, list(rows[0]))
        row = self.protection_row()
        self.assertTrue(row['Id'].isdigit(), row)
        self.assertEqual(socket.gethostname(), row['Host'])
        self.assertEqual('enabled', row['Status'])
        self.assertEqual('up', row['State'])
        self.assertEqual('-', row['Disabled Reason'])

    def test_service_list_filters(self):
        rows = self.service_list('--binary',
                                 constants.SERVICE_BINARY_PROTECTION)
        self.assertEqual([constants.SERVICE_BINARY_PROTECTION],
                         [row['Binary'] for row in rows])
        rows = self.service_list('--host', socket.gethostname())
        self.assertIn(constants.SERVICE_BINARY_PROTECTION,
                      [row['Binary'] for row in rows])
        self.assertEqual([], self.service_list('--host', 'no-such-host'))

    def test_disable_then_enable(self):
        service_id = self.protection_row()['Id']
        self.addCleanup(self.enable_over_http, service_id)

        result = self.run_karbor('service-disable', service_id,
                                 '--reason', 'maintenance')
        self.assertSucceeded(result)
        [shown] = base.parse_table(result.stdout)
        self.assertEqual(('disabled', 'maintenance'),
                         (shown['Status'], shown['Disabled Reason']))
        row = self.protection_row()
        self.assertEqual('disabled', row['Status'])
        self.assertEqual('maintenance', row['Disabled Reason'])
        self.assertEqual('up', row['State'])

        result = self.run_karbor('service-enable', service_id)
        self.assertSucceeded(result)
        row = self.protection_row()
        self.assertEqual('enabled', row['Status'])
        self.assertEqual('-', row['Disabled Reason'])
        self.assertEqual('up', row['State'])

    def test_member_is_refused_by_policy(self):
        token = 'u:%s' % PROJECT  # a plain member of the URL's project
        result = self.run_karbor('service-list', token=token)
        self.assertFailedWith(
            result, "Policy doesn't allow karbor:service:get_all to be "
            "performed.",
            '(HTTP 403)')

        service_id = self.protection_row()['Id']
        self.addCleanup(self.enable_over_http, service_id)
        result = self.run_karbor('service-disable', service_id,
                                 '--reason', 'nope', token=token)
        self.assertFailedWith(
            result,
            "Policy doesn't allow karbor:service:update to be performed.",
            '(HTTP 403)')
        self.assertEqual('enabled', self.protection_row()['Status'])

    def test_project_of_url_differs_from_token(self):
        result = self.run_karbor('service-list', token='u:other')
        self.assertFailedWith(
            result,
            'The project in the URL (%s) is not the project of your token '
            '(other)' % PROJECT,
            '(HTTP 403)')

    def test_enable_unknown_service(self):
        result = self.run_karbor('service-enable', '9999')
        self.assertFailedWith(result, 'Service 9999 could not be found.',
                              '(HTTP 404)')
