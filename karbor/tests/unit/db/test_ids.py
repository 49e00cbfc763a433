"""karbor.db.ids: ids that sort newest first."""

import time
import uuid

from oslo_utils import uuidutils
import testtools

from karbor.db import ids


class NewestFirstIdTest(testtools.TestCase):

    def test_ids_sort_newest_first_and_are_uuids(self):
        made = []
        for _ in range(3):
            made.append(ids.newest_first())
            time.sleep(0.002)
        self.assertEqual(list(reversed(made)), sorted(made))
        for value in made:
            self.assertTrue(uuidutils.is_uuid_like(value))
            self.assertEqual(4, uuid.UUID(value).version)
