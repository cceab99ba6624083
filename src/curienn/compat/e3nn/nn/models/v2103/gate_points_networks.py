"""``e3nn.nn.models.v2103.gate_points_networks`` over curienn: ``SimpleNetwork`` and
``NetworkForAGraphWithAttributes`` are :mod:`curienn.models`' ``...2103`` classes."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.nn.models._examples import (
    network_for_a_graph_with_attributes_2103_test as test_network_for_a_graph_with_attributes,
)
from curienn.compat.e3nn.nn.models._examples import simple_network_2103_test as test_simple_network
from curienn.models import MessagePassing2103 as MessagePassing
from curienn.models import NetworkForAGraphWithAttributes2103 as NetworkForAGraphWithAttributes
from curienn.models import SimpleNetwork2103 as SimpleNetwork
from curienn.nn import soft_one_hot_linspace

__all__ = [
    "MessagePassing", "NetworkForAGraphWithAttributes", "SimpleNetwork", "o3",
    "soft_one_hot_linspace", "test_network_for_a_graph_with_attributes", "test_simple_network",
]
