"""Checkpoint verification of karbor-all, against restic's check.

Starts karbor-all on a fresh state directory (under --workdir, default the
system temporary directory) and measures, over HTTP:

1. Deep verification of a large checkpoint. A directory of --size-mib MiB
   (64 files of random bytes from os.urandom; 2048 MiB by default, so 64
   files of 32 MiB, 256 data objects of 8 MiB in the file-system bank) is
   protected (timed, for information), then a verification with
   ``{"OS::Local::Directory": {"level": "deep"}}`` is timed from the POST
   to the first GET showing ``success``, and by the server's own
   ``started_at``..``ended_at``. Throughput is the protected bytes (the
   ``bytes_checked`` of the verification's progress) over those seconds.
   karbor-all's VmRSS is sampled during the verification and its VmHWM is
   reset just before it (``/proc/<pid>/clear_refs``), so the peak reported
   is that of the verification (the lifetime peak, protect included, is
   shown too).

2. restic: ``restic init`` of a repository in the same working directory
   (same disk), ``restic backup`` of the same directory, then
   ``restic check --read-data`` timed; throughput is the directory's bytes
   over those seconds, and the ratio karbor / restic is reported. The
   peak RSS and CPU seconds of restic come from wait4().

3. Quick verification of many resources: --resources sub-directories of
   the protected root, one small file each, in one plan (the plan create
   validates every resource: timed), one checkpoint (timed), then a
   verification at the default, quick, level: timed.

Page cache: everything is warm. The directory, the bank and the restic
repository were just written; each is also read once in full before it is
timed, so neither karbor nor restic reads the disk. With --drop-caches
(root only) the deep verification and the restic check are timed once more
each after ``echo 3 > /proc/sys/vm/drop_caches``.

Prints a table of every figure, with the targets of the issue next to the
three that have one (PASS/FAIL). Not a test. Linux only (/proc).

    python benchmarks/verify.py [--size-mib 2048] [--resources 1000]
        [--keep] [--skip-restic] [--drop-caches]
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
from karbor.common import constants

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = 'OS::Local::Directory'
MIB = 1024 * 1024
BLOCK = 4 * MIB
LARGE_FILES = 64
POLL_INTERVAL = 0.05
RSS_INTERVAL = 0.02
RESTIC = '/usr/bin/restic'

TARGET_RATIO = 3.0
TARGET_RSS_MIB = 200.0
TARGET_QUICK_S = 10.0


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


def make_many(parent, count):
    paths = []
    for n in range(count):
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
    server = Server(state, os.path.join(workdir, 'karbor-all.log'))
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

    # 3. Quick verification of many resources.
    print('creating %d directories...' % args.resources)
    sys.stdout.flush()
    many = make_many(root, args.resources)
    wanted = {os.path.relpath(p, root) for p in many}
    resources = [i for i in server.instances() if i['name'] in wanted]
    if len(resources) != args.resources:
        raise RuntimeError('%d instances found, %d expected' % (
            len(resources), args.resources))
    # The names (full paths) are left out: with them, 1,000 resources make
    # a body over the default [oslo_middleware] max_request_body_size
    # (112 KiB) and the API answers 413. The server fills them in.
    # VmHWM is reset before each step, so each peak is that step's.
    _reset_hwm(server.pid)
    t0 = time.monotonic()
    plan = server.plan('bench-many', resources, names=False)
    r['plan_s'] = time.monotonic() - t0
    r['plan_hwm'] = common.proc_status_kib(server.pid, 'VmHWM') / 1024.0
    _reset_hwm(server.pid)
    checkpoint_id, r['many_protect_s'] = server.protect(plan['id'],
                                                        args.timeout)
    r['many_protect_hwm'] = common.proc_status_kib(
        server.pid, 'VmHWM') / 1024.0
    hwm_reset = _reset_hwm(server.pid)
    rss_before = common.proc_status_kib(server.pid, 'VmRSS') / 1024.0
    cpu0 = common.cpu_seconds(server.pid)
    wall, doc = server.verify(checkpoint_id, None, args.timeout)
    r['quick'] = {'wall': wall, 'server': _seconds(doc),
                  'cpu': common.cpu_seconds(server.pid) - cpu0,
                  'resources': len(doc['resources_status']),
                  'objects': doc['progress'].get('objects_checked'),
                  'hwm': common.proc_status_kib(server.pid, 'VmHWM') / 1024.0,
                  'hwm_reset': hwm_reset, 'rss_before': rss_before}
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
    row('deep verify, karbor-all CPU', '%.2f s' % deep['cpu'])
    row('karbor-all RSS idle / before deep', '%.1f / %.1f MiB' % (
        r['idle_rss'], deep['rss_before']))
    peak = deep['hwm'] if deep['hwm'] is not None else deep['rss_sampled']
    row('deep verify, peak RSS (VmHWM%s)' % (
        ' reset before' if deep['hwm'] is not None else ' n/a: sampled'),
        '%.1f MiB' % peak, '< %.0f MiB' % TARGET_RSS_MIB,
        _verdict(peak < TARGET_RSS_MIB))
    row('deep verify, max sampled VmRSS', '%.1f MiB (%d samples)' % (
        deep['rss_sampled'], deep['samples']))
    row('karbor-all VmHWM, lifetime after protect', '%.1f MiB' %
        r['lifetime_hwm_after_protect'])
    if 'restic' in r:
        rs = r['restic']
        restic_mbs = size / rs['seconds'] / 1e6
        row('restic backup (wall)', '%.2f s; repository %.0f MiB' % (
            r['restic_backup_s'], r['restic_repo_bytes'] / MIB))
        row('restic check --read-data', '%.2f s = %.0f MB/s' % (
            rs['seconds'], restic_mbs))
        row('restic check CPU / max RSS', '%.2f s / %.1f MiB' % (
            rs['cpu'], rs['rss']))
        row('ratio karbor / restic (wall)', '%.2fx' % (mbs / restic_mbs),
            '>= %.0fx' % TARGET_RATIO,
            _verdict(mbs / restic_mbs >= TARGET_RATIO))
        row('ratio karbor / restic (server s)', '%.2fx' % (
            mbs_server / restic_mbs))
    else:
        row('restic', 'skipped (--skip-restic)', '>= %.0fx' % TARGET_RATIO,
            'n/a')
    if 'deep_cold' in r:
        cold = r['deep_cold']
        row('cold cache: deep verify (wall)', '%.2f s = %.0f MB/s' % (
            cold['wall'], size / cold['wall'] / 1e6))
        if 'restic_cold' in r:
            rc = r['restic_cold']
            row('cold cache: restic check --read-data', '%.2f s = %.0f '
                'MB/s' % (rc['seconds'], size / rc['seconds'] / 1e6))
            row('cold cache: ratio karbor / restic', '%.2fx' % (
                rc['seconds'] / cold['wall']))
    quick = r['quick']
    # Without a reset of VmHWM, these are lifetime peaks.
    peak = 'peak RSS' if quick['hwm_reset'] else 'VmHWM'
    row('%d resources: plan create' % args.resources, '%.2f s; %s %.1f '
        'MiB' % (r['plan_s'], peak, r['plan_hwm']))
    row('%d resources: protect (wall)' % args.resources,
        '%.2f s; %s %.1f MiB' % (r['many_protect_s'], peak,
                                 r['many_protect_hwm']))
    row('%d resources: quick verify (wall)' % args.resources,
        '%.2f s' % quick['wall'], '< %.0f s' % TARGET_QUICK_S,
        _verdict(quick['wall'] < TARGET_QUICK_S))
    row('%d resources: quick verify, server' % args.resources,
        '%.2f s; CPU %.2f s; %s %.1f MiB (RSS before %.1f)' % (
            quick['server'], quick['cpu'], peak, quick['hwm'],
            quick['rss_before']))
    row('%d resources: quick verify, checked' % args.resources,
        '%d verdicts, %s objects' % (quick['resources'], quick['objects']))

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
          'directory. Page cache warm: the bank and the restic repository '
          'were read in full just before each was timed. wall: POST to '
          'the first GET showing success (polled every %.2f s).' % (
              size, POLL_INTERVAL))
    if 'restic' in r:
        print(r['restic_version'])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--size-mib', type=int, default=2048,
                        help='size of the directory to verify deeply, in '
                             'MiB (default 2048)')
    parser.add_argument('--resources', type=int, default=1000,
                        help='resources of the quick verification '
                             '(default 1000)')
    parser.add_argument('--keep', action='store_true',
                        help='keep the working directory')
    parser.add_argument('--skip-restic', action='store_true',
                        help='do not run restic')
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
    if args.size_mib < 1 or args.resources < 1:
        parser.error('--size-mib and --resources must be at least 1')
    if not args.skip_restic and not os.path.exists(RESTIC):
        parser.error('%s is not installed; use --skip-restic' % RESTIC)

    workdir = tempfile.mkdtemp(prefix='karbor-bench-verify-',
                               dir=args.workdir)
    print('karbor-all verification of %d MiB and of %d resources in %s; '
          'Python %s, %s, %d CPUs' % (
              args.size_mib, args.resources, workdir,
              platform.python_version(), platform.platform(),
              os.cpu_count()))
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
