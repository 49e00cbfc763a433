"""The request id of every answer (``X-OpenStack-Request-Id``).

oslo.middleware's RequestId, as plain WSGI: its own ``__call__`` wraps
every request and answer in webob objects and inspects a signature
(profiled: a tenth of an empty list's time). This one sets the same
environ keys (``openstack.request_id``, ``openstack.global_request_id``
for a well-formed inbound id) and adds the same header unless the answer
has one already.
"""

import re

from oslo_context import context
from oslo_middleware import request_id

_GLOBAL_ID = re.compile(request_id.ID_FORMAT)
_HEADER = request_id.HTTP_RESP_HEADER_REQUEST_ID


class RequestId(request_id.RequestId):

    def __call__(self, environ, start_response):
        inbound = environ.get('HTTP_X_OPENSTACK_REQUEST_ID', '')
        if inbound and _GLOBAL_ID.match(inbound):
            environ[request_id.GLOBAL_REQ_ID] = inbound
        req_id = context.generate_request_id()
        environ[request_id.ENV_REQUEST_ID] = req_id

        def start(status, headers, exc_info=None):
            if not any(name.lower() == _HEADER for name, _value in headers):
                headers = list(headers) + [(_HEADER, req_id)]
            return start_response(status, headers, exc_info)
        return self.application(environ, start)
