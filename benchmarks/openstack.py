"""Karbor against real OpenStack services: their start-up times, and
protect / verify / restore of a Glance image and of a Cinder volume.

Three parts, each optional (--only):

start
    For Swift, Glance and Cinder, the wall time of
    ``tools/<service>/<service>.sh start`` (spawn to exit: the script
    returns once the service answers a real request; Cinder's readiness
    is a 1 GiB volume reaching ``available``), --start-runs times, each
    followed by a timed ``stop``. These are separate instances, never
    the shared ones the tests use: a state directory of their own under
    --services-dir, their own ports (free ones, picked for every run),
    Cinder's own database and RabbitMQ vhost, all given to the scripts
    through the environment variables they document. The first run
    installs each service into a virtual environment under
    --services-dir (timed apart, ``install``); later runs find it there.
    Every instance is stopped by its script's ``stop`` at the end.

image
    On the running Glance (``tools/glance/glance.sh status``): an image of
    --size-mib MiB of random bytes (raw/bare) is uploaded (timed, for
    reference), then karbor-all (with --config-file: ``[glance_client]
    endpoint`` and a providers.d directory) protects it through a provider
    of the ``glance_image`` plugin over each bank of --banks: a
    ``file_system`` bank in its state directory, and a ``swift`` bank in a
    container of its own on the running Swift (``tools/swift/swift.sh
    status``), removed afterwards. Timed for each bank: protect (POST of
    the checkpoint to ``available``), quick and deep verification, restore
    to a new image, whose Glance checksum and os_hash_value must equal the
    original's. Images are deleted at the end.

volume
    On the running Cinder (``tools/cinder/cinder.sh status``): a volume
    (1 GiB for the default size) whose backing file gets --size-mib MiB of
    random bytes, then karbor-all, in Cinder's project (noauth token
    ``<user>:<project>``, which Karbor hands on to Cinder), with a provider
    of the ``cinder_volume`` plugin over a file-system bank: protect (a
    Cinder backup, posix driver), quick verification (the backup's record
    and status: no data is read), restore to a new volume, whose backing
    file must have the SHA-256 of the original's. Volumes and backups are
    deleted at the end.

Wall seconds run from the POST to the first GET that shows the final
status (polled every 0.05 s); server seconds are the operation's own
started_at..ended_at; MB/s are 10^6 bytes of the image or volume per
wall second; CPU s is what karbor-all spent (not Glance, Swift or
Cinder). The figures share the machine with whatever else runs on it:
the 1-minute load average at the end of each phase is printed next to
them. Not a test. Linux only (/proc).

    python benchmarks/openstack.py [--only start,image,volume]
        [--size-mib 1024] [--start-runs 3] [--banks file_system,swift]
"""

import argparse
import datetime
import hashlib
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import common
from karbor.common import constants

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIB = 1024 * 1024
GIB = 1024 * MIB
BLOCK = 4 * MIB
IMAGE = 'OS::Glance::Image'
VOLUME = 'OS::Cinder::Volume'
PARTS = ('start', 'image', 'volume')
SERVICES = ('swift', 'glance', 'cinder')
BANKS = ('file_system', 'swift')
PROVIDER_IDS = {
    'file_system': '5b1e7c3a-2d4f-4a8e-9c6b-0f1e2d3c4b5a',
    'swift': '6c2f8d4b-3e5a-4b9f-8d7c-1a2b3c4d5e6f',
    'volume': '7d3a9e5c-4f6b-4c0a-9e8d-2b3c4d5e6f70',
}
# Seconds between two looks of the cinder_volume plugin at a backup or a
# volume Cinder is working on (its default is 2.0, which would round every
# Cinder figure up to the next 2 s).
CINDER_POLL = 0.3
CINDER_USER = 'karbor-bench'
# Separate instances of the start part use these, never the defaults of
# the shared instances.
CINDER_DB = 'karbor_cinder_bench'
CINDER_VHOST = 'karbor-cinder-bench'
SHARED_DIRS = {s: '/tmp/karbor-%s' % s for s in SERVICES}

SCRIPT_TIMEOUT = {'install': 1800, 'start': 600, 'stop': 300,
                  'status': 120}


def loadavg():
    return os.getloadavg()[0]


