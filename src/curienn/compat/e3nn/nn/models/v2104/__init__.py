"""``e3nn.nn.models.v2104`` over curienn."""

from . import voxel_convolution

__all__ = [
    "voxel_convolution",
]
