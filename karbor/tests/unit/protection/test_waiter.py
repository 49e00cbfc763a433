"""karbor.services.protection.waiter: one thread looks at every job."""

import threading
import time

import testtools

from karbor.services.protection import waiter


class Job:
    """Done at the ``done_at``-th look (never if None); ``fail`` raises."""

    def __init__(self, done_at=1, fail=None, name='job'):
        self.done_at = done_at
        self.fail = fail
        self.name = name
        self.looks = []
        self.threads = set()
        self.closed = 0

    def poll(self):
        self.looks.append(time.monotonic())
        self.threads.add(threading.current_thread().name)
        if self.fail:
            raise self.fail
        if self.done_at is not None and len(self.looks) >= self.done_at:
            return self.name
        return waiter.NOT_YET

    def describe(self):
        return '%s still working' % self.name

    def close(self):
        self.closed += 1


class WaiterTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.waiter = waiter.Waiter()
        self.addCleanup(self.waiter.stop, 'test over')

    def test_many_jobs_one_thread(self):
        before = threading.active_count()
        jobs = [Job(done_at=3, name='job%d' % i) for i in range(50)]
        started = time.monotonic()
        future_list = [self.waiter.watch(job, 0.02, 10) for job in jobs]
        # watch() returns at once: nobody waits for the job in the caller.
        self.assertLess(time.monotonic() - started, 0.5)
        self.assertEqual(['job%d' % i for i in range(50)],
                         [f.result(timeout=10) for f in future_list])
        self.assertEqual(before + 1, threading.active_count())
        self.assertEqual({'karbor-waiter'},
                         set().union(*(job.threads for job in jobs)))
        for job in jobs:
            self.assertEqual(3, len(job.looks))
            self.assertEqual(1, job.closed)
            # The interval between two looks is kept.
            gaps = [b - a for a, b in zip(job.looks, job.looks[1:])]
            self.assertTrue(all(gap >= 0.015 for gap in gaps), gaps)
        self.assertEqual(0, self.waiter.pending())

    def test_timeout(self):
        job = Job(done_at=None)
        future = self.waiter.watch(job, 0.01, 0.05)
        error = self.assertRaises(waiter.Timeout, future.result, 5)
        self.assertEqual('job still working after 0.05 s', str(error))
        self.assertEqual(1, job.closed)

    def test_failing_job(self):
        job = Job(fail=ValueError('backup went to status error'))
        future = self.waiter.watch(job, 0.01, 5)
        error = self.assertRaises(ValueError, future.result, 5)
        self.assertEqual('backup went to status error', str(error))
        self.assertEqual(1, job.closed)

    def test_stop_interrupts_what_is_left(self):
        job = Job(done_at=None)
        future = self.waiter.watch(job, 0.01, 60)
        done = self.waiter.watch(Job(done_at=1, name='quick'), 0.01, 60)
        self.assertEqual('quick', done.result(timeout=5))
        self.waiter.stop('the service stopped')
        error = self.assertRaises(waiter.Interrupted, future.result, 0)
        self.assertEqual('interrupted: the service stopped', str(error))
        self.assertEqual(1, job.closed)
        self.assertRaises(waiter.Interrupted, self.waiter.watch, Job(), 1, 1)

    def test_process_waiter_is_renewed_after_stop(self):
        first = waiter.get()
        self.assertIs(first, waiter.get())
        waiter.stop('test')
        self.assertIsNot(first, waiter.get())
        waiter.stop('test')
