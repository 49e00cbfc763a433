"""Seed the test Keystone of tools/keystone/keystone.sh: projects, users,
role assignments and Karbor's catalog entry, in one process (each
``openstack`` CLI call would spend a second or more importing).

    seed.py AUTH_URL ADMIN_PASSWORD USER_PASSWORD SERVICE_PASSWORD
            GLANCE_PASSWORD

Idempotent: what exists is reused. Runs in Keystone's own virtual
environment, with keystoneauth1 only.
"""

import sys

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

PROJECTS = ('alpha', 'beta', 'gamma', 'service')
# user: (project, role, password key)
USERS = {
    'alice': ('alpha', 'member', 'user'),
    'rita': ('alpha', 'reader', 'user'),
    'bob': ('beta', 'member', 'user'),
    'betty': ('beta', 'admin', 'user'),
    # gamma: a project whose catalog a test limits to its own endpoints
    # (OS-EP-FILTER), for clients that ignore the region.
    'olga': ('gamma', 'member', 'user'),
    'karbor': ('service', 'service', 'service'),
    'glance': ('service', 'service', 'glance'),
}
KARBOR_URL = 'http://127.0.0.1:8799/v1/$(project_id)s'
# Services whose endpoints tests add in regions of their own.
OTHER_SERVICES = (('glance', 'image'), ('cinder', 'block-storage'),
                  ('nova', 'compute'))


class Admin:
    def __init__(self, auth_url, password):
        auth = v3.Password(auth_url=auth_url, username='admin',
                           password=password, project_name='admin',
                           user_domain_id='default',
                           project_domain_id='default')
        self.session = ks_session.Session(auth=auth)
        self.url = auth_url.rstrip('/')

    def get(self, path, key, **params):
        resp = self.session.get(self.url + path, params=params)
        return resp.json()[key]

    def post(self, path, body):
        return self.session.post(self.url + path, json=body).json()

    def one(self, path, key, name, **params):
        """The item of ``path`` named ``name``, or None."""
        found = [x for x in self.get(path, key, name=name, **params)
                 if x['name'] == name]
        return found[0] if found else None


def main(auth_url, admin_pw, user_pw, service_pw, glance_pw):
    admin = Admin(auth_url, admin_pw)
    passwords = {'user': user_pw, 'service': service_pw, 'glance': glance_pw}
    projects = {}
    for name in PROJECTS:
        projects[name] = admin.one('/projects', 'projects', name) or \
            admin.post('/projects', {'project': {
                'name': name, 'domain_id': 'default',
                'description': 'Karbor test project %s' % name}})['project']
    roles = {r['name']: r for r in admin.get('/roles', 'roles')}
    if 'service' not in roles:
        roles['service'] = admin.post(
            '/roles', {'role': {'name': 'service'}})['role']
    for name, (project, role, password) in USERS.items():
        user = admin.one('/users', 'users', name, domain_id='default') or \
            admin.post('/users', {'user': {
                'name': name, 'domain_id': 'default',
                'password': passwords[password],
                'default_project_id': projects[project]['id']}})['user']
        admin.session.put('%s/projects/%s/users/%s/roles/%s' % (
            admin.url, projects[project]['id'], user['id'],
            roles[role]['id']))
    service = admin.one('/services', 'services', 'karbor',
                        type='data-protect') or admin.post(
        '/services', {'service': {
            'name': 'karbor', 'type': 'data-protect',
            'description': 'Data protection'}})['service']
    have = {e['interface'] for e in admin.get(
        '/endpoints', 'endpoints', service_id=service['id'])}
    for interface in ('public', 'internal'):
        if interface not in have:
            admin.post('/endpoints', {'endpoint': {
                'service_id': service['id'], 'interface': interface,
                'url': KARBOR_URL, 'region_id': 'RegionOne'}})
    for name, service_type in OTHER_SERVICES:
        if not admin.one('/services', 'services', name, type=service_type):
            admin.post('/services', {'service': {
                'name': name, 'type': service_type}})
    print('seeded projects %s, users %s, data-protect service %s' % (
        ', '.join(sorted(projects)), ', '.join(sorted(USERS)),
        service['id']))


if __name__ == '__main__':
    main(*sys.argv[1:6])
