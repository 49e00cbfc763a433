"""Protect and restore throughput of karbor-all on a local directory,
against cp -a of the same tree in the same run.

Starts karbor-all on a fresh state directory (under --workdir, default the
system temporary directory, so on the disk of /tmp) and, for two trees
under <state>/protect/<project id> (the project's root):

* ``data``: --size-mib MiB (16 large files for three quarters of the
  bytes, the rest in ~100 KiB files spread over nested directories, plus a
  few empty files and directories; 1 GiB is ~2,600 files);
* ``small``: --small-files files of 1 to 16 KiB (20,000 by default),
  100 per directory;

random bytes from os.urandom, then over HTTP:

* creates a plan and a checkpoint and times it until ``available``
  (protect MB/s);
* restores the checkpoint next to the original and times it until
  ``success`` (restore MB/s);
* hashes both trees (SHA-256 of every file, plus modes) and reports whether
  the restore is identical;
* copies the tree with ``cp -a`` (and ``cp -a`` then ``sync``), the
  reference of the same run.

Nothing is dropped from the page cache: the directory was just written, so
protect reads it from memory; the bank writes are flushed to disk before
the checkpoint is available (fsync, the file-system bank's default) and
restore reads the bank from memory too. The figures are those of a warm
cache.

Prints a table of sizes, seconds, MB/s (10^6 bytes per second), the ratio
to cp -a with issue 15's target (>= 50%), the CPU seconds karbor-all spent
and its peak RSS in each phase (VmHWM reset before it; target < 200 MiB),
with the load average. Not a test. Linux only (/proc). Runs from a plain
install (no test requirements).

    python benchmarks/protect_restore.py [--size-mib 1024]
        [--small-files 20000] [--keep]
"""

import argparse
import datetime
import hashlib
import os
import platform
import random
import shutil
import stat
import subprocess
import sys
import tempfile
import time

import common
from karbor.common import constants

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = 'OS::Local::Directory'
MIB = 1024 * 1024
BLOCK = MIB
LARGE_FILES = 16
LARGE_SHARE = 0.75
SMALL_FILE_SIZE = 100 * 1024
SMALL_PER_DIR = 64
POLL_INTERVAL = 0.05


