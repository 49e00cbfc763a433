"""Checkpoint verification of karbor-all: deep (warm and cold) and quick.

Starts karbor-all on a fresh state directory (under --workdir, default the
system temporary directory) and measures, over HTTP:

1. Deep verification of a large checkpoint. A directory of --size-mib MiB
   (64 files of random bytes from os.urandom; 2048 MiB by default, so 256
   data objects of 8 MiB in the file-system bank) is protected (timed, for
   information), then a verification with
   ``{"OS::Local::Directory": {"level": "deep"}}`` is timed from the POST
   to the first GET showing ``success``, and by the server's own
   ``started_at``..``ended_at``. Warm: the bank is read in full just
   before. karbor-all's VmHWM is reset just before it
   (``/proc/<pid>/clear_refs``), so the peak reported is the
   verification's. Reference, same run: SHA-256 of the same bytes, in
   memory, by two threads.

2. The same deep verification from a cold cache: the bank's pages are
   dropped with ``posix_fadvise(POSIX_FADV_DONTNEED)`` after a sync (no
   root needed), ``dd if=<object> of=/dev/null bs=4M`` of every data
   object in turn gives the disk's sequential read rate for the same
   bytes, the pages are dropped again, and the verification is timed.
   (--skip-cold leaves it out; --drop-caches, as root, times it once more
   after ``echo 3 > /proc/sys/vm/drop_caches``.)

3. Quick verification of many resources, for each count of --resources
   (1,000 and 5,000 by default; a plan holds at most 5,000 resources, the
   API's limit): that many new sub-directories of the
   protected root, one small file each, in one plan (timed), one
   checkpoint (timed), then a verification at the quick level: timed, with
   its start-up (``created_at``..``started_at``: what runs before the
   first check) apart.

With --restic, ``restic check --read-data`` of the same files is timed
too, for comparison (/usr/bin/restic).

Prints a table of every figure, with the targets of issue 15 next to
those that have one (PASS/FAIL), and the load average. Not a test. Linux
only (/proc). Runs from a plain install (no test requirements).

    python benchmarks/verify.py [--size-mib 2048] [--resources 1000,5000]
        [--keep] [--skip-cold] [--restic] [--drop-caches]
"""

import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import common
from karbor.api.schemas.v1 import common as api_limits
from karbor.common import constants

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = 'OS::Local::Directory'
MIB = 1024 * 1024
BLOCK = 4 * MIB
LARGE_FILES = 64
POLL_INTERVAL = 0.05
RSS_INTERVAL = 0.02
RESTIC = '/usr/bin/restic'
# The most resources a plan may hold (the API's limit).
MAX_RESOURCES = api_limits.MAX_PLAN_RESOURCES

TARGET_RSS_MIB = 200.0
# Quick verification: under 1 s per 1,000 resources.
TARGET_QUICK_S_PER_1000 = 1.0


def _reset_hwm(pid):
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if refused."""
    try:
        with open('/proc/%d/clear_refs' % pid, 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def _drop_caches():
    os.sync()
    try:
        with open('/proc/sys/vm/drop_caches', 'w') as f:
            f.write('3\n')
        return True
    except OSError as e:
        print('cannot drop the page cache: %s' % e)
        return False


def _read_tree(path):
    """Read every file under ``path`` once (warms the page cache)."""
    total = 0
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            with open(os.path.join(dirpath, name), 'rb',
                      buffering=0) as f:
                while True:
                    n = len(f.read(BLOCK))
                    if not n:
                        break
                    total += n
    return total


def _files(path):
    return sorted(os.path.join(d, n) for d, _, names in os.walk(path)
                  for n in names)


def _evict(path):
    """Drop the (clean) pages of every file under ``path`` from the page
    cache, without root: posix_fadvise(DONTNEED) after a sync."""
    os.sync()
    for name in _files(path):
        fd = os.open(name, os.O_RDONLY)
        try:
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def sequential_read(path):
    """(bytes, seconds) of ``dd if=<file> of=/dev/null bs=4M`` over every
    file under ``path`` in turn (after :func:`_evict`: the disk's
    sequential read rate for the same bytes)."""
    names = _files(path)
    total = sum(os.path.getsize(n) for n in names)
    start = time.monotonic()
    # One dd per file, in one shell: process starts are counted too, a
    # few ms per file, against the reference.
    subprocess.run(['sh', '-c', 'for f; do dd if="$f" of=/dev/null bs=4M '
                    'status=none || exit 1; done', 'sh'] + names,
                   check=True)
    return total, time.monotonic() - start


def hash_rate(path, threads=2, limit=1024 * MIB):
    """SHA-256 bytes per second of ``threads`` threads hashing, in
    memory, the first ``limit`` bytes of the files under ``path`` (each
    thread its share, read before the clock starts)."""
    import hashlib
    data, total = [], 0
    for name in _files(path):
        with open(name, 'rb') as f:
            block = f.read()
        data.append(block)
        total += len(block)
        if total >= limit:
            break
    shares = [data[i::threads] for i in range(threads)]

    def work(blocks):
        for block in blocks:
            hashlib.sha256(block).digest()

    workers = [threading.Thread(target=work, args=(share,))
               for share in shares]
    start = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return total / (time.monotonic() - start)


def _seconds(doc):
    started = datetime.datetime.fromisoformat(doc['started_at'])
    ended = datetime.datetime.fromisoformat(doc['ended_at'])
    return (ended - started).total_seconds()


class RssSampler(threading.Thread):
    """Max VmRSS of ``pid`` while it runs, sampled every RSS_INTERVAL."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            try:
                rss = common.proc_status_kib(self.pid, 'VmRSS')
            except (OSError, RuntimeError):
                break
            self.peak_kib = max(self.peak_kib, rss)
            self.samples += 1
            self._stop_event.wait(RSS_INTERVAL)

    def stop(self):
        self._stop_event.set()
        self.join()
        return self.peak_kib / 1024.0


