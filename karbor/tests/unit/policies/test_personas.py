"""Every endpoint and method against the personas of the default policy
(karbor.tests.personas), through the real pecan app and an in-process
protection service, with noauth tokens that carry each persona's roles.

The same table runs against a real Keystone in
karbor.tests.functional.test_keystone_personas, where the project
administrator of B (a persona noauth cannot express) joins.
"""

import json

from karbor.tests import personas
from karbor.tests.unit.api_v1 import base

TOKENS = {
    'admin': 'root:%s:admin',
    'member_a': 'alice:%s',
    'reader_a': 'rita:%s:reader',
    'member_b': 'bob:%s',
}


class _Runner(personas.Runner):
    project_a = 'projecta'
    project_b = 'projectb'
    admin_project = 'cloudadmin'

    def __init__(self, test):
        self.test = test

    def request(self, persona, method, path, body=None):
        resp = self.test.request(
            method, '/v1/%s/%s' % (persona.project, path),
            token=TOKENS[persona.name] % persona.project, body=body)
        doc = json.loads(resp.text) if resp.text else None
        if resp.status_int >= 400:
            self.test.assertFault(resp, resp.status_int,
                                  next(iter(doc)))
        return resp.status_int, doc


class PersonaTest(base.ProtectionApiTestCase):

    start_service = True
    project = _Runner.project_a

    def test_every_call_as_every_persona(self):
        wrong, table = personas.run(_Runner(self))
        names = [p.name for p in _Runner(self).personas()]
        self.assertEqual([], wrong,
                         '\n' + personas.format_table(table, names))
        # The table covers every persona and call.
        self.assertEqual(len(personas.CALLS), len(table))
        for row in table.values():
            self.assertEqual(set(names), set(row))

    def test_expected_answers(self):
        """The rule of the table itself, on a few cases that matter."""
        runner = _Runner(self)
        by_name = {p.name: p for p in runner.personas()}
        delete_plan = next(c for c in personas.CALLS
                           if c.method == 'DELETE' and 'plans' in c.path)
        protect = next(c for c in personas.CALLS if c.method == 'POST' and
                       'checkpoints' in c.path)
        reset = next(c for c in personas.CALLS if c.level == personas.ADMIN
                     and c.method == 'PUT' and 'checkpoints' in c.path)
        a = runner.project_a
        self.assertEqual(
            [204, 204, 403, 404],
            [personas.expected(by_name[n], delete_plan, a)
             for n in ('admin', 'member_a', 'reader_a', 'member_b')])
        self.assertEqual(
            [403, 202, 403, 404],
            [personas.expected(by_name[n], protect, a)
             for n in ('admin', 'member_a', 'reader_a', 'member_b')])
        self.assertEqual(
            [202, 403, 403, 403],
            [personas.expected(by_name[n], reset, a)
             for n in ('admin', 'member_a', 'reader_a', 'member_b')])
        # The resets of verifications and restores: the same.
        resets = [c for c in personas.CALLS if c.level == personas.ADMIN
                  and c.method == 'PUT' and c.path.split('/')[0] in
                  ('verifications', 'restores')]
        self.assertEqual(2, len(resets))
        for reset in resets:
            self.assertEqual(
                [202, 403, 403, 403],
                [personas.expected(by_name[n], reset, a)
                 for n in ('admin', 'member_a', 'reader_a', 'member_b')])
