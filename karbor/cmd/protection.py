"""karbor-protection: the RPC server that runs the protection work."""

import sys

from oslo_config import cfg

from karbor.cmd import common
from karbor.common import constants
from karbor.common import rpc
from karbor.common import service
from karbor.db import api as db_api
from karbor.services.protection import manager


def build_service(conf=cfg.CONF):
    rpc.init(conf)
    db_api.get_engine()
    return service.RPCService(manager.ProtectionManager(),
                              constants.SERVICE_BINARY_PROTECTION,
                              conf.protection.topic)


def _main(argv=None):
    argv = argv if argv is not None else sys.argv
    common.prepare_process(argv)
    svc = build_service()
    svc.start()
    common.wait_for_signal(svc.stop,
                           lambda: common.running_operations(svc.host))
    return 0


main = common.explained(_main, 'karbor-protection')


if __name__ == '__main__':
    sys.exit(main())