def make_tree(root, size_mib):
    """A directory of exactly ``size_mib`` MiB; (files, directories)."""
    total = size_mib * MIB
    rnd = random.Random(1024)
    os.makedirs(root)
    large_dir = os.path.join(root, 'large')
    os.makedirs(large_dir)
    large_size = int(total * LARGE_SHARE) // LARGE_FILES
    for n in range(LARGE_FILES):
        common.write_random(os.path.join(large_dir, 'blob-%02d.bin' % n),
                            large_size, BLOCK)
    small_total = total - large_size * LARGE_FILES
    count = max(1, small_total // SMALL_FILE_SIZE)
    # Sizes between 50% and 150% of the mean, adjusted to the exact total.
    sizes = [rnd.randint(SMALL_FILE_SIZE // 2, SMALL_FILE_SIZE * 3 // 2)
             for _ in range(count)]
    scale = small_total / sum(sizes)
    sizes = [int(s * scale) for s in sizes]
    sizes[-1] += small_total - sum(sizes)
    files = LARGE_FILES
    directories = 1
    for n, size in enumerate(sizes):
        group, sub = divmod(n // SMALL_PER_DIR, 8)
        directory = os.path.join(root, 'small', 'g%02d' % group,
                                 's%d' % sub)
        if not os.path.isdir(directory):
            os.makedirs(directory)
            directories += 1
        common.write_random(os.path.join(directory, 'f%04d.dat' % n), size,
                            BLOCK)
        files += 1
    for n in range(4):
        os.makedirs(os.path.join(root, 'empty', 'e%d' % n, 'deeper'))
        open(os.path.join(root, 'empty', 'e%d' % n, 'empty.txt'),
             'wb').close()
        directories += 2
        files += 1
    return files, directories


def hash_tree(root):
    """(total bytes, {relative path: (kind, mode, sha256)})."""
    tree, total = {}, 0
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            path = os.path.join(dirpath, name)
            tree[os.path.relpath(path, root)] = (
                'dir', stat.S_IMODE(os.lstat(path).st_mode), None)
        for name in filenames:
            path = os.path.join(dirpath, name)
            digest = hashlib.sha256()
            with open(path, 'rb') as f:
                while True:
                    block = f.read(4 * MIB)
                    if not block:
                        break
                    digest.update(block)
                    total += len(block)
            tree[os.path.relpath(path, root)] = (
                'file', stat.S_IMODE(os.lstat(path).st_mode),
                digest.hexdigest())
    return total, tree


class Server(common.KarborAll):
    def operation_seconds(self, **match):
        """ended_at - started_at of the operation log matching ``match``.

        The operation log is finished just after the checkpoint or restore
        gets its final status, so it may need a moment more.
        """
        fmt = '%Y-%m-%dT%H:%M:%S.%f'
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            logs = self.call('GET', '/operation_logs')['operation_logs']
            for log in logs:
                if (all(log.get(k) == v for k, v in match.items()) and
                        log['ended_at']):
                    started = datetime.datetime.strptime(log['started_at'],
                                                         fmt)
                    ended = datetime.datetime.strptime(log['ended_at'], fmt)
                    return (ended - started).total_seconds()
            time.sleep(POLL_INTERVAL)
        return float('nan')


def du(path):
    total = 0
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def make_small_tree(root, count):
    """``count`` files of 1 to 16 KiB in directories of 100; (files,
    directories)."""
    rnd = random.Random(count)
    os.makedirs(root)
    directories = 1
    for n in range(count):
        directory = os.path.join(root, 'd%04d' % (n // 100))
        if n % 100 == 0:
            os.makedirs(directory)
            directories += 1
        with open(os.path.join(directory, 'f%06d' % n), 'wb') as f:
            f.write(os.urandom(rnd.randint(1024, 16 * 1024)))
    return count, directories


def _reset_hwm(pid):
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if refused."""
    try:
        with open('/proc/%d/clear_refs' % pid, 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def run(args, workdir):
    state = os.path.join(workdir, 'state')
    server = Server(state, os.path.join(workdir, 'karbor-all.log'))
    try:
        server.wait_ready()
        idle_rss = common.proc_status_kib(server.pid, 'VmRSS') / 1024.0
        # karbor-all's root for a project: <state>/protect/<project id>.
        root = os.path.realpath(os.path.join(state, 'protect',
                                             common.PROJECT))
        results = []
        trees = [('data', lambda path: make_tree(path, args.size_mib))]
        if args.small_files:
            trees.append(('small', lambda path: make_small_tree(
                path, args.small_files)))
        for name, make in trees:
            results.append(_measure(args, server, state, root, name, make))
        return idle_rss, results
    except Exception:
        with open(server.log_path, 'rb') as f:
            sys.stderr.write(f.read().decode('utf-8', 'replace')[-20000:])
        raise
    finally:
        server.stop()


def _measure(args, server, state, root, name, make):
    data = os.path.join(root, name)
    t0 = time.monotonic()
    files, directories = make(data)
    os.sync()
    print('created %s: %d files, %d directories in %.1f s '
          '(page cache warm: nothing dropped)' % (
              data, files, directories, time.monotonic() - t0))
    sys.stdout.flush()
    total_bytes, original = hash_tree(data)

    instances = server.call(
        'GET', '/protectables/%s/instances' % DIRECTORY)['instances']
    # Named relative to the project's root.
    [resource] = [i for i in instances if i['name'] == name]
    plan = server.call('POST', '/plans', expect=(200, 201, 202), body={
        'plan': {'name': 'bench-' + name, 'provider_id': PROVIDER_ID,
                 'resources': [{'id': resource['id'], 'type': DIRECTORY,
                                'name': resource['name']}],
                 'parameters': {}}})['plan']

    bank = os.path.join(state, 'bank')
    bank_before = du(bank)
    _reset_hwm(server.pid)
    cpu0 = common.cpu_seconds(server.pid)
    start = time.monotonic()
    checkpoint = server.call(
        'POST', '/providers/%s/checkpoints' % PROVIDER_ID,
        expect=(200, 202),
        body={'checkpoint': {'plan_id': plan['id'],
                             'extra-info': None}})['checkpoint']
    end, _ = server.wait_status(
        '/providers/%s/checkpoints/%s' % (PROVIDER_ID, checkpoint['id']),
        'checkpoint', constants.CHECKPOINT_STATUS_AVAILABLE,
        (constants.CHECKPOINT_STATUS_ERROR,), args.timeout)
    protect = {'seconds': end - start,
               'cpu': common.cpu_seconds(server.pid) - cpu0,
               'hwm': common.proc_status_kib(server.pid, 'VmHWM') / 1024.0,
               'server': server.operation_seconds(
                   operation_type='protect', checkpoint_id=checkpoint['id']),
               'load': os.getloadavg()}
    bank_bytes = du(bank) - bank_before

    _reset_hwm(server.pid)
    cpu0 = common.cpu_seconds(server.pid)
    start = time.monotonic()
    restore = server.call('POST', '/restores', expect=(200, 202), body={
        'restore': {'provider_id': PROVIDER_ID,
                    'checkpoint_id': checkpoint['id'],
                    'restore_target': None, 'restore_auth': None,
                    'parameters': {}}})['restore']
    end, _ = server.wait_status(
        '/restores/%s' % restore['id'], 'restore',
        constants.RESTORE_STATUS_SUCCESS,
        (constants.RESTORE_STATUS_FAILURE,), args.timeout)
    restored_at = '%s.restored-%s' % (data, restore['id'][-8:])
    restore_fig = {'seconds': end - start,
                   'cpu': common.cpu_seconds(server.pid) - cpu0,
                   'hwm': common.proc_status_kib(server.pid, 'VmHWM') / 1024.0,
                   'server': server.operation_seconds(
                       operation_type='restore', restore_id=restore['id']),
                   'load': os.getloadavg()}

    t0 = time.monotonic()
    restored_bytes, restored = hash_tree(restored_at)
    identical = restored == original and restored_bytes == total_bytes
    hash_seconds = time.monotonic() - t0
    shutil.rmtree(restored_at)

    copy_seconds = copy_sync_seconds = None
    if args.baseline:
        # The same bytes through cp -a, into the same file system: what
        # this machine's page cache allows for a copy (no hashing, no
        # fsync); and cp -a then sync: the same bytes on the disk, as a
        # protect leaves them before its checkpoint is available.
        copy = os.path.join(os.path.dirname(state), 'cp-a-copy')
        os.sync()
        t0 = time.monotonic()
        subprocess.run(['cp', '-a', data, copy], check=True)
        copy_seconds = time.monotonic() - t0
        os.sync()
        copy_sync_seconds = time.monotonic() - t0
        shutil.rmtree(copy)
        os.sync()
    return {'name': name, 'bytes': total_bytes, 'files': files,
            'directories': directories, 'bank_bytes': bank_bytes,
            'protect': protect, 'restore': restore_fig,
            'identical': identical, 'hash_seconds': hash_seconds,
            'copy_seconds': copy_seconds,
            'copy_sync_seconds': copy_sync_seconds}


def report(idle_rss, results):
    print()
    header = ('%-6s %-8s %8s %8s %8s %8s %9s %9s %7s %8s' % (
        'tree', 'phase', 'MiB', 'wall s', 'server s', 'MB/s', 'of cp -a',
        'target', 'CPU s', 'HWM MiB'))
    print(header)
    print('-' * len(header))
    for result in results:
        size = result['bytes']
        copy = result['copy_seconds']
        for phase in ('protect', 'restore'):
            fig = result[phase]
            ratio = copy / fig['seconds'] if copy else None
            print('%-6s %-8s %8.1f %8.2f %8.2f %8.1f %9s %9s %7.2f %8.1f' % (
                result['name'], phase, size / MIB, fig['seconds'],
                fig['server'], size / fig['seconds'] / 1e6,
                '%.0f%%' % (100 * ratio) if ratio else '-',
                ('>=50%% %s' % ('PASS' if ratio >= 0.5 else 'FAIL'))
                if ratio else '-', fig['cpu'], fig['hwm']))
        if copy:
            for label, seconds in (('cp -a', copy),
                                   ('cp+sync', result['copy_sync_seconds'])):
                print('%-6s %-8s %8.1f %8.2f %8s %8.1f' % (
                    result['name'], label, size / MIB, seconds, '-',
                    size / seconds / 1e6))
    print()
    for result in results:
        print('%s: %d bytes (%.1f MiB) in %d files, %d directories; the '
              'bank got %d bytes; restore identical (SHA-256 of every '
              'file, modes, tree): %s' % (
                  result['name'], result['bytes'], result['bytes'] / MIB,
                  result['files'], result['directories'],
                  result['bank_bytes'],
                  'YES' if result['identical'] else 'NO'))
        for phase in ('protect', 'restore'):
            print('  %s: peak RSS %.1f MiB (target < 200: %s), load '
                  'average at its end %.2f %.2f %.2f' % (
                      (phase, result[phase]['hwm'],
                       'PASS' if result[phase]['hwm'] < 200 else 'FAIL') +
                      result[phase]['load']))
    print()
    print('wall s: from the POST to the first GET showing the final status '
          '(polled every %.2f s); server s: ended_at - started_at of the '
          'operation log; of cp -a: cp -a seconds / wall seconds (warm '
          'cache, no fsync; cp+sync: cp -a then sync, for reference: a '
          'protect makes its objects durable before the checkpoint is '
          'available); HWM: peak RSS of karbor-all during the phase '
          '(VmHWM reset before it)' % POLL_INTERVAL)
    print('karbor-all RSS when idle: %.1f MiB' % idle_rss)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--size-mib', type=int, default=1024,
                        help='size of the directory to protect, in MiB '
                             '(default 1024)')
    parser.add_argument('--small-files', type=int, default=20000,
                        help='files of the second tree, 1 to 16 KiB each '
                             '(default 20000; 0: no second tree)')
    parser.add_argument('--keep', action='store_true',
                        help='keep the state directory (data, bank, '
                             'restore, database, log)')
    parser.add_argument('--workdir', default=None,
                        help='where to create the state directory '
                             '(default: the temporary directory)')
    parser.add_argument('--no-baseline', dest='baseline',
                        action='store_false',
                        help='skip the reference copy with cp -a')
    parser.add_argument('--timeout', type=float, default=1800.0,
                        help='give up an operation after this many seconds')
    args = parser.parse_args(argv)
    if args.size_mib < 1:
        parser.error('--size-mib must be at least 1')

    workdir = tempfile.mkdtemp(prefix='karbor-bench-pr-', dir=args.workdir)
    print('karbor-all protect/restore of %d MiB in %s; Python %s, %s, '
          '%d CPUs, load average %.2f' % (
              args.size_mib, workdir, platform.python_version(),
              platform.platform(), os.cpu_count(), os.getloadavg()[0]))
    sys.stdout.flush()
    try:
        idle_rss, results = run(args, workdir)
        report(idle_rss, results)
        print('load average (1, 5, 15 min) at the end: %.2f %.2f %.2f; '
              'other work on this machine slows every figure' %
              os.getloadavg())
    finally:
        if args.keep:
            print('kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(r['identical'] for r in results) else 1


if __name__ == '__main__':
    sys.exit(main())
