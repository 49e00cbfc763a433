"""/v1 and the per-project root /v1/{project_id}/."""

import pecan

from karbor.api.controllers.v1 import operation_logs
from karbor.api.controllers.v1 import plans
from karbor.api.controllers.v1 import protectables
from karbor.api.controllers.v1 import providers
from karbor.api.controllers.v1 import restores
from karbor.api.controllers.v1 import services
from karbor.api.controllers.v1 import verifications
from karbor.common import exception


class ProjectController:
    """Everything under /v1/{project_id}/."""

    providers = providers.ProvidersController()
    protectables = protectables.ProtectablesController()
    plans = plans.PlansController()
    restores = restores.RestoresController()
    operation_logs = operation_logs.OperationLogsController()
    verifications = verifications.VerificationsController()


pecan.route(ProjectController, 'os-services', services.ServicesController())


class Controller:

    @pecan.expose(generic=True)
    def index(self):
        pecan.abort(405, headers={'Allow': 'GET, HEAD'})

    @index.when(method='HEAD', template='json')
    @index.when(method='GET', template='json')
    def index_get(self):
        from karbor.api.controllers import root
        return {'version': root.version_document(root.host_url())}

    @pecan.expose()
    def _lookup(self, project_id, *remainder):
        ctx = pecan.request.context
        if ctx is None:
            raise exception.NotAuthenticated()
        if project_id != ctx.project_id:
            raise exception.ProjectMismatch(url_project=project_id,
                                            token_project=ctx.project_id)
        return ProjectController(), remainder