def iso_seconds(started, ended):
    if not started or not ended:
        return float('nan')
    return (datetime.datetime.fromisoformat(ended) -
            datetime.datetime.fromisoformat(started)).total_seconds()


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(BLOCK), b''):
            digest.update(block)
    return digest.hexdigest()


def du(path):
    total = 0
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def wait_until(what, get, done, timeout, interval=0.3):
    deadline = time.monotonic() + timeout
    while True:
        value = get()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise RuntimeError('%s: still not done after %ss (%s)' % (
                what, timeout, value))
        time.sleep(interval)


# ------------------------------------------------------------ the scripts

def script(name):
    return os.path.join(REPO, 'tools', name, '%s.sh' % name)


def run_script(name, action, env=None, log=None):
    """(exit code, wall seconds, output) of ``<name>.sh <action>``.

    Output goes through a file, not a pipe: a server the script leaves
    running must not hold our end open.
    """
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        process = subprocess.Popen(
            [script(name), action], env=env, stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT)
        try:
            rc = process.wait(timeout=SCRIPT_TIMEOUT[action])
        except subprocess.TimeoutExpired:
            process.kill()
            rc = process.wait()
        seconds = time.monotonic() - start
        out.seek(0)
        text = out.read().decode('utf-8', 'replace')
    if log is not None:
        log.write('$ %s %s (exit %s, %.2f s)\n%s\n' % (
            script(name), action, rc, seconds, text))
        log.flush()
    return rc, seconds, text


def endpoints(name):
    """The KARBOR_<NAME>_* values the running shared instance prints."""
    rc, _, text = run_script(name, 'status')
    if rc != 0:
        raise RuntimeError('%s is not running (%s status):\n%s' % (
            name, script(name), text))
    prefix = 'KARBOR_%s_' % name.upper()
    return dict(line[len(prefix):].split('=', 1)
                for line in text.splitlines()
                if line.startswith(prefix) and '=' in line)


def free_ports(count):
    """The first of ``count`` consecutive free ports of 127.0.0.1."""
    for _ in range(100):
        first = common.free_port()
        if first + count > 65535:
            continue
        try:
            for port in range(first, first + count):
                with socket.socket() as s:
                    s.bind(('127.0.0.1', port))
            return first
        except OSError:
            continue
    raise RuntimeError('no %d consecutive free ports' % count)


def service_env(name, directory):
    """The environment of a separate instance: its own directory, fresh
    free ports, and for Cinder its own database and vhost."""
    env = dict(os.environ)
    prefix = 'KARBOR_%s_' % name.upper()
    env[prefix + 'DIR'] = directory
    env[prefix + 'PORT'] = str(common.free_port())
    if name == 'swift':
        env[prefix + 'STORAGE_PORT'] = str(free_ports(3))
        env[prefix + 'MEMCACHED_PORT'] = str(common.free_port())
    elif name == 'cinder':
        env[prefix + 'DB'] = CINDER_DB
        env[prefix + 'VHOST'] = CINDER_VHOST
    return env


def _parsed(pattern, text):
    match = re.search(pattern, text)
    return float(match.group(1)) if match else None


def measure_start(name, args, log):
    directory = os.path.realpath(os.path.join(args.services_dir, name))
    if directory == os.path.realpath(SHARED_DIRS[name]):
        raise RuntimeError('%s is the shared %s; choose another '
                           '--services-dir' % (directory, name))
    if args.reinstall:
        shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)
    result = {'runs': [], 'script': [], 'db_sync': [], 'stop': [],
              'install': None, 'directory': directory}
    env = service_env(name, directory)
    run_script(name, 'stop', env, log)  # leftovers of an interrupted run
    rc, seconds, text = run_script(name, 'install', env, log)
    if rc != 0:
        raise RuntimeError('%s install failed:\n%s' % (name, text))
    if 'installed' in text:
        result['install'] = seconds
        result['install_script'] = _parsed(r'installed .* in ([\d.]+) s',
                                           text)
    print('  %s: %s' % (name, 'installed in %.1f s' % seconds
                        if result['install'] is not None
                        else 'already installed in %s' % directory))
    sys.stdout.flush()
    for n in range(args.start_runs):
        env = service_env(name, directory)
        try:
            rc, seconds, text = run_script(name, 'start', env, log)
            if rc != 0:
                raise RuntimeError('%s start failed (exit %s):\n%s' % (
                    name, rc, text[-4000:]))
            if 'already running' in text:
                raise RuntimeError('%s in %s was already running: not a '
                                   'start' % (name, directory))
        finally:
            stop_rc, stop_s, stop_text = run_script(name, 'stop', env, log)
        if stop_rc != 0:
            raise RuntimeError('%s stop failed:\n%s' % (name, stop_text))
        result['runs'].append(seconds)
        result['script'].append(_parsed(r'started in ([\d.]+) s', text))
        result['db_sync'].append(_parsed(r'db[ _]sync ([\d.]+) s', text))
        result['stop'].append(stop_s)
        print('  %s: start %d: %.2f s (load %.2f), stop %.2f s' % (
            name, n + 1, seconds, loadavg(), stop_s))
        sys.stdout.flush()
    return result


