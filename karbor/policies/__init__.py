"""Policy defaults in code, one module per resource."""

import itertools

from karbor.policies import base
from karbor.policies import services


def list_rules():
    return list(itertools.chain(
        base.list_rules(),
        services.list_rules(),
    ))
