"""curienn.testing: helpers to check equivariance and normalization, and smoke checks
of modules (random inputs from their irreps, bad shapes, ``torch.compile``)."""

from ._equivariance import *  # noqa: F401,F403
from ._modules import *  # noqa: F401,F403
from . import _equivariance, _modules

__all__ = [*_equivariance.__all__, *_modules.__all__]