class Server(common.KarborAll):
    def instances(self):
        """Every OS::Local::Directory instance, following the pages."""
        found, marker = [], None
        while True:
            path = '/protectables/%s/instances?sort=id:asc' % DIRECTORY
            if marker:
                path += '&marker=%s' % marker
            doc = self.call('GET', path)
            found.extend(doc['instances'])
            if not doc.get('instances_links'):
                return found
            marker = doc['instances'][-1]['id']

    def plan(self, name, resources, names=True):
        """Create a plan; without ``names`` the server takes each
        resource's name from the instance (a smaller request body)."""
        items = [{'id': r['id'], 'type': DIRECTORY} for r in resources]
        if names:
            for item, r in zip(items, resources):
                item['name'] = r['name']
        return self.call('POST', '/plans', expect=(200, 201, 202), body={
            'plan': {'name': name, 'provider_id': PROVIDER_ID,
                     'resources': items, 'parameters': {}}})['plan']

    def protect(self, plan_id, timeout):
        start = time.monotonic()
        checkpoint = self.call(
            'POST', '/providers/%s/checkpoints' % PROVIDER_ID,
            expect=(200, 202),
            body={'checkpoint': {'plan_id': plan_id,
                                 'extra-info': None}})['checkpoint']
        end, _ = self.wait_status(
            '/providers/%s/checkpoints/%s' % (PROVIDER_ID, checkpoint['id']),
            'checkpoint', constants.CHECKPOINT_STATUS_AVAILABLE,
            (constants.CHECKPOINT_STATUS_ERROR,), timeout)
        return checkpoint['id'], end - start

    def verify(self, checkpoint_id, level, timeout, interval=POLL_INTERVAL):
        """(wall seconds, final body) of one verification."""
        parameters = {DIRECTORY: {'level': level}} if level else {}
        start = time.monotonic()
        doc = self.call('POST', '/verifications', expect=(200, 202), body={
            'verification': {'provider_id': PROVIDER_ID,
                             'checkpoint_id': checkpoint_id,
                             'parameters': parameters}})['verification']
        end, doc = self.wait_status(
            '/verifications/%s' % doc['id'], 'verification',
            constants.VERIFICATION_STATUS_SUCCESS,
            (constants.VERIFICATION_STATUS_ERROR,), timeout, interval)
        return end - start, doc


def make_large(root, size_mib):
    os.makedirs(root)
    total = size_mib * MIB
    size, extra = divmod(total, LARGE_FILES)
    for n in range(LARGE_FILES):
        common.write_random(os.path.join(root, 'blob-%02d.bin' % n),
                            size + (extra if n == LARGE_FILES - 1 else 0),
                            BLOCK)
    return total


def make_many(parent, count, first=0):
    paths = []
    for n in range(first, first + count):
        path = os.path.join(parent, 'res-%05d' % n)
        os.makedirs(path)
        with open(os.path.join(path, 'file.txt'), 'wb') as f:
            f.write(('resource %d\n' % n).encode() + os.urandom(1024))
        paths.append(path)
    return paths