def run_start(args, workdir):
    results = {}
    with open(os.path.join(workdir, 'services.log'), 'w') as log:
        for name in args.services:
            results[name] = measure_start(name, args, log)
    return results


# ---------------------------------------------------------------- karbor

class Server(common.KarborAll):
    """karbor-all, with the three timed operations."""

    def plan(self, provider_id, resource_type, resource_id, name):
        return self.call('POST', '/plans', expect=(200, 201, 202), body={
            'plan': {'name': 'bench-%s' % name, 'provider_id': provider_id,
                     'resources': [{'id': resource_id,
                                    'type': resource_type, 'name': name}],
                     'parameters': {}}})['plan']

    def _timed(self, post, poll, key, wanted, failed, timeout):
        cpu0 = common.cpu_seconds(self.pid)
        start = time.monotonic()
        doc = post()
        end, doc = self.wait_status(poll(doc), key, wanted, failed, timeout)
        return doc, {'wall': end - start,
                     'cpu': common.cpu_seconds(self.pid) - cpu0,
                     'load': loadavg()}

    def _log_seconds(self, **match):
        """started_at..ended_at of the operation log that matches (it is
        closed just after the object gets its final status)."""
        query = '&'.join('%s=%s' % kv for kv in sorted(match.items()))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for log in self.call('GET', '/operation_logs?' + query)[
                    'operation_logs']:
                if log.get('ended_at'):
                    return iso_seconds(log['started_at'], log['ended_at'])
            time.sleep(common.POLL_INTERVAL)
        return float('nan')

    def protect(self, provider_id, plan_id, timeout):
        path = '/providers/%s/checkpoints' % provider_id
        doc, fig = self._timed(
            lambda: self.call('POST', path, expect=(200, 202), body={
                'checkpoint': {'plan_id': plan_id}})['checkpoint'],
            lambda d: '%s/%s' % (path, d['id']), 'checkpoint',
            constants.CHECKPOINT_STATUS_AVAILABLE,
            (constants.CHECKPOINT_STATUS_ERROR,), timeout)
        fig['server'] = self._log_seconds(
            operation_type=constants.OPERATION_PROTECT,
            checkpoint_id=doc['id'])
        return doc, fig

    def verify(self, provider_id, checkpoint_id, resource_type, level,
               timeout):
        doc, fig = self._timed(
            lambda: self.call('POST', '/verifications', expect=(200, 202),
                              body={'verification': {
                                  'provider_id': provider_id,
                                  'checkpoint_id': checkpoint_id,
                                  'parameters': {
                                      resource_type: {'level': level}}}})[
                'verification'],
            lambda d: '/verifications/%s' % d['id'], 'verification',
            constants.VERIFICATION_STATUS_SUCCESS,
            (constants.VERIFICATION_STATUS_ERROR,), timeout)
        fig['server'] = iso_seconds(doc.get('started_at'),
                                    doc.get('ended_at'))
        fig['checked'] = (doc.get('progress') or {}).get('bytes_checked')
        return doc, fig

    def restore(self, provider_id, checkpoint_id, parameters, timeout):
        doc, fig = self._timed(
            lambda: self.call('POST', '/restores', expect=(200, 202), body={
                'restore': {'provider_id': provider_id,
                            'checkpoint_id': checkpoint_id,
                            'parameters': parameters}})['restore'],
            lambda d: '/restores/%s' % d['id'], 'restore',
            constants.RESTORE_STATUS_SUCCESS,
            (constants.RESTORE_STATUS_FAILURE,), timeout)
        fig['server'] = self._log_seconds(
            operation_type=constants.OPERATION_RESTORE,
            restore_id=doc['id'])
        return doc, fig


