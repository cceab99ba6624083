"""``e3nn.io._spherical_tensor`` over curienn (:mod:`curienn.io`)."""

from curienn.compat.e3nn import o3
from curienn.io import FromS2Grid, SphericalTensor, ToS2Grid

__all__ = [
    "FromS2Grid", "SphericalTensor", "ToS2Grid", "o3",
]
