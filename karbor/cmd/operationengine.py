"""karbor-operationengine: runs the scheduled operations.

Stateless apart from the database; several may run at once (each due
time still runs once). It casts the work to karbor-protection over the
configured transport, so it needs the same database and RabbitMQ.
"""

import sys

from karbor.cmd import common
from karbor.common import rpc
from karbor.db import api as db_api
from karbor.services.operationengine import engine as engine_module


def build_engine(conf, host=None):
    rpc.init(conf)
    db_api.get_engine()
    return engine_module.Engine(host=host, conf=conf)


def _main(argv=None):
    argv = argv if argv is not None else sys.argv
    conf = common.prepare_process(argv)
    engine = build_engine(conf)
    engine.start()
    common.wait_for_signal(engine.stop)
    return 0


main = common.explained(_main, engine_module.BINARY)


if __name__ == '__main__':
    sys.exit(main())