def start_karbor(workdir, name, conf_sections, providers, **kwargs):
    """karbor-all with a config file of ``conf_sections`` and one
    providers.d file per item of ``providers``."""
    base = os.path.join(workdir, name)
    providers_dir = os.path.join(base, 'providers.d')
    os.makedirs(providers_dir)
    for file_name, sections in providers.items():
        common.write_config(os.path.join(providers_dir, file_name), sections)
    sections = dict(conf_sections)
    sections['providers'] = {'config_dir': providers_dir}
    conf = common.write_config(os.path.join(base, 'karbor.conf'), sections)
    server = Server(os.path.join(base, 'state'),
                    os.path.join(base, 'karbor-all.log'),
                    args=['--config-file', conf], **kwargs)
    try:
        server.wait_ready()
    except Exception:
        dump_log(server)
        server.stop()
        raise
    return server, os.path.join(base, 'state')


def dump_log(server):
    with open(server.log_path, 'rb') as f:
        sys.stderr.write(f.read().decode('utf-8', 'replace')[-20000:])


# ----------------------------------------------------------------- image

def write_random_hashed(path, size):
    """``size`` random bytes into ``path``; (md5, sha512) hex digests,
    the two hashes Glance records."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha512 = hashlib.sha512()
    with open(path, 'wb') as f:
        left = size
        while left:
            block = os.urandom(min(BLOCK, left))
            f.write(block)
            md5.update(block)
            sha512.update(block)
            left -= len(block)
        f.flush()
        os.fsync(f.fileno())
    return md5.hexdigest(), sha512.hexdigest()


class SwiftContainer:
    """A container of the running Swift, emptied and removed at the end."""

    def __init__(self, values):
        import swiftclient
        self.auth_url = values['AUTH_URL']
        self.user, self.key = values['USER'], values['KEY']
        self.conn = swiftclient.Connection(
            authurl=self.auth_url, user=self.user, key=self.key,
            auth_version='1', retries=3)
        self.name = 'karbor-bench-%s' % uuid.uuid4().hex[:8]
        self.conn.put_container(self.name)

    def bytes_used(self):
        headers = self.conn.head_container(self.name)
        return (int(headers.get('x-container-bytes-used', 0)),
                int(headers.get('x-container-object-count', 0)))

    def remove(self):
        _, listing = self.conn.get_container(self.name, full_listing=True)
        for item in listing:
            self.conn.delete_object(self.name, item['name'])
        self.conn.delete_container(self.name)


def bank_sections(bank, state, swift):
    if bank == 'file_system':
        return {'file_system_bank': {
            'path': os.path.join(state, 'bank', PROVIDER_IDS[bank])}}
    return {'swift_bank': {'container': swift.name,
                           'auth_url': swift.auth_url, 'auth_version': '1',
                           'user': swift.user, 'key': swift.key}}


def image_cycle(server, glance, bank, image, size, args):
    provider = PROVIDER_IDS[bank]
    plan = server.plan(provider, IMAGE, image['id'], image['name'])
    figures = {}
    checkpoint, figures['protect'] = server.protect(provider, plan['id'],
                                                    args.timeout)
    print('  %s: protected in %.2f s' % (bank, figures['protect']['wall']))
    sys.stdout.flush()
    for level in (constants.VERIFY_LEVEL_QUICK, constants.VERIFY_LEVEL_DEEP):
        _, figures[level] = server.verify(provider, checkpoint['id'], IMAGE,
                                          level, args.timeout)
    if figures['deep']['checked'] not in (None, size):
        raise RuntimeError('the deep verification checked %s bytes, not '
                           '%d' % (figures['deep']['checked'], size))
    name = 'karbor-bench-restored-%s' % uuid.uuid4().hex[:8]
    try:
        _, figures['restore'] = server.restore(
            provider, checkpoint['id'], {IMAGE: {'name': name}},
            args.timeout)
    finally:
        restored = list(glance.images.list(filters={'name': name}))
        for new in restored:
            glance.images.delete(new['id'])
    [new] = restored
    figures['same'] = (
        new['id'] != image['id'] and new['status'] == 'active' and
        (new['size'], new['checksum'], new['os_hash_value']) ==
        (image['size'], image['checksum'], image['os_hash_value']))
    figures['restored_checksum'] = new['checksum']
    print('  %s: verified (quick %.2f s, deep %.2f s), restored in %.2f s, '
          'checksum %s' % (bank, figures['quick']['wall'],
                           figures['deep']['wall'],
                           figures['restore']['wall'],
                           'equal' if figures['same'] else 'DIFFERENT'))
    sys.stdout.flush()
    return figures


def run_image(args, workdir):
    import glanceclient
    endpoint = endpoints('glance')['ENDPOINT']
    glance = glanceclient.Client('2', endpoint=endpoint,
                                 token='karbor-bench')
    size = args.size_mib * MIB
    result = {'bytes': size, 'endpoint': endpoint, 'banks': {}}
    path = os.path.join(workdir, 'image.raw')
    start = time.monotonic()
    md5, sha512 = write_random_hashed(path, size)
    result['write_s'] = time.monotonic() - start
    image = glance.images.create(
        name='karbor-bench-%s' % uuid.uuid4().hex[:8], disk_format='raw',
        container_format='bare')
    swift = None
    try:
        start = time.monotonic()
        with open(path, 'rb') as f:
            glance.images.upload(image['id'], f, image_size=size)
        result['upload'] = {'wall': time.monotonic() - start,
                            'load': loadavg()}
        os.unlink(path)
        image = glance.images.get(image['id'])
        if (image['status'], image['checksum'], image['os_hash_value']) != (
                'active', md5, sha512):
            raise RuntimeError('Glance holds the image as %s, %s' % (
                image['status'], image['checksum']))
        print('  image %s: %d MiB uploaded to %s in %.2f s' % (
            image['id'], args.size_mib, endpoint, result['upload']['wall']))
        sys.stdout.flush()
        if 'swift' in args.banks:
            swift = SwiftContainer(endpoints('swift'))
            result['container'] = swift.name
        state = os.path.join(workdir, 'image', 'state')
        providers = {}
        for bank in args.banks:
            sections = {'provider': {
                'id': PROVIDER_IDS[bank], 'name': 'Glance over %s' % bank,
                'bank': bank, 'plugin': 'glance_image'}}
            sections.update(bank_sections(bank, state, swift))
            providers['glance-%s.conf' % bank] = sections
        server, state = start_karbor(
            workdir, 'image', {'glance_client': {'endpoint': endpoint}},
            providers)
        try:
            for bank in args.banks:
                figures = image_cycle(server, glance, bank, image, size, args)
                if bank == 'file_system':
                    figures['bank_bytes'] = du(os.path.join(
                        state, 'bank', PROVIDER_IDS[bank]))
                else:
                    figures['bank_bytes'], _ = swift.bytes_used()
                result['banks'][bank] = figures
            result['hwm'] = common.proc_status_kib(server.pid,
                                                   'VmHWM') / 1024.0
        except Exception:
            dump_log(server)
            raise
        finally:
            server.stop()
    finally:
        glance.images.delete(image['id'])
        if swift is not None:
            swift.remove()
    return result


# ---------------------------------------------------------------- volume

def cinder_client(values):
    from cinderclient import client
    from cinderclient.contrib import noauth
    from keystoneauth1 import session
    auth = noauth.CinderNoAuthPlugin(CINDER_USER, values['PROJECT'],
                                     endpoint=values['ENDPOINT'])
    return client.Client('3.43', session=session.Session(auth=auth,
                                                         timeout=60))


def backup_mib(values, backup):
    """MiB a backup takes in the posix driver's directory (beside the
    volumes' in tools/cinder/cinder.sh); NaN for another driver."""
    store = os.path.join(os.path.dirname(values['VOLUME_DIR']), 'backups',
                         backup.container or '-')
    if values.get('BACKUP', 'posix') != 'posix' or not os.path.isdir(store):
        return float('nan')
    return du(store) / MIB


