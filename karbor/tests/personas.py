"""Every endpoint and method of the API against the personas of the
default policy, and the answer each one must get.

The personas, each calling ``/v1/<its own project>/...``:

* ``admin``: the cloud administrator (admin role on the cloud's admin
  project);
* ``member_a``, ``reader_a``: a member and a reader of project A, which
  owns the objects the calls name;
* ``member_b``: a member of project B;
* ``admin_b``: the admin role on project B, which is not the cloud's
  admin project (only where Keystone says so: a noauth token cannot).

An answer is the call's success code, 403 (the policy refuses the action
whatever the object) or 404 (the object belongs to another project the
caller may not see: exactly what a random id gets, so that a tenant never
learns that another tenant's object exists).

A :class:`Runner` gives the transport (the pecan app in the unit tests,
HTTP to karbor-api behind a real Keystone in the functional ones) and a
resource of project A to protect; :func:`run` makes A's objects and then
every call as every persona, and returns the unexpected answers.
"""

import collections
import time

READ, WRITE, ADMIN = 'read', 'write', 'admin'
# What a call names: nothing of A (a collection, a create in the caller's
# own project), an object of A, or an object of A that the call would act
# on in the caller's own project (protect, verify, restore).
OWN, A_OBJECT, A_SOURCE = 'own', 'a-object', 'a-source'
# A resource of A's own (a local directory under A's root): whoever calls
# from another project, administrators included, looks in that project.
A_RESOURCE = 'a-resource'
# A's quotas, named by A's project id: another project's reader is refused
# by the policy (403), not told the project does not exist.
A_QUOTA = 'a-quota'

Persona = collections.namedtuple('Persona', 'name project cloud_admin writer')


def personas(project_a, project_b, admin_project, with_project_admin):
    found = [Persona('admin', admin_project, True, True),
             Persona('member_a', project_a, False, True),
             Persona('reader_a', project_a, False, False),
             Persona('member_b', project_b, False, True)]
    if with_project_admin:
        found.append(Persona('admin_b', project_b, False, True))
    return found


Call = collections.namedtuple('Call', 'method path body level target ok fresh')


def call(method, path, body=None, level=READ, target=OWN, ok=200,
         fresh=None):
    """``fresh``: 'plan' or 'checkpoint' when the call uses up the object
    (a delete): A makes a new one for each persona."""
    return Call(method, path, body, level, target, ok, fresh)


def _checkpoints(rest=''):
    return 'providers/{provider}/checkpoints' + rest


# A trigger that fires hourly; a protect on it of A's plan.
_TRIGGER = {'trigger_info': {'name': 'hourly', 'type': 'time', 'properties': {
    'format': 'crontab', 'pattern': '0 * * * *'}}}
_SCHEDULED_OPERATION = {'scheduled_operation': {
    'name': 'hourly protect', 'operation_type': 'protect',
    'trigger_id': '{trigger}', 'operation_definition': {
        'plan_id': '{plan}', 'provider_id': '{provider}'}}}

