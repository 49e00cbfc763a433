from karbor.db import services as services_db
from karbor.tests import base


class DatabaseFixtureTest(base.TestCase):
    def test_each_test_starts_empty_and_can_write(self):
        self.assertEqual([], services_db.service_get_all())
        services_db.service_report('h', 'karbor-protection', 't')
        rows = services_db.service_get_all()
        self.assertEqual(1, len(rows))
        self.assertEqual(1, rows[0].report_count)
