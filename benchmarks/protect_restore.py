"""Protect and restore throughput of karbor-all on a local directory.

Starts karbor-all on a fresh state directory (under --workdir, default the
system temporary directory, so on the disk of /tmp), creates a directory of
--size-mib MiB under <state>/protect (16 large files for three quarters of
the bytes, the rest in ~100 KiB files spread over nested directories, plus
a few empty files and directories; random bytes from os.urandom), then over
HTTP:

* creates a plan and a checkpoint and times it until ``available``
  (protect MB/s);
* restores the checkpoint next to the original and times it until
  ``success`` (restore MB/s);
* hashes both trees (SHA-256 of every file, plus modes) and reports whether
  the restore is identical.

Nothing is dropped from the page cache: the directory was just written, so
protect reads it from memory; the bank writes are flushed to disk (fsync,
the file-system bank's default) and restore reads the bank from memory too.
The figures are those of a warm cache.

Prints a table of sizes, seconds, MB/s (10^6 bytes per second, and MiB/s),
the CPU seconds karbor-all spent, and its peak RSS (VmHWM). Not a test.
Linux only (/proc).

    python benchmarks/protect_restore.py [--size-mib 1024] [--keep]
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


def run(args, workdir):
    state = os.path.join(workdir, 'state')
    server = Server(state, os.path.join(workdir, 'karbor-all.log'))
    try:
        return _measure(args, server, state)
    except Exception:
        with open(server.log_path, 'rb') as f:
            sys.stderr.write(f.read().decode('utf-8', 'replace')[-20000:])
        raise
    finally:
        server.stop()


def _measure(args, server, state):
    server.wait_ready()
    idle_rss = common.proc_status_kib(server.pid, 'VmRSS') / 1024.0
    # karbor-all's root for a project: <state>/protect/<project id>.
    root = os.path.realpath(os.path.join(state, 'protect', common.PROJECT))
    data = os.path.join(root, 'data')
    t0 = time.monotonic()
    files, directories = make_tree(data, args.size_mib)
    os.sync()
    print('created %s: %d MiB, %d files, %d directories in %.1f s '
          '(page cache warm: nothing dropped)' % (
              data, args.size_mib, files, directories,
              time.monotonic() - t0))
    sys.stdout.flush()
    total_bytes, original = hash_tree(data)

    instances = server.call(
        'GET', '/protectables/%s/instances' % DIRECTORY)['instances']
    # Named relative to the project's root.
    [resource] = [i for i in instances if i['name'] == 'data']
    plan = server.call('POST', '/plans', expect=(200, 201, 202), body={
        'plan': {'name': 'bench', 'provider_id': PROVIDER_ID,
                 'resources': [{'id': resource['id'], 'type': DIRECTORY,
                                'name': resource['name']}],
                 'parameters': {}}})['plan']

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
                   operation_type='protect', checkpoint_id=checkpoint['id'])}
    bank_bytes = du(os.path.join(state, 'bank'))

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
                       operation_type='restore', restore_id=restore['id'])}

    t0 = time.monotonic()
    restored_bytes, restored = hash_tree(restored_at)
    identical = restored == original and restored_bytes == total_bytes
    hash_seconds = time.monotonic() - t0

    copy_seconds = None
    if args.baseline:
        # The same bytes through cp -a, into the same file system: what
        # this machine's page cache and disk allow for a copy (no hashing,
        # no fsync).
        copy = os.path.join(os.path.dirname(state), 'cp-a-copy')
        t0 = time.monotonic()
        subprocess.run(['cp', '-a', data, copy], check=True)
        copy_seconds = time.monotonic() - t0
        shutil.rmtree(copy)
    return {'bytes': total_bytes, 'files': files,
            'directories': directories, 'bank_bytes': bank_bytes,
            'protect': protect, 'restore': restore_fig,
            'identical': identical, 'hash_seconds': hash_seconds,
            'copy_seconds': copy_seconds,
            'idle_rss': idle_rss, 'restored_at': restored_at}


def report(result):
    size = result['bytes']
    print()
    print('data: %d bytes (%.1f MiB) in %d files, %d directories; bank '
          'holds %d bytes' % (size, size / MIB, result['files'],
                              result['directories'], result['bank_bytes']))
    print()
    header = ('%-8s %10s %10s %10s %9s %9s %10s %10s' % (
        'phase', 'MiB', 'wall s', 'server s', 'MB/s', 'MiB/s', 'CPU s',
        'HWM MiB'))
    print(header)
    print('-' * len(header))
    for phase in ('protect', 'restore'):
        fig = result[phase]
        print('%-8s %10.1f %10.2f %10.2f %9.1f %9.1f %10.2f %10.1f' % (
            phase, size / MIB, fig['seconds'], fig['server'],
            size / fig['seconds'] / 1e6, size / fig['seconds'] / MIB,
            fig['cpu'], fig['hwm']))
    if result['copy_seconds']:
        seconds = result['copy_seconds']
        print('%-8s %10.1f %10.2f %10s %9.1f %9.1f' % (
            'cp -a', size / MIB, seconds, '-', size / seconds / 1e6,
            size / seconds / MIB))
    print()
    print('wall s: from the POST to the first GET showing the final status '
          '(polled every %.2f s); server s: ended_at - started_at of the '
          'operation log; cp -a: the same tree copied by cp -a after the '
          'restore, for reference' % POLL_INTERVAL)
    print('karbor-all RSS when idle: %.1f MiB; peak RSS (VmHWM) at the end: '
          '%.1f MiB' % (result['idle_rss'], result['restore']['hwm']))
    print('restore identical to the original (SHA-256 of every file, '
          'modes, tree): %s (hashing the restored tree took %.1f s)' % (
              'YES' if result['identical'] else 'NO',
              result['hash_seconds']))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--size-mib', type=int, default=1024,
                        help='size of the directory to protect, in MiB '
                             '(default 1024)')
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
        result = run(args, workdir)
        report(result)
        print('load average (1, 5, 15 min) at the end: %.2f %.2f %.2f; '
              'other work on this machine slows every figure' %
              os.getloadavg())
    finally:
        if args.keep:
            print('kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if result['identical'] else 1


if __name__ == '__main__':
    sys.exit(main())
