"""``e3nn.nn.models.v2106`` over curienn."""

from . import gate_points_message_passing, gate_points_networks, points_convolution

__all__ = [
    "gate_points_message_passing", "gate_points_networks", "points_convolution",
]
