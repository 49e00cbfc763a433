"""Checkpoint show and list carry the latest verification of each
checkpoint (id, level, status, end), in ``verification`` and, for the
karbor shell's checkpoint-list, in words under ``metadata``; the list
filters on it (never, verified, failed)."""

import os

from karbor.tests.unit.verification import base


class CheckpointVerificationStateTest(base.VerificationTestCase):

    def listed(self, **query):
        suffix = self.query(**query) if query else ''
        return {c['id']: c for c in self.get(self.checkpoints_path(
            rest=suffix)).json['checkpoints']}

    def test_state_in_show_list_and_filter(self):
        never = self.available_checkpoint(dirs=('alpha',), name='never')
        good = self.available_checkpoint(dirs=('alpha',), name='good')
        bad = self.available_checkpoint(dirs=('alpha',), name='bad')
        self.assertIsNone(never['verification'])
        self.assertEqual({'verification': 'never verified'},
                         never['metadata'])
        first = self.verified(good['id'], {base.DIRECTORY: {
            'level': 'quick'}}, 'success')
        # The latest verification counts: a quick one, then a deep one.
        latest = self.verified(good['id'], {base.DIRECTORY: {
            'level': 'deep'}}, 'success')
        self.assertNotEqual(first['id'], latest['id'])
        os.unlink(self.bank_file(self.object_key(bad['id'], 'alpha',
                                                 'data/00000000')))
        failed = self.verified(bad['id'], {base.DIRECTORY: {
            'level': 'quick'}}, 'error')

        shown = self.show_checkpoint(good['id'])
        self.assertEqual({'id': latest['id'], 'level': 'deep',
                          'status': 'success',
                          'ended_at': latest['ended_at']},
                         shown['verification'])
        self.assertEqual('success (deep, %s)' % latest['ended_at'],
                         shown['metadata']['verification'])
        listed = self.listed()
        self.assertEqual(shown['verification'],
                         listed[good['id']]['verification'])
        self.assertEqual(('error', 'quick', failed['id']), tuple(
            listed[bad['id']]['verification'][k]
            for k in ('status', 'level', 'id')))
        self.assertIsNone(listed[never['id']]['verification'])

        for state, expected in (('never', never), ('verified', good),
                                ('failed', bad)):
            self.assertEqual([expected['id']],
                             list(self.listed(verification=state)), state)
        self.assertEqual({}, self.listed(verification='verifying'))
        resp = self.get(self.checkpoints_path(rest='?verification=maybe'),
                        status=400)
        self.assertIn('verification', self.assertFault(resp, 400,
                                                       'badRequest'))
