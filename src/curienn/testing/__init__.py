"""curienn.testing: helpers to check equivariance (rotations and inversions) and
normalization, and checks of modules (random inputs from their irreps, bad shapes,
``torch.compile``, second derivatives). Every ``curienn.nn`` and ``curienn.models``
module runs through them (``tests/test_module_battery.py``)."""

from ._equivariance import *  # noqa: F401,F403
from ._modules import *  # noqa: F401,F403
from . import _equivariance, _modules

__all__ = [*_equivariance.__all__, *_modules.__all__]
