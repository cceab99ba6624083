"""``e3nn.nn.models.v2106.gate_points_networks`` over curienn: ``SimpleNetwork`` and
``NetworkForAGraphWithAttributes`` of :mod:`curienn.models`."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.nn.models._examples import (
    network_for_a_graph_with_attributes_test as test_network_for_a_graph_with_attributes,
)
from curienn.compat.e3nn.nn.models._examples import simple_network_test as test_simple_network
from curienn.io import radius_graph
from curienn.io import scatter_sum as scatter
from curienn.models import MessagePassing, NetworkForAGraphWithAttributes, SimpleNetwork
from curienn.nn import soft_one_hot_linspace

__all__ = [
    "MessagePassing", "NetworkForAGraphWithAttributes", "SimpleNetwork", "o3", "radius_graph",
    "scatter", "soft_one_hot_linspace", "test_network_for_a_graph_with_attributes",
    "test_simple_network",
]
