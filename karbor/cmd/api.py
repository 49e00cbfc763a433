"""karbor-api: the REST API, served by a multi-threaded WSGI server."""

import sys
import threading

from karbor.cmd import common
from karbor.cmd import startup
from karbor.common import wsgi_server


def _main(argv=None):
    argv = argv if argv is not None else sys.argv
    app = common.prepare_api_process(argv, api_cli=True)
    conf = common.cfg.CONF
    server = wsgi_server.WSGIServer(app, conf.api.host_ip, conf.api.port,
                                    conf.api.threads)
    try:
        server.prepare()
    except OSError as e:
        raise startup.StartupError(startup.bind_problem(
            e, conf.api.host_ip, conf.api.port))
    thread = threading.Thread(target=server.serve, name='wsgi', daemon=True)
    thread.start()
    common.wait_for_signal(server.stop)
    return 0


main = common.explained(_main, 'karbor-api')


if __name__ == '__main__':
    sys.exit(main())