def _deleted(get):
    from cinderclient import exceptions
    try:
        return get().status == 'deleted'
    except exceptions.NotFound:
        return True


def delete_quietly(what, delete, get, timeout=300):
    """Delete and wait until gone; a failure is printed, not raised (a
    clean-up must not hide the figures or the first error)."""
    from cinderclient import exceptions
    try:
        for _ in range(100):
            try:
                delete()
                break
            except exceptions.NotFound:
                return
            except exceptions.BadRequest:  # still busy: try again
                time.sleep(0.5)
        wait_until('deleting %s' % what, lambda: _deleted(get), bool,
                   timeout)
    except Exception as e:
        print('  could not delete %s: %s' % (what, e))


def run_volume(args, workdir):
    values = endpoints('cinder')
    cinder = cinder_client(values)
    gib = max(1, math.ceil(args.size_mib / 1024))
    data_bytes = args.size_mib * MIB
    result = {'bytes': gib * GIB, 'data_bytes': data_bytes,
              'endpoint': values['ENDPOINT'], 'project': values['PROJECT']}
    volume = cinder.volumes.create(
        gib, name='karbor-bench-%s' % uuid.uuid4().hex[:8])
    restored = []
    try:
        volume = wait_until(
            'volume %s' % volume.id, lambda: cinder.volumes.get(volume.id),
            lambda v: v.status in ('available', 'error'), args.timeout)
        if volume.status != 'available':
            raise RuntimeError('volume %s went %s' % (volume.id,
                                                      volume.status))
        path = os.path.join(values['VOLUME_DIR'], 'volume-%s' % volume.id)
        start = time.monotonic()
        with open(path, 'r+b') as f:
            left = data_bytes
            while left:
                left -= f.write(os.urandom(min(BLOCK, left)))
            f.flush()
            os.fsync(f.fileno())
        result['fill_s'] = time.monotonic() - start
        original = sha256_file(path)
        print('  volume %s: %d GiB, %d MiB of random bytes written to %s '
              'in %.2f s' % (volume.id, gib, args.size_mib, path,
                             result['fill_s']))
        sys.stdout.flush()
        provider = PROVIDER_IDS['volume']
        server, state = start_karbor(
            workdir, 'volume',
            {'cinder_client': {'endpoint': values['ENDPOINT'],
                               'timeout': 60}},
            {'cinder.conf': {
                'provider': {'id': provider, 'name': 'Cinder',
                             'bank': 'file_system',
                             'plugin': 'cinder_volume'},
                'cinder_volume': {'poll_interval': CINDER_POLL,
                                  'backup_timeout': int(args.timeout),
                                  'restore_timeout': int(args.timeout)}}},
            project=values['PROJECT'],
            token='%s:%s' % (CINDER_USER, values['PROJECT']))
        try:
            plan = server.plan(provider, VOLUME, volume.id, volume.name)
            checkpoint, result['protect'] = server.protect(
                provider, plan['id'], args.timeout)
            backups = [b for b in cinder.backups.list()
                       if b.volume_id == volume.id]
            result['backups'] = [(b.id, b.object_count,
                                  backup_mib(values, b)) for b in backups]
            print('  protected in %.2f s (Cinder backup %s)' % (
                result['protect']['wall'],
                ', '.join(b.id for b in backups)))
            sys.stdout.flush()
            _, result['quick'] = server.verify(
                provider, checkpoint['id'], VOLUME,
                constants.VERIFY_LEVEL_QUICK, args.timeout)
            name = 'karbor-bench-restored-%s' % uuid.uuid4().hex[:8]
            try:
                _, result['restore'] = server.restore(
                    provider, checkpoint['id'], {VOLUME: {'name': name}},
                    args.timeout)
            finally:
                restored = [v for v in cinder.volumes.list()
                            if v.name == name]
            result['hwm'] = common.proc_status_kib(server.pid,
                                                   'VmHWM') / 1024.0
        except Exception:
            dump_log(server)
            raise
        finally:
            server.stop()
        [new] = restored
        start = time.monotonic()
        copy = sha256_file(os.path.join(values['VOLUME_DIR'],
                                        'volume-%s' % new.id))
        result['hash_s'] = time.monotonic() - start
        result['same'] = new.id != volume.id and copy == original
        result['sha256'] = original
        print('  quick verification %.2f s, restored in %.2f s, SHA-256 '
              'of the backing files %s' % (
                  result['quick']['wall'], result['restore']['wall'],
                  'equal' if result['same'] else 'DIFFERENT'))
        sys.stdout.flush()
    finally:
        for v in restored:
            delete_quietly('volume %s' % v.id,
                           lambda v=v: cinder.volumes.delete(v.id),
                           lambda v=v: cinder.volumes.get(v.id))
        for b in [b for b in cinder.backups.list()
                  if b.volume_id == volume.id]:
            delete_quietly('backup %s' % b.id,
                           lambda b=b: cinder.backups.delete(b.id),
                           lambda b=b: cinder.backups.get(b.id))
        delete_quietly('volume %s' % volume.id,
                       lambda: cinder.volumes.delete(volume.id),
                       lambda: cinder.volumes.get(volume.id))
    return result


