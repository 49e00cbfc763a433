"""A verification's Progress writes what changed, once: counters written
already (by a write of its own, or by the caller) are not written again;
verdicts always are. Plain Python: the writes go to lists."""

import testtools

from karbor.services.protection import verification


class ProgressWritesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.flushed, self.recorded = [], []
        self.progress = verification.Progress(
            self.flushed.append, interval=0,
            record=lambda verdicts, values: self.recorded.append(
                (verdicts, values)))

    def test_the_same_counters_are_written_once(self):
        self.progress.add(resources_total=2)
        self.progress.write_now()
        self.progress.write_now()
        self.assertEqual(1, len(self.flushed))
        self.assertEqual(2, self.flushed[0]['resources_total'])
        self.progress.add(objects_total=3)
        self.assertEqual(2, len(self.flushed))
        self.assertEqual(3, self.flushed[1]['objects_total'])

    def test_counted_and_written_by_the_caller(self):
        self.progress.count(resources_total=1)
        self.assertEqual([], self.flushed)
        self.progress.written(self.progress.snapshot())
        self.progress.write_now()
        self.assertEqual([], self.flushed)

    def test_a_verdict_is_always_written(self):
        self.progress.write_now()
        self.progress.verdict('T#1', 'success', resources_checked=1)
        self.assertEqual(1, len(self.recorded))
        self.assertEqual({'T#1': ('success', '')}, self.recorded[0][0])
        # Its counters went with it: nothing left to write.
        self.progress.write_now()
        self.assertEqual(1, len(self.flushed))