CALLS = [
    # Providers and protectables: nobody's objects.
    call('GET', 'providers'),
    call('GET', 'providers/{provider}'),
    call('GET', 'protectables'),
    call('GET', 'protectables/{type}'),
    call('GET', 'protectables/{type}/instances'),
    call('GET', 'protectables/{type}/instances/{resource}',
         target=A_RESOURCE),
    call('POST', 'plans', {'plan': {
        'name': 'a plan of A\'s directory', 'provider_id': '{provider}',
        'resources': [{'id': '{resource}', 'type': '{type}',
                       'name': 'docs'}]}}, level=WRITE, target=A_RESOURCE),
    # Lists of the caller's own project.
    call('GET', 'plans'),
    call('GET', _checkpoints()),
    call('GET', 'restores'),
    call('GET', 'verifications'),
    call('GET', 'operation_logs'),
    # Lists across projects.
    call('GET', 'plans?all_tenants=1', level=ADMIN),
    call('GET', _checkpoints('?all_tenants=1'), level=ADMIN),
    call('GET', 'restores?all_tenants=1', level=ADMIN),
    call('GET', 'verifications?all_tenants=1', level=ADMIN),
    call('GET', 'operation_logs?all_tenants=1', level=ADMIN),
    call('GET', 'plans?all_tenants=1&project_id={project_a}', level=ADMIN),
    # A's objects.
    call('GET', 'plans/{plan}', target=A_OBJECT),
    call('GET', _checkpoints('/{checkpoint}'), target=A_OBJECT),
    call('GET', 'restores/{restore}', target=A_OBJECT),
    call('GET', 'verifications/{verification}', target=A_OBJECT),
    call('GET', 'operation_logs/{operation_log}', target=A_OBJECT),
    call('PUT', 'plans/{plan}', {'plan': {'description': 'changed'}},
         level=WRITE, target=A_OBJECT),
    call('DELETE', 'plans/{fresh}', level=WRITE, target=A_OBJECT, ok=204,
         fresh='plan'),
    call('DELETE', _checkpoints('/{fresh}'), level=WRITE, target=A_OBJECT,
         ok=202, fresh='checkpoint'),
    # Operations on A's objects, which run in the caller's project.
    call('POST', _checkpoints(), {'checkpoint': {'plan_id': '{plan}'}},
         level=WRITE, target=A_SOURCE, ok=202),
    call('POST', 'verifications', {'verification': {
        'provider_id': '{provider}', 'checkpoint_id': '{checkpoint}',
        'parameters': {}}}, level=WRITE, target=A_SOURCE, ok=202),
    call('POST', 'restores', {'restore': {
        'provider_id': '{provider}', 'checkpoint_id': '{checkpoint}',
        'parameters': {}}}, level=WRITE, target=A_SOURCE, ok=202),
    # Triggers and scheduled operations.
    call('GET', 'triggers'),
    call('GET', 'scheduled_operations'),
    call('GET', 'triggers?all_tenants=1', level=ADMIN),
    call('GET', 'scheduled_operations?all_tenants=1', level=ADMIN),
    call('POST', 'triggers', _TRIGGER, level=WRITE),
    call('GET', 'triggers/{trigger}', target=A_OBJECT),
    call('PUT', 'triggers/{trigger}', {'trigger_info': {'name': 'renamed'}},
         level=WRITE, target=A_OBJECT),
    call('DELETE', 'triggers/{fresh}', level=WRITE, target=A_OBJECT, ok=204,
         fresh='trigger'),
    call('GET', 'scheduled_operations/{scheduled_operation}',
         target=A_OBJECT),
    call('POST', 'scheduled_operations', _SCHEDULED_OPERATION, level=WRITE,
         target=A_SOURCE),
    call('PUT', 'scheduled_operations/{scheduled_operation}',
         {'scheduled_operation': {'description': 'changed'}}, level=WRITE,
         target=A_OBJECT),
    call('DELETE', 'scheduled_operations/{fresh}', level=WRITE,
         target=A_OBJECT, ok=204, fresh='scheduled_operation'),
    # Cloud administration.
    call('PUT', _checkpoints('/{checkpoint}'),
         {'os-resetState': {'state': 'available'}}, level=ADMIN,
         target=A_OBJECT, ok=202),
    call('PUT', 'verifications/{verification}',
         {'os-resetState': {'state': 'error'}}, level=ADMIN,
         target=A_OBJECT, ok=202),
    call('PUT', 'restores/{restore}',
         {'os-resetState': {'state': 'fail'}}, level=ADMIN,
         target=A_OBJECT, ok=202),
    # Quotas: readers of A show A's, administrators set them.
    call('GET', 'quotas/{project_a}', target=A_QUOTA),
    call('GET', 'quotas/{project_a}/detail', target=A_QUOTA),
    call('GET', 'quotas/{project_a}/defaults', target=A_QUOTA),
    call('PUT', 'quotas/{project_a}', {'quota': {'plans': 50}},
         level=ADMIN),
    call('GET', 'quota_classes/default', level=ADMIN),
    call('PUT', 'quota_classes/default', {'quota_class': {'plans': 50}},
         level=ADMIN),
    call('GET', 'os-services', level=ADMIN),
    call('PUT', 'os-services/{service}', {'status': 'enabled'},
         level=ADMIN),
]


def expected(persona, item, project_a):
    """The answer ``persona`` must get to ``item``."""
    if item.level == ADMIN:
        return item.ok if persona.cloud_admin else 403
    if item.level == WRITE and not persona.writer:
        return 403
    if item.target == A_QUOTA:
        return item.ok if (persona.cloud_admin or
                           persona.project == project_a) else 403
    if item.target != OWN and persona.project != project_a:
        if not persona.cloud_admin or item.target == A_RESOURCE:
            return 404
        if item.target == A_SOURCE:
            # The administrator sees A's object, but an operation runs in
            # the caller's project: done with a token of A.
            return 403
    return item.ok


# What A protects: its directory "docs", with the built-in Local Provider.
LOCAL_PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = 'OS::Local::Directory'


