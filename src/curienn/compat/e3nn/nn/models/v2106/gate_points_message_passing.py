"""``e3nn.nn.models.v2106.gate_points_message_passing`` over curienn: ``MessagePassing`` is
:class:`curienn.models.MessagePassing`; ``radius_graph(pos, r_max)`` the edges within
``r_max``."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.nn.models._examples import message_passing_test as test
from curienn.io import radius_graph
from curienn.models import Compose, MessagePassing, tp_path_exists
from curienn.models import PointsConvolution as Convolution
from curienn.nn import Gate

__all__ = [
    "Compose", "Convolution", "Gate", "MessagePassing", "o3", "radius_graph", "test",
    "tp_path_exists",
]
