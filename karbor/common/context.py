"""The request context: who calls, for which project, with which roles."""

import json

from oslo_context import context as oslo_context


class RequestContext(oslo_context.RequestContext):
    """oslo.context's context plus the service catalog of the caller and
    the Keystone trust an operation acts through.

    The catalog lets the protection service reach Cinder, Glance or Nova
    for the caller; ``trust_id``, when the API made one, replaces the
    caller's token (see :mod:`karbor.services.protection.clients.trusts`).
    ``keep_trust`` says that the trust is not the operation's own but a
    scheduled operation's, made for all its runs: it outlives the
    operation. All three travel with the context over RPC.
    """

    FROM_DICT_EXTRA_KEYS = ['service_catalog', 'trust_id', 'keep_trust']

    def __init__(self, service_catalog=None, trust_id=None,
                 keep_trust=False, **kwargs):
        super().__init__(**kwargs)
        self.service_catalog = service_catalog or []
        self.trust_id = trust_id
        self.keep_trust = bool(keep_trust)

    @classmethod
    def from_environ(cls, environ, **kwargs):
        """Also read the catalog that keystonemiddleware puts in
        X-Service-Catalog (JSON); oslo.context leaves it out."""
        if 'service_catalog' not in kwargs:
            try:
                catalog = json.loads(
                    environ.get('HTTP_X_SERVICE_CATALOG') or '[]')
            except ValueError:
                catalog = []
            kwargs['service_catalog'] = (
                catalog if isinstance(catalog, list) else [])
        return super().from_environ(environ, **kwargs)

    def to_dict(self):
        values = super().to_dict()
        values['service_catalog'] = self.service_catalog
        values['trust_id'] = self.trust_id
        values['keep_trust'] = self.keep_trust
        return values

    def to_policy_values(self):
        values = super().to_policy_values()
        values['is_admin'] = self.is_admin
        return values

    def elevated(self):
        ctx = self.__class__.from_dict(self.to_dict())
        ctx.is_admin = True
        if 'admin' not in ctx.roles:
            # A new list: from_dict shares the original's.
            ctx.roles = ctx.roles + ['admin']
        return ctx


def get_admin_context():
    """A context for Karbor's own work (heartbeats, clean-up)."""
    return RequestContext(is_admin=True, roles=['admin'], overwrite=False)
