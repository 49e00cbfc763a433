"""karbor-manage checkpoint rebuild-index: the database index of
checkpoints made again from the bank of the local provider (real
checkpoints made by the protection service in the process)."""

import json
import os

from karbor.common import constants
from karbor.db import api as db_api
from karbor.db import checkpoints as checkpoints_db
from karbor.db import models
from karbor.services.protection import graph
from karbor.services.protection import index_rebuild
from karbor.services.protection import provider as provider_module
from karbor.tests.unit.api_v1 import base

FIELDS = ('project_id', 'provider_id', 'plan_id', 'status', 'status_reason',
          'protection_plan', 'extra_info', 'created_at')


class RebuildIndexTest(base.ProtectionApiTestCase):

    start_service = True

    def setUp(self):
        super().setUp()
        plan = self.create_plan('docs plan')
        self.made = [self.create_checkpoint(plan['id'])['id']
                     for _ in range(2)]
        self.rows = {i: checkpoints_db.checkpoint_get(i) for i in self.made}
        self.provider = provider_module.get_registry().get(
            base.LOCAL_PROVIDER_ID)
        self.bank_dir = os.path.join(self.state_path, 'bank',
                                     base.LOCAL_PROVIDER_ID, 'checkpoints')

    def forget(self, checkpoint_id):
        db_api.delete(models.Checkpoint, checkpoint_id, LookupError())

    def write_index(self, checkpoint_id, index):
        directory = os.path.join(self.bank_dir, checkpoint_id)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, 'index.json'), 'w') as f:
            f.write(index if isinstance(index, str) else json.dumps(index))

    def test_lost_rows_come_back(self):
        for checkpoint_id in self.made:
            self.forget(checkpoint_id)
        self.assertEqual({'found': 2, 'added': 2, 'present': 0,
                          'unreadable': 0},
                         index_rebuild.rebuild(self.provider))
        for checkpoint_id, before in self.rows.items():
            after = checkpoints_db.checkpoint_get(checkpoint_id)
            self.assertEqual([getattr(before, f) for f in FIELDS],
                             [getattr(after, f) for f in FIELDS])
            self.assertEqual(graph.pack(graph.deserialize(
                before.resource_graph)), graph.pack(graph.deserialize(
                    after.resource_graph)))
        # Through the API: listed, and a verification of one succeeds.
        listed = [c['id'] for c in self.get(self.checkpoints_path()).json[
            'checkpoints']]
        self.assertEqual(sorted(self.made), sorted(listed))
        created = self.post('verifications', {'verification': {
            'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.made[0]}}, status=202).json['verification']
        self.wait_for(lambda: self.get('verifications/%s' % created['id'])
                      .json['verification'],
                      lambda v: v['status'] != 'verifying', 'success')
        # A second run finds everything indexed.
        self.assertEqual({'found': 2, 'added': 0, 'present': 2,
                          'unreadable': 0},
                         index_rebuild.rebuild(self.provider))

    def test_unfinished_and_unreadable_indexes(self):
        index = self.provider.bank.get_json(
            'checkpoints/%s/index.json' % self.made[0])
        unfinished = 'aaaaaaaa-1111-4111-8111-111111111111'
        self.write_index(unfinished, dict(
            index, id=unfinished,
            status=constants.CHECKPOINT_STATUS_PROTECTING))
        self.write_index('bbbbbbbb-2222-4222-8222-222222222222',
                         '{"not json')
        self.write_index('cccccccc-3333-4333-8333-333333333333',
                         dict(index, id='someone-else'))
        self.assertEqual({'found': 5, 'added': 1, 'present': 2,
                          'unreadable': 2},
                         index_rebuild.rebuild(self.provider))
        row = checkpoints_db.checkpoint_get(unfinished)
        self.assertEqual('error', row.status)
        self.assertIn('rebuilt from the bank, where it was protecting',
                      row.status_reason)
