"""The request class of the pecan app.

pecan parses a body on its own, before any handler, to merge its keys into
the handler's keyword arguments: JSON with a lenient parser (NaN accepted,
a RecursionError on deep nesting that became a 500), forms with webob's
(a ``multipart/form-data`` without a boundary was a 500, even on a
DELETE), a second parse of every body, and body keys taken as URL
arguments. Karbor's handlers read their bodies with
:mod:`karbor.api.validation` only, so pecan is given none: its arguments
come from the path and the query string alone.
"""

import pecan
from webob import multidict


class Request(pecan.Request):

    @property
    def json(self):
        return None

    json_body = json

    @property
    def POST(self):
        return multidict.NoVars('Karbor reads no form bodies')
