"""``e3nn.io`` over curienn: ``CartesianTensor`` and ``SphericalTensor``
(re-exports of :mod:`curienn.io`'s)."""

from curienn.io import CartesianTensor, SphericalTensor

__all__ = ["CartesianTensor", "SphericalTensor"]
