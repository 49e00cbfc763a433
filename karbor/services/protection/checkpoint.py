"""A checkpoint as the bank holds it.

    checkpoints/<id>/index.json
    checkpoints/<id>/resource-data/<type>#<resource id>/metadata
    checkpoints/<id>/resource-data/<type>#<resource id>/status
    checkpoints/<id>/resource-data/<type>#<resource id>/manifest.json
    checkpoints/<id>/resource-data/<type>#<resource id>/<data objects>

The manifest lists every data object of a resource with its size, SHA-256
and MD5 as written at protect time: ``{"objects": [{"key", "size",
"sha256", "md5"}], ...}``. Verification compares the bank with it.
"""

from karbor.common import constants
from karbor.common import exception
from karbor.services.protection import graph


def checkpoint_prefix(checkpoint_id):
    return '%s/%s' % (constants.BANK_CHECKPOINTS, checkpoint_id)


class Checkpoint:
    def __init__(self, bank, checkpoint_id, index=None):
        self.bank = bank
        self.id = checkpoint_id
        self.prefix = checkpoint_prefix(checkpoint_id)
        self._index = index

    @property
    def index_key(self):
        return '%s/%s' % (self.prefix, constants.BANK_INDEX)

    def read_index(self):
        self._index = self.bank.get_json(self.index_key)
        return self._index

    @property
    def index(self):
        return self._index if self._index is not None else self.read_index()

    def write_index(self, index):
        self.bank.put_json(self.index_key, index)
        self._index = index

    def update_index(self, **values):
        index = dict(self.index)
        index.update(values)
        self.write_index(index)

    def resource_graph(self):
        return graph.unpack(self.index['resource_graph'])

    def resource_section(self, resource):
        return self.bank.section('%s/%s/%s' % (
            self.prefix, constants.BANK_RESOURCE_DATA,
            graph.resource_key(resource)))

    def set_resource_status(self, resource, status, reason=None, **extra):
        self.resource_section(resource).put_json(
            constants.BANK_RESOURCE_STATUS,
            dict(extra, status=status, reason=reason))

    def has_manifest(self, resource):
        try:
            self.resource_section(resource).head_object(
                constants.BANK_RESOURCE_MANIFEST)
        except exception.BankObjectNotFound:
            return False
        return True

    def delete_all(self):
        """Remove every object of the checkpoint, the index last, so that a
        half-deleted checkpoint is still known."""
        keys = self.bank.list_objects(self.prefix + '/')
        for key in keys:
            if key != self.index_key:
                self.bank.delete_object(key)
        self.bank.delete_object(self.index_key)
