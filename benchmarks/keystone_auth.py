"""What validating tokens with the real Keystone adds to a request.

Starts (or reuses) the test Keystone of ``tools/keystone/keystone.sh``,
then two karbor-api processes on one SQLite database: one with
``auth_strategy = noauth``, one behind Keystone (keystonemiddleware's
auth_token with Karbor's service user, its in-process token cache). It
times ``GET /v1/<project>/plans`` (an empty list) over one keep-alive
connection:

* noauth: the baseline;
* Keystone, cached: the same token again and again (keystonemiddleware
  answers from its cache);
* Keystone, uncached: a new token every request (each one validated by
  Keystone: one HTTP round trip from karbor-api to Keystone).

    python benchmarks/keystone_auth.py [--requests N]

Prints the time Keystone took to start (when this run started it), the
median and 90th percentile of each mode in milliseconds, and what
authentication adds to the median. Not a test: figures only.
"""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
KEYSTONE = os.path.join(REPO, 'tools', 'keystone', 'keystone.sh')


def keystone():
    """{KEY: value} of the running test Keystone, and its start time in
    seconds (None when it was already running)."""
    status = subprocess.run([KEYSTONE, 'status'], capture_output=True,
                            text=True)
    started = None
    if status.returncode:
        t0 = time.monotonic()
        status = subprocess.run([KEYSTONE, 'start'], capture_output=True,
                                text=True, check=True)
        started = time.monotonic() - t0
    values = dict(line[len('KARBOR_KEYSTONE_'):].split('=', 1)
                  for line in status.stdout.splitlines()
                  if line.startswith('KARBOR_KEYSTONE_'))
    return values, started


def token(values, user='alice', project='alpha'):
    """A new token of ``user`` and its project id (one POST to
    Keystone)."""
    url = values['AUTH_URL']
    host, port = url.split('//')[1].split('/')[0].split(':')
    body = {'auth': {'identity': {'methods': ['password'], 'password': {
        'user': {'name': user, 'domain': {'name': 'Default'},
                 'password': values['USER_PASSWORD']}}},
        'scope': {'project': {'name': project,
                              'domain': {'name': 'Default'}}}}}
    conn = http.client.HTTPConnection(host, int(port))
    conn.request('POST', '/v3/auth/tokens', json.dumps(body),
                 {'Content-Type': 'application/json'})
    resp = conn.getresponse()
    doc = json.loads(resp.read())
    conn.close()
    return resp.getheader('X-Subject-Token'), doc['token']['project']['id']


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def write_conf(path, sections):
    with open(path, 'w') as f:
        for section, values in sections.items():
            f.write('[%s]\n' % section)
            for key, value in values.items():
                f.write('%s = %s\n' % (key, value))


def start_api(tmp, name, auth_sections):
    port = free_port()
    conf = os.path.join(tmp, '%s.conf' % name)
    sections = {'DEFAULT': {'state_path': tmp, 'transport_url': 'fake:/'},
                'api': {'host_ip': '127.0.0.1', 'port': port,
                        'threads': 4},
                'database': {'connection': 'sqlite:///%s/karbor.sqlite' %
                             tmp}}
    for section, values in auth_sections.items():
        sections.setdefault(section, {}).update(values)
    write_conf(conf, sections)
    log = open(os.path.join(tmp, '%s.log' % name), 'wb')
    process = subprocess.Popen(
        [os.path.join(BIN, 'karbor-api'), '--config-file', conf],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=2)
            conn.request('GET', '/')
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError('karbor-api %s did not start; see %s' % (
        name, log.name))


def timed(modes, path):
    """Milliseconds of each request of each mode ``(port, tokens)``, the
    modes taking turns request by request (so that the machine's load
    weighs on each alike), each over a keep-alive connection of its
    own."""
    conns = [http.client.HTTPConnection('127.0.0.1', port)
             for port, _tokens in modes]
    times = [[] for _ in modes]
    for turn in zip(*[tokens for _port, tokens in modes]):
        for i, tok in enumerate(turn):
            t0 = time.perf_counter()
            conns[i].request('GET', path, headers={'X-Auth-Token': tok})
            resp = conns[i].getresponse()
            resp.read()
            times[i].append((time.perf_counter() - t0) * 1000)
            if resp.status != 200:
                raise RuntimeError('%s answered %s' % (path, resp.status))
    for conn in conns:
        conn.close()
    return times


def summary(times):
    ordered = sorted(times)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.9)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--requests', type=int, default=300)
    args = parser.parse_args()
    values, started = keystone()
    tmp = tempfile.mkdtemp(prefix='karbor-bench-auth-')
    processes = []
    try:
        conf = os.path.join(tmp, 'manage.conf')
        write_conf(conf, {'database': {
            'connection': 'sqlite:///%s/karbor.sqlite' % tmp}})
        subprocess.run([os.path.join(BIN, 'karbor-manage'), '--config-file',
                        conf, 'db', 'sync'], check=True, capture_output=True)
        url = values['AUTH_URL']
        user = {'auth_url': url, 'auth_type': 'password',
                'username': 'karbor', 'password': values['SERVICE_PASSWORD'],
                'project_name': 'service', 'user_domain_name': 'Default',
                'project_domain_name': 'Default'}
        noauth, noauth_port = start_api(tmp, 'noauth', {
            'DEFAULT': {'auth_strategy': 'noauth'}})
        processes.append(noauth)
        ks, ks_port = start_api(tmp, 'keystone', {
            'DEFAULT': {'auth_strategy': 'keystone'},
            'keystone_authtoken': dict(user, www_authenticate_uri=url)})
        processes.append(ks)

        n = args.requests
        first, project = token(values)
        fresh = [token(values)[0] for _ in range(n)]
        path = '/v1/%s/plans' % project
        noauth_token = 'u:%s' % project
        # Warm both (imports, the service user's own token, the cache).
        timed([(noauth_port, [noauth_token] * 20),
               (ks_port, [first] * 20)], path)
        names = ('noauth', 'Keystone, cached token',
                 'Keystone, new token each request')
        rows = list(zip(names, timed([(noauth_port, [noauth_token] * n),
                                      (ks_port, [first] * n),
                                      (ks_port, fresh)], path)))
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)

    if started is not None:
        print('Keystone start (tools/keystone/keystone.sh start): %.1f s' %
              started)
    print('GET %s, %d requests per mode, load average %.2f' % (
        path, n, os.getloadavg()[0]))
    base = summary(rows[0][1])[0]
    print('%-36s %8s %8s %10s' % ('mode', 'p50 ms', 'p90 ms', 'added p50'))
    for name, times in rows:
        p50, p90 = summary(times)
        print('%-36s %8.2f %8.2f %+10.2f' % (name, p50, p90, p50 - base))


if __name__ == '__main__':
    main()
