"""/v1 and the per-project root /v1/{project_id}/."""

import pecan

from karbor.api import contract
from karbor.api.controllers.v1 import operation_logs
from karbor.api.controllers.v1 import plans
from karbor.api.controllers.v1 import protectables
from karbor.api.controllers.v1 import providers
from karbor.api.controllers.v1 import quotas as quota_controllers
from karbor.api.controllers.v1 import restores
from karbor.api.controllers.v1 import scheduled_operations
from karbor.api.controllers.v1 import services
from karbor.api.controllers.v1 import triggers
from karbor.api.controllers.v1 import verifications
from karbor.api.schemas.v1 import versions as schema
from karbor.common import exception


class ProjectController:
    """Everything under /v1/{project_id}/."""

    providers = providers.ProvidersController()
    protectables = protectables.ProtectablesController()
    plans = plans.PlansController()
    restores = restores.RestoresController()
    operation_logs = operation_logs.OperationLogsController()
    verifications = verifications.VerificationsController()
    triggers = triggers.TriggersController()
    scheduled_operations = \
        scheduled_operations.ScheduledOperationsController()
    quotas = quota_controllers.QuotasController()
    quota_classes = quota_controllers.QuotaClassesController()


pecan.route(ProjectController, 'os-services', services.ServicesController())

_DOCUMENT = []


def _served_document():
    """The document under the running configuration, made once."""
    if not _DOCUMENT:
        from oslo_config import cfg

        from karbor.api import openapi
        _DOCUMENT.append(openapi.document(cfg.CONF))
    return _DOCUMENT[0]


class Controller:

    @pecan.expose(generic=True)
    def index(self):
        pecan.abort(405, headers={'Allow': 'GET, HEAD'})

    @index.when(method='HEAD', template='json')
    @index.when(method='GET', template='json')
    @contract.operation('Show version 1 of the API', response=schema.v1)
    def index_get(self):
        from karbor.api.controllers import root
        return {'version': root.version_document(root.host_url())}

    @pecan.expose(generic=True)
    def _openapi(self):
        pecan.abort(405, headers={'Allow': 'GET, HEAD'})

    @_openapi.when(method='HEAD', template='json')
    @_openapi.when(method='GET', template='json')
    @contract.operation(
        'The OpenAPI document of this API',
        description='Public, like the version documents: it holds no '
                    'project data, and tools read it before they have a '
                    'token.',
        response=schema.openapi)
    def openapi_document(self):
        return _served_document()

    @pecan.expose()
    def _lookup(self, project_id, *remainder):
        ctx = pecan.request.context
        if ctx is None:
            raise exception.NotAuthenticated()
        if project_id != ctx.project_id:
            raise exception.ProjectMismatch(url_project=project_id,
                                            token_project=ctx.project_id)
        return ProjectController(), remainder


pecan.route(Controller, 'openapi.json', Controller._openapi)
