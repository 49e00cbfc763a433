"""The request class of the pecan app.

pecan parses a JSON body on its own, before any handler, to merge its keys
into the handler's keyword arguments: with a lenient parser (NaN accepted,
a RecursionError on deep nesting that became a 500), a second parse of
every body, and body keys taken as URL arguments. Karbor's handlers read
their bodies with :mod:`karbor.api.validation` only, so pecan is given
none: its arguments come from the path and the query string alone.
"""

import pecan


class Request(pecan.Request):

    @property
    def json(self):
        return None

    json_body = json