def deep_verification(server, checkpoint_id, timeout, bank):
    """One timed deep verification; bank read just before (warm cache)."""
    if bank is not None:
        _read_tree(bank)
    hwm_reset = _reset_hwm(server.pid)
    rss_before = common.proc_status_kib(server.pid, 'VmRSS') / 1024.0
    cpu0 = common.cpu_seconds(server.pid)
    sampler = RssSampler(server.pid)
    sampler.start()
    try:
        wall, doc = server.verify(checkpoint_id, constants.VERIFY_LEVEL_DEEP,
                                  timeout)
    finally:
        sampled = sampler.stop()
    return {'wall': wall, 'server': _seconds(doc),
            'cpu': common.cpu_seconds(server.pid) - cpu0,
            'bytes': doc['progress'].get('bytes_checked'),
            'objects': doc['progress'].get('objects_checked'),
            'rss_before': rss_before, 'rss_sampled': sampled,
            'hwm': (common.proc_status_kib(server.pid, 'VmHWM') / 1024.0
                    if hwm_reset else None),
            'samples': sampler.samples}


def restic_env(workdir):
    env = dict(os.environ)
    env['RESTIC_PASSWORD'] = 'karbor-benchmark'
    env['RESTIC_REPOSITORY'] = os.path.join(workdir, 'restic-repo')
    env['RESTIC_CACHE_DIR'] = os.path.join(workdir, 'restic-cache')
    return env


