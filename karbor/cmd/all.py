"""karbor-all: the embedded default, API and protection in one process.

Runs with no configuration file and no other server: SQLite in the state
directory, in-process messaging, noauth, listening on 127.0.0.1:8799.
Every default can still be changed with --config-file or the options that
--help lists.

It reads only the configuration files it is given (--config-file,
--config-dir), never a karbor.conf that happens to lie in /etc/karbor or
~/.karbor, and it says in its log which it read. Without authentication it
listens only on loopback addresses unless --insecure-listen-anywhere says
otherwise.
"""

import ipaddress
import os
import socket
import sys
import threading

from oslo_log import log as logging

from karbor.api import app as api_app
from karbor.cmd import common
from karbor.cmd import operationengine
from karbor.cmd import protection
from karbor.cmd import startup
from karbor.common import rpc
from karbor.common import wsgi_server
from karbor.conf import embedded
from karbor.db import migration
from karbor.services.protection import local_roots
from karbor.services.protection import provider

LOG = logging.getLogger(__name__)

EMBEDDED_DEFAULTS = {
    (None, 'auth_strategy'): 'noauth',
    (None, 'transport_url'): rpc.IN_PROCESS_TRANSPORT_URL,
    ('api', 'host_ip'): '127.0.0.1',
    ('providers', 'enable_local_provider'): True,
    # Its RPC stays in memory; notifications need a broker of their own,
    # so none is sent unless [oslo_messaging_notifications] says where.
    ('oslo_messaging_notifications', 'driver'): ['noop'],
}


def is_loopback(host):
    """Whether every address ``host`` names is a loopback address."""
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except (socket.gaierror, UnicodeError):
            return False
        addresses = {ipaddress.ip_address(info[4][0].split('%')[0])
                     for info in infos}
    return bool(addresses) and all(
        a.is_loopback or getattr(a, 'ipv4_mapped', None) is not None and
        a.ipv4_mapped.is_loopback for a in addresses)


def listen_problem(conf):
    """Why karbor-all must not listen where it is told to, or None."""
    if conf.auth_strategy != 'noauth' or is_loopback(conf.api.host_ip):
        return None
    if conf.insecure_listen_anywhere:
        LOG.warning(
            'INSECURE: karbor-all has no authentication and listens on %s '
            '(--insecure-listen-anywhere): anyone who reaches it can act as '
            'the administrator of every project.', conf.api.host_ip)
        return None
    return ('karbor-all has no authentication and listens only on loopback '
            'addresses, not on %s (--api-host-ip): anyone reaching it could '
            'act as any project\'s administrator. Use --api-host-ip '
            '127.0.0.1, or pass --insecure-listen-anywhere if every machine '
            'that can reach it is trusted.' % conf.api.host_ip)


def parse(argv):
    """cfg.CONF from the command line and the files it names only: a
    karbor.conf of a system-wide installation in /etc/karbor must not
    change what the embedded default does."""
    return common.prepare_process(
        argv, api_cli=True, defaults=EMBEDDED_DEFAULTS,
        cli_opts=embedded.opts, default_config_files=[],
        default_config_dirs=[])


def _main(argv=None):
    argv = argv if argv is not None else sys.argv
    conf = parse(argv)
    # Before anything else reads or writes the state directory (the
    # recovery of the protection service would mark another karbor-all's
    # running work interrupted): one karbor-all per state directory.
    startup.lock_state_path(conf.state_path, 'pid %d, API http://%s:%s/' % (
        os.getpid(), conf.api.host_ip, conf.api.port))
    problem = listen_problem(conf)
    if problem:
        raise startup.StartupError(problem)

    roots = provider.local_provider_roots(conf)
    for root in roots:
        startup.check_state_path(local_roots.static_part(root))
    migration.upgrade('head')
    app = api_app.setup_app(conf)
    # Bound before anything starts: a busy port is said at once.
    server = wsgi_server.WSGIServer(app, conf.api.host_ip, conf.api.port,
                                    conf.api.threads, name='karbor-all')
    try:
        server.prepare()
    except OSError as e:
        raise startup.StartupError(startup.bind_problem(
            e, conf.api.host_ip, conf.api.port))
    protection_service = protection.build_service(conf)
    protection_service.start()
    engine = None
    if conf.operationengine.enabled:
        engine = operationengine.build_engine(conf,
                                              host=protection_service.host)
        engine.start()

    thread = threading.Thread(target=server.serve, name='wsgi', daemon=True)
    thread.start()

    def ready():
        LOG.info('karbor-all ready on http://%s:%s/; state in %s; put the '
                 'directories to protect in %s (the project is the one of '
                 'the URL, /v1/<project id>/); Ctrl-C stops it',
                 conf.api.host_ip, conf.api.port, conf.state_path,
                 ', '.join(r.replace(local_roots.PROJECT_TEMPLATE,
                                     '<project id>') for r in roots))

    def stop():
        server.stop()
        if engine is not None:
            engine.stop()
        protection_service.stop()

    common.wait_for_signal(
        stop, lambda: common.running_operations(protection_service.host),
        ready)
    return 0


main = common.explained(_main, 'karbor-all')


if __name__ == '__main__':
    sys.exit(main())
