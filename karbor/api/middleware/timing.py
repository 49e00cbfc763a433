"""``[api] server_timing``: how long the process spent on each request,
in a ``Server-Timing`` header of the answer (W3C Server Timing).

The outermost layer: the time runs from the moment the WSGI server hands
the request over to the moment the answer starts. pecan, the fault
middleware and the view build the whole body before the answer starts,
so that is the server's time for the request, without the network, the
HTTP parsing of the server and the client.
"""

import time

HEADER = 'Server-Timing'


class ServerTiming:

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        began = time.perf_counter()

        def start(status, headers, exc_info=None):
            took = (time.perf_counter() - began) * 1000
            headers = list(headers) + [(HEADER, 'app;dur=%.3f' % took)]
            return start_response(status, headers, exc_info)
        return self.app(environ, start)
