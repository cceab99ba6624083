"""``e3nn.nn.models.v2103`` over curienn. e3nn's point modules of this version need
``torch_scatter``/``torch_cluster``; these do not."""

from . import conv_points_in_out, gate_points_message_passing, gate_points_networks, points_convolution, voxel_convolution

__all__ = [
    "conv_points_in_out", "gate_points_message_passing", "gate_points_networks",
    "points_convolution", "voxel_convolution",
]
