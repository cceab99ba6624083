"""curienn.nn: equivariant layers -- tensor products, linear maps, gates,
activations, normalization and radial functions.

Public API and numbers follow e3nn 0.6.0 (``e3nn.o3.TensorProduct`` and friends
live here; ``curienn.compat.e3nn.o3`` re-exports them under e3nn's names).
"""

from ._tensor_product import *  # noqa: F401,F403
from ._tp_v2 import *  # noqa: F401,F403
from ._linear import *  # noqa: F401,F403
from ._linear import Instruction as LinearInstruction
from ._norm import *  # noqa: F401,F403
from ._radial import *  # noqa: F401,F403
from ._activation import *  # noqa: F401,F403
from ._gate import *  # noqa: F401,F403
from ._fc import *  # noqa: F401,F403
from ._batchnorm import *  # noqa: F401,F403
from ._extract import *  # noqa: F401,F403
from ._dropout import *  # noqa: F401,F403
from . import (
    _activation, _batchnorm, _dropout, _extract, _fc, _gate, _linear, _norm, _radial,
    _tensor_product, _tp_v2,
)

__all__ = [
    *_tensor_product.__all__, *_tp_v2.__all__, *_linear.__all__, "LinearInstruction", *_norm.__all__, *_radial.__all__,
    *_activation.__all__, *_gate.__all__, *_fc.__all__, *_batchnorm.__all__,
    *_extract.__all__, *_dropout.__all__,
]
