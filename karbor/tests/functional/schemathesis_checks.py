"""Checks that schemathesis runs on every answer of the generated-request
test (loaded through ``SCHEMATHESIS_HOOKS``), beyond its own.

* Every non-empty body is strict JSON: no NaN or Infinity, which Python
  writes and no other parser reads.
* Every error (4xx, 5xx) is the OpenStack fault
  ``{"<faultName>": {"code": <status>, "message": "..."}}``.
"""

import json

import schemathesis


def _refuse(name):
    raise ValueError('%s is not JSON' % name)


def check_answer(status, content_type, body):
    """The first thing wrong with an answer, or None."""
    if not body:
        if status >= 400:
            return 'an error answer with no body'
        return None
    if (content_type or '').split(';')[0].strip() != 'application/json':
        return 'Content-Type %r, not application/json' % content_type
    try:
        doc = json.loads(body, parse_constant=_refuse)
    except ValueError as e:
        return 'the body is not strict JSON (%s)' % e
    if status < 400:
        return None
    if not (isinstance(doc, dict) and len(doc) == 1):
        return 'the error is not a fault {"<name>": {...}}: %.300s' % body
    (name, inner), = doc.items()
    if not (isinstance(inner, dict) and set(inner) == {'code', 'message'}
            and inner['code'] == status and
            isinstance(inner['message'], str) and inner['message'].strip()):
        return ('the fault %s does not hold exactly code %d and a '
                'message: %.300s' % (name, status, body))
    return None


@schemathesis.check
def openstack_fault(ctx, response, case):
    """Strict JSON bodies; errors in the OpenStack fault shape."""
    # Lower-case names, lists of values.
    content_type = (response.headers.get('content-type') or [''])[0]
    problem = check_answer(response.status_code, content_type,
                           response.content)
    if problem:
        raise AssertionError(problem)