# ---------------------------------------------------------------- report

def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _s(value):
    return '-' if value is None or math.isnan(value) else '%.2f' % value


def report_start(results):
    rows = [('service', 'install s', 'start s (each run)', 'median',
             'script says', 'db sync', 'stop s')]
    for name, r in results.items():
        rows.append((
            name, _s(r['install']) if r['install'] is not None else '-',
            ' / '.join('%.2f' % s for s in r['runs']), _s(_median(r['runs'])),
            _s(_median(r['script'])), _s(_median(r['db_sync'])),
            _s(_median(r['stop']))))
    table(rows, text_columns=1)
    print('start s: wall time of "tools/<s>/<s>.sh start" (to ready: '
          'Swift tempauth answers, Glance lists images, Cinder makes a '
          '1 GiB volume available); script says: its own "started in" '
          '(after its checks, from writing the configuration), median; '
          'db sync: part of it; install s: first run only (pip into a '
          'new venv; "-" when the venv was there). Separate instances in '
          '%s.' % os.path.dirname(next(iter(results.values()))['directory']))


def _phase_row(what, bank, fig, size, rate=True):
    return (what, bank, _s(fig['wall']), _s(fig.get('server')),
            '%.1f' % (size / fig['wall'] / 1e6) if rate else '-',
            _s(fig.get('cpu')), '%.2f' % fig['load'])


