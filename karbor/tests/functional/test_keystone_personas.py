"""Every endpoint and method against the personas of the default policy
(karbor.tests.personas), behind the real Keystone: the roles are those
Keystone puts in the tokens, the cloud administrator is the admin of the
cloud's admin project, and betty, the admin of project beta, is a
project administrator and nothing more.

Run: ``tools/run_tests.sh karbor.tests.functional.test_keystone_personas``.
"""

import os

from testtools import content

from karbor.tests.functional import behind_keystone
from karbor.tests import personas

USERS = {'admin': 'admin', 'member_a': 'alice', 'reader_a': 'rita',
         'member_b': 'bob', 'admin_b': 'betty'}


class _Runner(personas.Runner):
    with_project_admin = True

    def __init__(self, test):
        self.test = test
        ks = test.keystone
        self.project_a = ks.project_id('alpha')
        self.project_b = ks.project_id('beta')
        self.admin_project = ks.project_id('admin')

    def request(self, persona, method, path, body=None):
        status, _headers, doc = self.test.call(USERS[persona.name], method,
                                               path, body)
        if status >= 400:
            # Every refusal in the fault shape.
            [(name, inner)] = doc.items()
            self.test.assertEqual(status, inner['code'], doc)
        return status, doc


class KeystonePersonaTest(behind_keystone.BehindKeystone):

    @classmethod
    def configure_more(cls, services, sections):
        docs = os.path.join(cls.project_root(services, 'alpha'), 'docs')
        os.makedirs(os.path.join(docs, 'sub'))
        with open(os.path.join(docs, 'sub', 'notes.txt'), 'w') as f:
            f.write('what alpha protects\n')

    def test_every_call_as_every_persona(self):
        self.wait(lambda: self.call('admin', 'GET', 'os-services')[2][
            'services'], 'karbor-protection in the services list')
        runner = _Runner(self)
        wrong, table = personas.run(runner)
        names = [p.name for p in runner.personas()]
        self.addDetail('answers', content.text_content(
            personas.format_table(table, names)))
        self.assertEqual([], wrong,
                         '\n' + personas.format_table(table, names))
        self.assertEqual(len(personas.CALLS), len(table))
        for row in table.values():
            self.assertEqual(set(names), set(row))