def restic(env, *args, timed=False):
    """Run restic; (seconds, max RSS MiB, CPU s) if ``timed``."""
    start = time.monotonic()
    process = subprocess.Popen((RESTIC,) + args, env=env,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError('restic %s failed (%s): %s' % (
            ' '.join(args), process.returncode,
            output.decode('utf-8', 'replace')[-4000:]))
    if timed:
        return (seconds, usage.ru_maxrss / 1024.0,
                usage.ru_utime + usage.ru_stime)
    return output


def restic_check(env, repo):
    _read_tree(repo)
    seconds, rss, cpu = restic(env, 'check', '--read-data', timed=True)
    return {'seconds': seconds, 'rss': rss, 'cpu': cpu}


def run(args, workdir):
    state = os.path.join(workdir, 'state')
    # Plans of 10,000 resources make bodies over the default limit.
    config = os.path.join(workdir, 'karbor.conf')
    with open(config, 'w') as f:
        f.write('[oslo_middleware]\nmax_request_body_size = %d\n' % (
            64 * MIB))
    server = Server(state, os.path.join(workdir, 'karbor-all.log'),
                    args=['--config-file', config])
    try:
        return _measure(args, server, state, workdir)
    except Exception:
        with open(server.log_path, 'rb') as f:
            sys.stderr.write(f.read().decode('utf-8', 'replace')[-20000:])
        raise
    finally:
        server.stop()


def _measure(args, server, state, workdir):
    r = {}
    server.wait_ready()
    time.sleep(1)
    r['idle_rss'] = common.proc_status_kib(server.pid, 'VmRSS') / 1024.0
    r['idle_hwm'] = common.proc_status_kib(server.pid, 'VmHWM') / 1024.0
    # karbor-all's root for a project: <state>/protect/<project id>.
    root = os.path.realpath(os.path.join(state, 'protect', common.PROJECT))
    bank = os.path.join(state, 'bank', PROVIDER_ID)

    # 1. Deep verification of a large checkpoint.
    large = os.path.join(root, 'large')
    t0 = time.monotonic()
    r['bytes'] = make_large(large, args.size_mib)
    os.sync()
    print('created %s: %d MiB in %d files in %.1f s' % (
        large, args.size_mib, LARGE_FILES, time.monotonic() - t0))
    sys.stdout.flush()
    # Instances are named relative to the project's root.
    [resource] = [i for i in server.instances()
                  if i['name'] == os.path.relpath(large, root)]
    plan = server.plan('bench-large', [resource])
    checkpoint_id, r['protect_s'] = server.protect(plan['id'], args.timeout)
    r['lifetime_hwm_after_protect'] = common.proc_status_kib(
        server.pid, 'VmHWM') / 1024.0
    print('protected in %.1f s; deep verification...' % r['protect_s'])
    sys.stdout.flush()
    r['deep'] = deep_verification(server, checkpoint_id, args.timeout, bank)
    if r['deep']['bytes'] != r['bytes']:
        raise RuntimeError('the verification checked %s bytes, not %d' % (
            r['deep']['bytes'], r['bytes']))
    r['hash_rate'] = hash_rate(bank)
    r['load_deep'] = os.getloadavg()

    # Cold cache, without root: the bank's pages dropped with
    # posix_fadvise(DONTNEED), then dd of the same bytes, dropped again,
    # then the deep verification.
    if not args.skip_cold:
        _evict(bank)
        r['dd_bytes'], r['dd_s'] = sequential_read(bank)
        _evict(bank)
        r['deep_fadvise'] = deep_verification(server, checkpoint_id,
                                              args.timeout, None)

    # 2. restic over the same files.
    if not args.skip_restic:
        env = restic_env(workdir)
        restic(env, 'init')
        print('restic backup of %s...' % large)
        sys.stdout.flush()
        t0 = time.monotonic()
        restic(env, 'backup', '--quiet', large)
        r['restic_backup_s'] = time.monotonic() - t0
        r['restic_repo_bytes'] = _read_tree(env['RESTIC_REPOSITORY'])
        r['restic_version'] = restic(env, 'version').decode().strip()
        print('restic check --read-data...')
        sys.stdout.flush()
        r['restic'] = restic_check(env, env['RESTIC_REPOSITORY'])

    # Optionally, both again from a cold page cache.
    if args.drop_caches:
        if _drop_caches():
            r['deep_cold'] = deep_verification(server, checkpoint_id,
                                               args.timeout, None)
            if not args.skip_restic and _drop_caches():
                seconds, rss, cpu = restic(env, 'check', '--read-data',
                                           timed=True)
                r['restic_cold'] = {'seconds': seconds, 'rss': rss,
                                    'cpu': cpu}

    # 3. Quick verification of many resources, for each count.
    r['many'] = []
    made = 0
    for count in args.resources:
        r['many'].append(many_resources(server, root, made, count, args))
        made += count
    return r


def many_resources(server, root, first, count, args):
    """Plan, protect and verify ``count`` new one-file directories."""
    r = {'count': count}
    print('creating %d directories...' % count)
    sys.stdout.flush()
    many = make_many(root, count, first)
    wanted = {os.path.relpath(p, root) for p in many}
    resources = [i for i in server.instances() if i['name'] in wanted]
    if len(resources) != count:
        raise RuntimeError('%d instances found, %d expected' % (
            len(resources), count))
    # The names (full paths) are left out, for a smaller body (the server
    # fills them in); karbor-all's body limit is raised for it (--config).
    # VmHWM is reset before each step, so each peak is that step's.
    _reset_hwm(server.pid)
    t0 = time.monotonic()
    plan = server.plan('bench-many-%d' % count, resources, names=False)
    r['plan_s'] = time.monotonic() - t0
    r['plan_hwm'] = common.proc_status_kib(server.pid, 'VmHWM') / 1024.0
    _reset_hwm(server.pid)
    checkpoint_id, r['protect_s'] = server.protect(plan['id'],
                                                   args.timeout)
    r['protect_hwm'] = common.proc_status_kib(server.pid, 'VmHWM') / 1024.0
    hwm_reset = _reset_hwm(server.pid)
    rss_before = common.proc_status_kib(server.pid, 'VmRSS') / 1024.0
    cpu0 = common.cpu_seconds(server.pid)
    wall, doc = server.verify(checkpoint_id, constants.VERIFY_LEVEL_QUICK,
                              args.timeout)
    created = datetime.datetime.fromisoformat(doc['created_at'])
    started = datetime.datetime.fromisoformat(doc['started_at'])
    r.update({'wall': wall, 'server': _seconds(doc),
              'startup': (started - created).total_seconds(),
              'cpu': common.cpu_seconds(server.pid) - cpu0,
              'resources': len(doc['resource_status']),
              'objects': doc['progress'].get('objects_checked'),
              'hwm': common.proc_status_kib(server.pid, 'VmHWM') / 1024.0,
              'hwm_reset': hwm_reset, 'rss_before': rss_before,
              'load': os.getloadavg()})
    return r


def _verdict(ok):
    return 'PASS' if ok else 'FAIL'


def report(args, r):
    size = r['bytes']
    deep = r['deep']
    rows = []

    def row(what, value, target='', verdict=''):
        rows.append((what, value, target, verdict))

    mbs = size / deep['wall'] / 1e6
    mbs_server = size / deep['server'] / 1e6
    row('data', '%.0f MiB, %d files, %s objects' % (
        size / MIB, LARGE_FILES, deep['objects']))
    row('protect (wall)', '%.2f s (%.0f MB/s)' % (
        r['protect_s'], size / r['protect_s'] / 1e6))
    row('deep verify, wall (POST..success)', '%.2f s = %.0f MB/s' % (
        deep['wall'], mbs))
    row('deep verify, server started..ended', '%.2f s = %.0f MB/s' % (
        deep['server'], mbs_server))
    hash_mbs = r['hash_rate'] / 1e6
    row('reference: SHA-256, 2 threads, in memory', '%.0f MB/s' % hash_mbs)
    row('deep verify / 2-thread SHA-256 (server s)', '%.0f%%' % (
        100.0 * mbs_server / hash_mbs), '>= 85%%',
        _verdict(mbs_server >= 0.85 * hash_mbs))
    row('deep verify / 2-thread SHA-256 (wall)', '%.0f%%' % (
        100.0 * mbs / hash_mbs))
    row('deep verify, karbor-all CPU', '%.2f s' % deep['cpu'])
    row('load average during the deep verification', '%.2f %.2f %.2f' %
        r['load_deep'])
    row('karbor-all RSS idle / before deep', '%.1f / %.1f MiB' % (
        r['idle_rss'], deep['rss_before']))
    peak = deep['hwm'] if deep['hwm'] is not None else deep['rss_sampled']
    row('deep verify, peak RSS (VmHWM%s)' % (
        ' reset before' if deep['hwm'] is not None else ' n/a: sampled'),
        '%.1f MiB' % peak, '< %.0f MiB' % TARGET_RSS_MIB,
        _verdict(peak < TARGET_RSS_MIB))
    row('karbor-all VmHWM, lifetime after protect', '%.1f MiB' %
        r['lifetime_hwm_after_protect'])
    if 'deep_fadvise' in r:
        cold = r['deep_fadvise']
        dd_mbs = r['dd_bytes'] / r['dd_s'] / 1e6
        cold_mbs = size / cold['wall'] / 1e6
        cold_server = size / cold['server'] / 1e6
        row('cold (fadvise DONTNEED): dd of the bank', '%.2f s = %.0f MB/s'
            % (r['dd_s'], dd_mbs))
        row('cold (fadvise DONTNEED): deep verify, wall',
            '%.2f s = %.0f MB/s' % (cold['wall'], cold_mbs))
        row('cold: deep verify (server s) / dd', '%.0f%%' % (
            100.0 * cold_server / dd_mbs), '>= 80%%',
            _verdict(cold_server >= 0.8 * dd_mbs))
        row('cold: deep verify (wall) / dd', '%.0f%%' % (
            100.0 * cold_mbs / dd_mbs))
        peak = cold['hwm'] if cold['hwm'] is not None else \
            cold['rss_sampled']
        row('cold: deep verify, peak RSS', '%.1f MiB' % peak,
            '< %.0f MiB' % TARGET_RSS_MIB, _verdict(peak < TARGET_RSS_MIB))
    if 'restic' in r:
        rs = r['restic']
        restic_mbs = size / rs['seconds'] / 1e6
        row('restic backup (wall)', '%.2f s; repository %.0f MiB' % (
            r['restic_backup_s'], r['restic_repo_bytes'] / MIB))
        row('restic check --read-data', '%.2f s = %.0f MB/s' % (
            rs['seconds'], restic_mbs))
        row('restic check CPU / max RSS', '%.2f s / %.1f MiB' % (
            rs['cpu'], rs['rss']))
        row('ratio karbor / restic (wall)', '%.2fx' % (mbs / restic_mbs))
    if 'deep_cold' in r:
        cold = r['deep_cold']
        row('drop_caches: deep verify (wall)', '%.2f s = %.0f MB/s' % (
            cold['wall'], size / cold['wall'] / 1e6))
        if 'restic_cold' in r:
            rc = r['restic_cold']
            row('drop_caches: restic check --read-data', '%.2f s = %.0f '
                'MB/s' % (rc['seconds'], size / rc['seconds'] / 1e6))
    for many in r['many']:
        n = many['count']
        target = TARGET_QUICK_S_PER_1000 * max(1, n / 1000.0)
        peak = 'peak RSS' if many['hwm_reset'] else 'VmHWM'
        row('%d resources: plan create' % n, '%.2f s; %s %.1f MiB' % (
            many['plan_s'], peak, many['plan_hwm']))
        row('%d resources: protect (wall)' % n, '%.2f s; %s %.1f MiB' % (
            many['protect_s'], peak, many['protect_hwm']),
            '< %.0f MiB' % TARGET_RSS_MIB,
            _verdict(many['protect_hwm'] < TARGET_RSS_MIB))
        row('%d resources: quick verify (wall)' % n, '%.2f s' %
            many['wall'], '< %.0f s' % target,
            _verdict(many['wall'] < target))
        row('%d resources: start-up (created..started)' % n, '%.2f s' %
            many['startup'])
        row('%d resources: quick verify, server' % n,
            '%.2f s; CPU %.2f s; %s %.1f MiB (RSS before %.1f)' % (
                many['server'], many['cpu'], peak, many['hwm'],
                many['rss_before']), '< %.0f MiB' % TARGET_RSS_MIB,
            _verdict(many['hwm'] < TARGET_RSS_MIB))
        row('%d resources: checked; load average' % n,
            '%d verdicts, %s objects; %.2f %.2f %.2f' % (
                (many['resources'], many['objects']) + many['load']))

    titles = [('figure', 'value', 'target', 'verdict')]
    widths = [max(len(x[i]) for x in rows + titles) for i in range(4)]
    fmt = '%%-%ds  %%-%ds  %%-%ds  %%s' % tuple(widths[:3])
    print()
    header = fmt % ('figure', 'value', 'target', 'verdict')
    print(header)
    print('-' * len(header))
    for x in rows:
        print((fmt % x).rstrip())
    print()
    print('MB/s: 10^6 bytes per second over the %d bytes of the '
          'directory. Warm: the bank was read in full just before. '
          'wall: POST to the first GET showing success (polled every '
          '%.2f s); server: the verification\'s started_at..ended_at. '
          'Cold: the bank\'s pages dropped with posix_fadvise(DONTNEED) '
          'after a sync (no root needed); dd: one dd per data object, '
          'bs=4M, in turn.' % (size, POLL_INTERVAL))
    if 'restic' in r:
        print(r['restic_version'])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--size-mib', type=int, default=2048,
                        help='size of the directory to verify deeply, in '
                             'MiB (default 2048)')
    parser.add_argument('--resources', default='1000,%d' % MAX_RESOURCES,
                        help='resources of the quick verifications, '
                             'comma-separated, each at most the %d a plan '
                             'may hold (default 1000,%d)' % (
                                 MAX_RESOURCES, MAX_RESOURCES))
    parser.add_argument('--skip-cold', action='store_true',
                        help='skip the cold-cache deep verification '
                             '(posix_fadvise DONTNEED) and its dd')
    parser.add_argument('--keep', action='store_true',
                        help='keep the working directory')
    parser.add_argument('--restic', dest='skip_restic',
                        action='store_false',
                        help='also run restic check --read-data on the '
                             'same files, for comparison')
    parser.add_argument('--drop-caches', action='store_true',
                        help='also time the deep verification and the '
                             'restic check after dropping the page cache '
                             '(root only)')
    parser.add_argument('--workdir', default=None,
                        help='where to create the working directory '
                             '(default: the temporary directory)')
    parser.add_argument('--timeout', type=float, default=1800.0,
                        help='give up an operation after this many seconds')
    args = parser.parse_args(argv)
    try:
        args.resources = [int(n) for n in args.resources.split(',')]
    except ValueError:
        parser.error('--resources takes numbers separated by commas')
    if args.size_mib < 1 or min(args.resources) < 1:
        parser.error('--size-mib and --resources must be at least 1')
    if max(args.resources) > MAX_RESOURCES:
        parser.error('a plan holds at most %d resources (the API refuses '
                     'more: karbor.api.schemas.v1.common.'
                     'MAX_PLAN_RESOURCES)' % MAX_RESOURCES)
    if not args.skip_restic and not os.path.exists(RESTIC):
        parser.error('%s is not installed; run without --restic' % RESTIC)

    workdir = tempfile.mkdtemp(prefix='karbor-bench-verify-',
                               dir=args.workdir)
    print('karbor-all verification of %d MiB and of %s resources in %s; '
          'Python %s, %s, %d CPUs, load average %.2f %.2f %.2f' % (
              (args.size_mib, args.resources, workdir,
               platform.python_version(), platform.platform(),
               os.cpu_count()) + os.getloadavg()))
    sys.stdout.flush()
    try:
        result = run(args, workdir)
        report(args, result)
    finally:
        if args.keep:
            print('kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
