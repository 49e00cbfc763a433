"""The sample level: a share of the objects per run, every object within
a stated number of runs, the coverage stated on each verification."""

import math

from karbor.services.protection import sampling
from karbor.tests import base as test_base
from karbor.tests.unit.verification import base

SAMPLE = {base.DIRECTORY: {'level': 'sample', 'percent': '34'}}


class SamplePlanTest(test_base.TestCase):
    """sampling.plan alone, over many runs."""

    def runs(self, total, percent, count):
        objects = [{'key': 'data/%08d' % i, 'size': 1} for i in range(total)]
        windows, records, read = [], [], []
        for _ in range(count):
            chosen, record = sampling.plan('cp', objects, percent, windows)
            windows.append((record['start'], record['objects_read'],
                            record['objects_total']))
            records.append(record)
            read.append([o['key'] for o in chosen])
        return records, read

    def test_every_object_within_the_stated_runs(self):
        for total, percent in ((25, 10), (1000, 7), (3, 34), (1, 10),
                               (10, 100), (7, 50)):
            needed = math.ceil(total / math.ceil(total * percent / 100.0))
            self.assertLessEqual(needed, math.ceil(100 / percent))
            records, read = self.runs(total, percent, needed + 2)
            self.assertEqual(needed, records[0]['runs_for_full_coverage'])
            seen = set()
            for run, (record, keys) in enumerate(zip(records, read), 1):
                self.assertEqual(len(keys), record['objects_read'])
                self.assertEqual(len(keys), len(set(keys)))
                seen |= set(keys)
                self.assertEqual(min(total, len(seen)) if run <= needed
                                 else total, record['objects_covered'])
            self.assertEqual(total, len(seen))
            self.assertEqual(100.0, records[needed - 1]['coverage_percent'])

    def test_coverage_figures(self):
        records, _ = self.runs(1000, 10, 11)
        self.assertEqual([10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0,
                          90.0, 100.0, 100.0],
                         [r['coverage_percent'] for r in records])

    def test_order_spreads_over_the_tree(self):
        objects = [{'key': 'data/%08d' % i} for i in range(100)]
        first = sampling.order('cp', objects)[:10]
        self.assertNotEqual(objects[:10], first)
        self.assertEqual(first, sampling.order('cp', objects)[:10])
        self.assertNotEqual(first, sampling.order('other', objects)[:10])


class SampleVerificationTest(base.VerificationTestCase):
    """Directory "big" on the chunked provider: three objects; 34 % is
    two objects a run, all three within two runs."""

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint(
            dirs=('big',), provider_id=base.CHUNKED_PROVIDER_ID)
        self.big = self.resource_key('big')

    def sampled(self, status='success'):
        return self.verified(self.checkpoint['id'], SAMPLE, status=status,
                             provider_id=base.CHUNKED_PROVIDER_ID)

    def test_two_runs_cover_everything(self):
        first = self.sampled()
        self.assertEqual({self.big: 'sample'}, first['levels'])
        coverage = first['coverage'][self.big]
        self.assertEqual(
            ('sample', 34, 2, 3, 2, 66.7, 2),
            (coverage['level'], coverage['percent'],
             coverage['objects_read'], coverage['objects_total'],
             coverage['objects_covered'], coverage['coverage_percent'],
             coverage['runs_for_full_coverage']))
        self.assertEqual(first['progress']['bytes_checked'],
                         coverage['bytes_read'])
        self.assertEqual(2, first['progress']['objects_checked'])
        second = self.sampled()['coverage'][self.big]
        self.assertEqual((3, 100.0), (second['objects_covered'],
                                      second['coverage_percent']))
        self.assertEqual((coverage['start'] + 2) % 3, second['start'])

    def test_damage_found_when_sampled_and_named_by_file(self):
        path = self.bank_file(self.object_key(
            self.checkpoint['id'], 'big', 'data/00000001'),
            base.CHUNKED_PROVIDER_ID)
        with open(path, 'r+b') as f:
            f.seek(10)
            byte = f.read(1)
            f.seek(10)
            f.write(bytes([byte[0] ^ 1]))
        shown = [self.sampled(status=None) for _ in range(2)]
        damaged = [v for v in shown if v['status'] == 'error']
        self.assertTrue(damaged, shown)
        reason = damaged[0]['resource_reason'][self.big]
        self.assertIn('data/00000001', reason)
        self.assertIn('SHA-256 mismatch', reason)
        self.assertIn('it holds random.bin', reason)

    def test_bad_percent_is_refused(self):
        for percent in ('0', '101', 'ten', 0, 150):
            resp = self.verify(self.checkpoint['id'], {base.DIRECTORY: {
                'level': 'sample', 'percent': percent}},
                provider_id=base.CHUNKED_PROVIDER_ID, status=400)
            self.assertIn('percent', resp.json['badRequest']['message'])
