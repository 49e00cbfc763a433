"""Policy defaults in code, one module per resource."""

import itertools

from karbor.policies import base
from karbor.policies import operation_logs
from karbor.policies import plans
from karbor.policies import protectables
from karbor.policies import providers
from karbor.policies import quotas
from karbor.policies import restores
from karbor.policies import scheduled_operations
from karbor.policies import services
from karbor.policies import triggers
from karbor.policies import verifications


def list_rules():
    return list(itertools.chain(
        base.list_rules(),
        services.list_rules(),
        providers.list_rules(),
        protectables.list_rules(),
        plans.list_rules(),
        restores.list_rules(),
        operation_logs.list_rules(),
        verifications.list_rules(),
        triggers.list_rules(),
        scheduled_operations.list_rules(),
        quotas.list_rules(),
    ))
