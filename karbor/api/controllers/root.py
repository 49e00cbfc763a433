"""GET / : the API versions this server speaks."""

import pecan

from karbor.api import contract
from karbor.api.controllers import v1
from karbor.api.schemas.v1 import versions as schema
from karbor.common import constants


def version_document(host_url):
    return {
        'id': 'v1.0',
        'status': 'CURRENT',
        'version': constants.API_VERSION,
        'min_version': constants.API_VERSION,
        'links': [{'rel': 'self', 'href': host_url.rstrip('/') + '/v1/'}],
    }


def host_url():
    from oslo_config import cfg
    return cfg.CONF.api.public_endpoint or pecan.request.host_url


class RootController:

    @pecan.expose(generic=True)
    def index(self):
        pecan.abort(405, headers={'Allow': 'GET, HEAD'})

    @index.when(method='HEAD', template='json')
    @index.when(method='GET', template='json')
    @contract.operation('List the API versions', response=schema.versions)
    def index_get(self):
        return {'versions': [version_document(host_url())]}

    v1 = v1.Controller()