class Runner:
    """The transport and the objects of a persona test; subclasses give
    ``request`` and the projects."""

    project_a = project_b = admin_project = None
    with_project_admin = False

    def request(self, persona, method, path, body=None):
        """(status, decoded JSON or None) of one request as ``persona`` to
        ``/v1/<persona.project>/<path>``."""
        raise NotImplementedError

    def persona(self, name):
        return next(p for p in self.personas() if p.name == name)

    def plan_body(self):
        """{'plan': {...}} of a plan of A's directory "docs", as member_a
        sends it."""
        _status, doc = self.request(self.member_a(), 'GET',
                                    'protectables/%s/instances' % DIRECTORY)
        docs = next(i for i in doc['instances']
                    if i['name'].rstrip('/').split('/')[-1] == 'docs')
        return {'plan': {'name': 'personas',
                         'provider_id': LOCAL_PROVIDER_ID,
                         'resources': [{'id': docs['id'], 'type': DIRECTORY,
                                        'name': 'docs'}]}}

    def service_id(self):
        _status, doc = self.request(self.persona('admin'), 'GET',
                                    'os-services')
        return doc['services'][0]['id']

    # Objects of A, made by member_a.

    def member_a(self):
        return self.persona('member_a')

    def personas(self):
        return personas(self.project_a, self.project_b, self.admin_project,
                        self.with_project_admin)

    def must(self, method, path, body, status):
        got, doc = self.request(self.member_a(), method, path, body)
        if got != status:
            raise AssertionError('%s %s as member of A: %s, not %s: %s' % (
                method, path, got, status, doc))
        return doc

    def wait(self, path, key, settled, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            doc = self.must('GET', path, None, 200)[key]
            if doc['status'] in settled:
                return doc
            if time.monotonic() > deadline:
                raise AssertionError('%s did not settle: %s' % (path, doc))
            time.sleep(0.1)

    def new_plan(self, ids):
        return self.must('POST', 'plans', self.plan_body(), 200)['plan']['id']

    def new_checkpoint(self, ids):
        path = _checkpoints().format(**ids)
        made = self.must('POST', path, {'checkpoint': {
            'plan_id': ids['plan']}}, 202)['checkpoint']
        done = self.wait('%s/%s' % (path, made['id']), 'checkpoint',
                         ('available', 'error'))
        if done['status'] != 'available':
            raise AssertionError('checkpoint of A: %s' % done)
        return made['id']

    def new_trigger(self, ids):
        return self.must('POST', 'triggers', _TRIGGER, 200)[
            'trigger_info']['id']

    def new_scheduled_operation(self, ids):
        return self.must('POST', 'scheduled_operations',
                         _fill(_SCHEDULED_OPERATION, ids), 200)[
            'scheduled_operation']['id']

    def objects(self):
        """A's plan, checkpoint, verification, restore and operation log,
        ended, and the ids every path needs."""
        body = self.plan_body()['plan']
        ids = {'provider': body['provider_id'],
               'type': body['resources'][0]['type'],
               'resource': body['resources'][0]['id'],
               'project_a': self.project_a,
               'service': self.service_id()}
        ids['plan'] = self.new_plan(ids)
        ids['checkpoint'] = self.new_checkpoint(ids)
        for kind in ('verification', 'restore'):
            made = self.must('POST', kind + 's', {kind: {
                'provider_id': ids['provider'],
                'checkpoint_id': ids['checkpoint'],
                'parameters': {}}}, 202)[kind]
            ids[kind] = self.wait('%ss/%s' % (kind, made['id']), kind,
                                  ('success', 'error'))['id']
        ids['trigger'] = self.new_trigger(ids)
        ids['scheduled_operation'] = self.new_scheduled_operation(ids)
        logs = self.must('GET', 'operation_logs', None, 200)
        ids['operation_log'] = logs['operation_logs'][0]['id']
        return ids


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def run(runner):
    """Every call as every persona; the list of unexpected answers
    ``(persona, method, path, expected, got, body)`` and the table of
    answers ``{(method, path): {persona: status}}``."""
    ids = runner.objects()
    wrong = []
    table = collections.OrderedDict()
    for item in CALLS:
        row = table.setdefault((item.method, item.path), {})
        for persona in runner.personas():
            ids_now = dict(ids)
            if item.fresh:
                ids_now['fresh'] = getattr(runner, 'new_' + item.fresh)(ids)
            path = _fill(item.path, ids_now)
            body = _fill(item.body, ids_now)
            status, doc = runner.request(persona, item.method, path, body)
            row[persona.name] = status
            want = expected(persona, item, runner.project_a)
            if status != want:
                wrong.append((persona.name, item.method, path, want, status,
                              doc))
    return wrong, table


def format_table(table, names):
    """The answers as a text table, one line per call."""
    lines = ['%-58s %s' % ('call', ' '.join('%9s' % n for n in names))]
    for (method, path), row in table.items():
        lines.append('%-58s %s' % ('%s %s' % (method, path),
                                   ' '.join('%9s' % row.get(n, '-')
                                            for n in names)))
    return '\n'.join(lines)
