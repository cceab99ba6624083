"""``e3nn.io._cartesian_tensor`` over curienn (:mod:`curienn.io`)."""

from curienn.io import CartesianTensor, ReducedTensorProducts
from curienn.o3 import Irreps

__all__ = [
    "CartesianTensor", "Irreps", "ReducedTensorProducts",
]
