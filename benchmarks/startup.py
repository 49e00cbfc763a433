"""Start-up time and idle memory of karbor-all.

Starts karbor-all N times, each with a fresh --state-path (so every run
also creates and migrates its SQLite database) and a free port, and
measures:

* ready: wall time from spawning the process until ``GET /`` answers 200;
* up: until ``GET /v1/<project>/os-services`` lists karbor-protection with
  state ``up``;
* RSS and HWM: VmRSS and VmHWM of /proc/<pid>/status after an idle pause;
* stop: wall time from SIGTERM until the process has exited (exit code 0
  expected).

Then prints min/median/max of each figure. Not a test: it asserts nothing
beyond the process coming up and stopping. Linux only (/proc).

    python benchmarks/startup.py [--runs 5] [--idle 5]
"""

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import common
from karbor.common import constants

PROJECT = 'bench'
POLL_INTERVAL = 0.01


def _poll(predicate, process, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError('karbor-all exited with %s before %s' % (
                process.returncode, what))
        try:
            if predicate():
                return time.monotonic()
        except OSError:
            pass  # not listening yet
        time.sleep(POLL_INTERVAL)
    raise RuntimeError('karbor-all: no %s within %ss' % (what, timeout))


def _proc_status_kib(pid, field):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])  # "VmRSS:   123456 kB"
    raise RuntimeError('%s not in /proc/%d/status' % (field, pid))


def one_run(idle, timeout):
    state = tempfile.mkdtemp(prefix='karbor-bench-')
    port = common.free_port()
    base_url = 'http://127.0.0.1:%d' % port
    log_path = os.path.join(state, 'karbor-all.log')
    command = [common.executable('karbor-all'), '--state-path',
               os.path.join(state, 'state'), '--api-port', str(port)]
    try:
        with open(log_path, 'wb') as log:
            start = time.monotonic()
            process = subprocess.Popen(command, stdout=log,
                                       stderr=subprocess.STDOUT,
                                       start_new_session=True)
            try:
                return _measure(process, base_url, start, idle, timeout)
            except Exception:
                with open(log_path, 'rb') as f:
                    sys.stderr.write(f.read().decode('utf-8', 'replace'))
                raise
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    finally:
        shutil.rmtree(state, ignore_errors=True)


def _measure(process, base_url, start, idle, timeout):
    def root_answers():
        return common.http('GET', base_url + '/', token=None,
                           timeout=2)[0] == 200

    def protection_up():
        status, _, doc = common.http(
            'GET', '%s/v1/%s/os-services' % (base_url, PROJECT), timeout=2)
        return status == 200 and any(
            s['binary'] == constants.SERVICE_BINARY_PROTECTION and
            s['state'] == constants.SERVICE_STATE_UP
            for s in doc['services'])

    ready = _poll(root_answers, process, timeout, 'answer to GET /')
    up = _poll(protection_up, process, timeout, 'protection service up')
    time.sleep(idle)
    rss = _proc_status_kib(process.pid, 'VmRSS')
    hwm = _proc_status_kib(process.pid, 'VmHWM')
    stop_start = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=30)
    stopped = time.monotonic()
    if code != 0:
        raise RuntimeError('karbor-all exited with %s on SIGTERM' % code)
    return {'ready_s': ready - start, 'up_s': up - start,
            'rss_mib': rss / 1024.0, 'hwm_mib': hwm / 1024.0,
            'stop_s': stopped - stop_start}


FIGURES = [
    ('ready_s', 'spawn -> GET / 200 (s)', '%.3f'),
    ('up_s', 'spawn -> protection up (s)', '%.3f'),
    ('rss_mib', 'idle VmRSS (MiB)', '%.1f'),
    ('hwm_mib', 'VmHWM (MiB)', '%.1f'),
    ('stop_s', 'SIGTERM -> exit (s)', '%.3f'),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--runs', type=int, default=5,
                        help='number of starts (default 5)')
    parser.add_argument('--idle', type=float, default=5.0,
                        help='seconds of idleness before reading the '
                             'memory figures (default 5)')
    parser.add_argument('--timeout', type=float, default=60.0,
                        help='give up a start after this many seconds')
    args = parser.parse_args(argv)

    print('karbor-all start-up: %d runs, %.0f s idle; Python %s, %s, '
          '%d CPUs' % (args.runs, args.idle, platform.python_version(),
                       platform.platform(), os.cpu_count()))
    results = []
    for number in range(1, args.runs + 1):
        result = one_run(args.idle, args.timeout)
        results.append(result)
        print('run %d: %s' % (number, ', '.join(
            '%s=%s' % (key, fmt % result[key]) for key, _, fmt in FIGURES)))
        sys.stdout.flush()

    print()
    print('%-28s %9s %9s %9s' % ('', 'min', 'median', 'max'))
    for key, label, fmt in FIGURES:
        values = [r[key] for r in results]
        print('%-28s %9s %9s %9s' % (
            label, fmt % min(values), fmt % statistics.median(values),
            fmt % max(values)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