def report_operations(image, volume):
    rows = [('what', 'bank', 'wall s', 'server s', 'MB/s', 'CPU s',
             'load')]
    notes = []
    if image:
        size = image['bytes']
        rows.append(_phase_row('image: Glance upload (reference)', '-',
                               image['upload'], size))
        for bank, figs in image['banks'].items():
            rows.append(_phase_row('image: protect', bank, figs['protect'],
                                   size))
            rows.append(_phase_row('image: quick verify', bank,
                                   figs['quick'], size, rate=False))
            rows.append(_phase_row('image: deep verify', bank, figs['deep'],
                                   size))
            rows.append(_phase_row('image: restore', bank, figs['restore'],
                                   size))
            notes.append('image, %s bank: %.1f MiB stored; restored image '
                         'checksum %s the original\'s (%s)' % (
                             bank, figs['bank_bytes'] / MIB,
                             'equals' if figs['same'] else 'DIFFERS FROM',
                             figs['restored_checksum']))
        notes.append('image: %d MiB, random bytes; karbor-all peak RSS '
                     '%.1f MiB' % (size / MIB, image['hwm']))
    if volume:
        size = volume['bytes']
        rows.append(_phase_row('volume: protect', 'file_system',
                               volume['protect'], size))
        rows.append(_phase_row('volume: quick verify', 'file_system',
                               volume['quick'], size, rate=False))
        rows.append(_phase_row('volume: restore', 'file_system',
                               volume['restore'], size))
        notes.append('volume: %d GiB, %d MiB of it random bytes; Cinder '
                     'backup %s; restored backing file SHA-256 %s the '
                     'original\'s (%s); karbor-all peak RSS %.1f MiB' % (
                         size // GIB, volume['data_bytes'] // MIB,
                         ', '.join('%s (%d objects, %.1f MiB on disk)' % b
                                   for b in volume['backups']),
                         'equals' if volume['same'] else 'DIFFERS FROM',
                         volume['sha256'][:16], volume['hwm']))
    table(rows)
    for note in notes:
        print(note)
    print('wall s: POST to the first GET showing the final status; '
          'server s: started_at..ended_at of the operation; MB/s: 10^6 '
          'bytes of the image or volume per wall second; CPU s: '
          'karbor-all only; load: 1-minute load average at the end of the '
          'phase. Cinder figures include the plugin\'s polling every '
          '%.1f s.' % CINDER_POLL)


