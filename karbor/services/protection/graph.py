"""Resource graphs: which resources a checkpoint holds and what depends on
what. A parent depends on its children (a server on its volumes); flows
prepare parents before children and finish children before parents."""

import collections
import json

from karbor.common import exception

Resource = collections.namedtuple('Resource',
                                  ['type', 'id', 'name', 'extra_info'])


def resource_key(resource):
    """The "<type>#<id>" key of the status and reason maps."""
    return '%s#%s' % (resource.type, resource.id)


def make_resource(type, id, name=None, extra_info=None):
    return Resource(type, id, name or '', extra_info or {})


class GraphNode:
    def __init__(self, value, child_nodes=()):
        self.value = value
        self.child_nodes = list(child_nodes)

    def __repr__(self):
        return 'GraphNode(%s)' % resource_key(self.value)


def build_graph(resources, get_dependents):
    """Nodes of ``resources`` and everything they depend on.

    ``get_dependents(resource)`` lists the direct children. A resource
    reached twice is one shared node; a loop raises ResourceGraphLoop.
    Returns the source nodes (those that are nobody's child).
    """
    nodes = {}
    in_progress = []

    def visit(resource):
        key = resource_key(resource)
        if key in nodes:
            return nodes[key]
        if key in in_progress:
            raise exception.ResourceGraphLoop(
                resources=' -> '.join(in_progress + [key]))
        in_progress.append(key)
        children = [visit(child) for child in get_dependents(resource)]
        in_progress.pop()
        node = nodes[key] = GraphNode(resource, children)
        return node

    for resource in resources:
        visit(resource)
    children = {resource_key(c.value) for n in nodes.values()
                for c in n.child_nodes}
    return [n for key, n in nodes.items() if key not in children]


def iter_nodes(sources):
    """Every node once, children before parents."""
    seen = set()
    order = []

    def visit(node):
        key = resource_key(node.value)
        if key in seen:
            return
        seen.add(key)
        for child in node.child_nodes:
            visit(child)
        order.append(node)

    for node in sources:
        visit(node)
    return order


def pack(sources):
    """A JSON-able form: resources by short id, and the parent edges."""
    nodes = iter_nodes(sources)
    sid = {resource_key(n.value): '0x%x' % i for i, n in enumerate(nodes)}
    resources = {sid[resource_key(n.value)]: [n.value.type, n.value.id,
                                              n.value.name,
                                              n.value.extra_info]
                 for n in nodes}
    edges = [[sid[resource_key(n.value)],
              [sid[resource_key(c.value)] for c in n.child_nodes]]
             for n in nodes if n.child_nodes]
    return [resources, edges]


def unpack(packed):
    resources, edges = packed
    nodes = {s: GraphNode(Resource(t, i, n, e or {}))
             for s, (t, i, n, e) in resources.items()}
    children = set()
    for parent, kids in edges:
        nodes[parent].child_nodes = [nodes[k] for k in kids]
        children.update(kids)
    return [node for s, node in nodes.items() if s not in children]


def serialize(sources):
    return json.dumps(pack(sources), sort_keys=True)


def deserialize(text):
    return unpack(json.loads(text))
