"""karbor.services.protection.graph: resource graphs."""

import json

from karbor.common import exception
from karbor.services.protection import graph
from karbor.tests import base


def res(name, type='Test::Thing'):
    return graph.make_resource(type, name, 'name-' + name,
                               {'at': name})


def dependents_of(edges):
    """get_dependents from {parent id: [child ids]}; records the calls."""
    calls = []

    def get(resource):
        calls.append(resource.id)
        return [res(c) for c in edges.get(resource.id, [])]
    get.calls = calls
    return get


def ids(nodes):
    return [n.value.id for n in nodes]


class BuildGraphTest(base.TestCase):

    def test_diamond_shares_one_child_node(self):
        # a -> b, a -> c, b -> d, c -> d
        get = dependents_of({'a': ['b', 'c'], 'b': ['d'], 'c': ['d']})
        sources = graph.build_graph([res('a')], get)
        self.assertEqual(['a'], ids(sources))
        a = sources[0]
        b, c = a.child_nodes
        self.assertEqual(['b', 'c'], ids(a.child_nodes))
        self.assertEqual(['d'], ids(b.child_nodes))
        self.assertIs(b.child_nodes[0], c.child_nodes[0])
        # d's dependents were asked for once only.
        self.assertEqual(1, get.calls.count('d'))
        self.assertEqual(4, len(graph.iter_nodes(sources)))

    def test_listed_child_is_not_a_source(self):
        get = dependents_of({'a': ['b']})
        sources = graph.build_graph([res('b'), res('a'), res('z')], get)
        self.assertEqual(['a', 'z'], ids(sources))
        self.assertEqual(['b'], ids(sources[0].child_nodes))

    def test_same_id_of_two_types_are_two_nodes(self):
        sources = graph.build_graph(
            [res('x', 'T::A'), res('x', 'T::B')], lambda r: [])
        self.assertEqual(['T::A#x', 'T::B#x'],
                         [graph.resource_key(n.value) for n in sources])

    def test_loop_names_the_cycle(self):
        get = dependents_of({'a': ['b'], 'b': ['c'], 'c': ['b']})
        e = self.assertRaises(exception.ResourceGraphLoop,
                              graph.build_graph, [res('a')], get)
        self.assertIn('Test::Thing#b -> Test::Thing#c -> Test::Thing#b',
                      str(e))

    def test_self_loop(self):
        get = dependents_of({'a': ['a']})
        e = self.assertRaises(exception.ResourceGraphLoop,
                              graph.build_graph, [res('a')], get)
        self.assertIn('Test::Thing#a -> Test::Thing#a', str(e))

    def test_empty(self):
        self.assertEqual([], graph.build_graph([], lambda r: []))
        self.assertEqual([], graph.iter_nodes([]))


class IterNodesTest(base.TestCase):

    def test_children_before_parents_each_once(self):
        get = dependents_of({'a': ['b', 'c'], 'b': ['d'], 'c': ['d', 'e'],
                             'x': ['e']})
        sources = graph.build_graph([res('a'), res('x')], get)
        order = ids(graph.iter_nodes(sources))
        self.assertEqual(sorted(order), sorted(set(order)))
        self.assertEqual({'a', 'b', 'c', 'd', 'e', 'x'}, set(order))
        for parent, children in {'a': 'bc', 'b': 'd', 'c': 'de',
                                 'x': 'e'}.items():
            for child in children:
                self.assertLess(order.index(child), order.index(parent),
                                '%s must come before %s in %s' % (
                                    child, parent, order))


class PackTest(base.TestCase):

    def graph(self):
        get = dependents_of({'a': ['b', 'c'], 'b': ['d'], 'c': ['d'],
                             'x': []})
        return graph.build_graph([res('a'), res('x')], get)

    @staticmethod
    def shape(sources):
        """The graph as comparable data, with sharing made explicit."""
        nodes = graph.iter_nodes(sources)
        return ([tuple(n.value) for n in nodes],
                {graph.resource_key(n.value): [graph.resource_key(c.value)
                                               for c in n.child_nodes]
                 for n in nodes},
                ids(sources))

    def test_pack_unpack_round_trip(self):
        sources = self.graph()
        packed = graph.pack(sources)
        # JSON-able as it is.
        self.assertEqual(packed, json.loads(json.dumps(packed)))
        back = graph.unpack(packed)
        self.assertEqual(self.shape(sources), self.shape(back))
        # The shared child is still one node after the round trip.
        a = back[0]
        self.assertIs(a.child_nodes[0].child_nodes[0],
                      a.child_nodes[1].child_nodes[0])
        self.assertEqual(graph.make_resource('Test::Thing', 'd', 'name-d',
                                             {'at': 'd'}),
                         a.child_nodes[0].child_nodes[0].value)

    def test_serialize_round_trip_is_stable(self):
        sources = self.graph()
        text = graph.serialize(sources)
        back = graph.deserialize(text)
        self.assertEqual(self.shape(sources), self.shape(back))
        self.assertEqual(text, graph.serialize(back))

    def test_unpack_tolerates_null_extra_info(self):
        back = graph.unpack([{'0x0': ['T', 'i', 'n', None]}, []])
        self.assertEqual([graph.Resource('T', 'i', 'n', {})],
                         [n.value for n in back])