def table(rows, text_columns=2):
    """Rows of cells, the first one the header; the first
    ``text_columns`` columns left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    print()
    for n, row in enumerate(rows):
        cells = [str(c).ljust(w) if i < text_columns else str(c).rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths))]
        print('  '.join(cells).rstrip())
        if n == 0:
            print('-' * (sum(widths) + 2 * (len(widths) - 1)))
    print()


# ------------------------------------------------------------------ main

def _choices(value, allowed, option):
    chosen = [v.strip() for v in value.split(',') if v.strip()]
    bad = [v for v in chosen if v not in allowed]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(
            '%s: choose among %s' % (option, ', '.join(allowed)))
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--only', default=','.join(PARTS),
                        type=lambda v: _choices(v, PARTS, '--only'),
                        help='parts to run, comma-separated: start, image, '
                             'volume (default all)')
    parser.add_argument('--size-mib', type=int, default=1024,
                        help='size of the image and of the volume data, '
                             'in MiB (default 1024)')
    parser.add_argument('--start-runs', type=int, default=3,
                        help='starts of each service (default 3)')
    parser.add_argument('--services', default=','.join(SERVICES),
                        type=lambda v: _choices(v, SERVICES, '--services'),
                        help='services of the start part (default all)')
    parser.add_argument('--services-dir', default='/tmp/karbor-bench-'
                        'services',
                        help='state directories (and venvs, kept between '
                             'runs) of the separate instances of the start '
                             'part (default /tmp/karbor-bench-services)')
    parser.add_argument('--reinstall', action='store_true',
                        help='remove the venvs of the separate instances '
                             'first, so that the install is timed again')
    parser.add_argument('--banks', default=','.join(BANKS),
                        type=lambda v: _choices(v, BANKS, '--banks'),
                        help='banks of the image part (default '
                             'file_system,swift)')
    parser.add_argument('--workdir', default=None,
                        help='where to create the working directory '
                             '(default: the temporary directory)')
    parser.add_argument('--keep', action='store_true',
                        help='keep the working directory (karbor-all logs '
                             'and state, script outputs)')
    parser.add_argument('--timeout', type=float, default=1800.0,
                        help='give up an operation after this many seconds')
    args = parser.parse_args(argv)
    if args.size_mib < 1 or args.start_runs < 1:
        parser.error('--size-mib and --start-runs must be at least 1')

    workdir = tempfile.mkdtemp(prefix='karbor-bench-os-', dir=args.workdir)
    began = time.monotonic()
    print('Karbor against Swift, Glance and Cinder: %s; %d MiB; in %s; '
          'Python %s, %s, %d CPUs, load average %.2f' % (
              ', '.join(args.only), args.size_mib, workdir,
              platform.python_version(), platform.platform(),
              os.cpu_count(), loadavg()))
    sys.stdout.flush()
    results = {}
    ok = True
    try:
        for part, run in (('start', run_start), ('image', run_image),
                          ('volume', run_volume)):
            if part in args.only:
                print('%s...' % part)
                sys.stdout.flush()
                results[part] = run(args, workdir)
        if 'start' in results:
            report_start(results['start'])
        if 'image' in results or 'volume' in results:
            report_operations(results.get('image'), results.get('volume'))
        ok = (all(f['same'] for f in results.get('image', {}).get(
            'banks', {}).values()) and
              results.get('volume', {}).get('same', True))
        print('load average (1, 5, 15 min) at the end: %.2f %.2f %.2f; '
              'other work on this machine slows every figure' %
              os.getloadavg())
        print('benchmark run time: %.0f s' % (time.monotonic() - began))
    finally:
        if args.keep:
            print('kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
