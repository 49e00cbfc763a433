"""karbor-all: the embedded default, API and protection in one process.

Runs with no configuration file and no other server: SQLite in the state
directory, in-process messaging, noauth, listening on 127.0.0.1:8799.
Every default can still be changed with --config-file or the options that
--help lists.
"""

import os
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from karbor.api import app as api_app
from karbor.cmd import common
from karbor.cmd import protection
from karbor.common import rpc
from karbor.common import wsgi_server
from karbor.db import migration
from karbor.services.protection import provider

LOG = logging.getLogger(__name__)

EMBEDDED_DEFAULTS = {
    (None, 'auth_strategy'): 'noauth',
    (None, 'transport_url'): rpc.IN_PROCESS_TRANSPORT_URL,
    ('api', 'host_ip'): '127.0.0.1',
    ('providers', 'enable_local_provider'): True,
}


def main(argv=None):
    argv = argv if argv is not None else sys.argv
    conf = cfg.CONF
    common.prepare_process(argv, api_cli=True, defaults=EMBEDDED_DEFAULTS)

    for root in provider.local_provider_roots(conf):
        os.makedirs(root, exist_ok=True)
    migration.upgrade('head')
    protection_service = protection.build_service(conf)
    protection_service.start()

    app = api_app.setup_app(conf)
    server = wsgi_server.WSGIServer(app, conf.api.host_ip, conf.api.port,
                                    conf.api.threads, name='karbor-all')
    server.prepare()
    thread = threading.Thread(target=server.serve, name='wsgi', daemon=True)
    thread.start()
    LOG.info('karbor-all ready on http://%s:%s/; state in %s; put the '
             'directories to protect in %s', conf.api.host_ip, conf.api.port,
             conf.state_path, ', '.join(provider.local_provider_roots(conf)))

    def stop():
        server.stop()
        protection_service.stop()

    common.wait_for_signal(stop)
    return 0


if __name__ == '__main__':
    sys.exit(main())
