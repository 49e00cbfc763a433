"""What the benchmarks need to start karbor-all and talk to it, with the
standard library only: they run from a plain install (``pip install -r
requirements.txt -e .``), without the test requirements."""

import json
import os
import socket
import sys
import urllib.error
import urllib.request

BIN_DIR = os.path.dirname(sys.executable)


def executable(name):
    """A console script installed next to this Python (karbor-all)."""
    path = os.path.join(BIN_DIR, name)
    if not os.path.exists(path):
        raise RuntimeError('%s is not installed next to %s; install the '
                           'project with "pip install -e ."' %
                           (name, sys.executable))
    return path


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def http(method, url, body=None, token='admin-token', headers=None,
         timeout=10):
    """(status, headers, decoded JSON or None) of one request."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) \
        else body
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header('Content-Type', 'application/json')
    if token:
        request.add_header('X-Auth-Token', token)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status, found = (response.read(), response.status,
                                  response.headers)
    except urllib.error.HTTPError as e:
        raw, status, found = e.read(), e.code, e.headers
    return status, found, json.loads(raw) if raw else None
