r"""``curienn.models.unitary``: Ma & Chan's feedforward unitary-equivariant network
(arXiv:2208.12146) and its activations (Ma, arXiv:2411.14462).

Tensors hold ``M`` vectors in ``C^n`` / ``R^n`` as the *columns* of a
``(..., n [+ m], M)`` tensor; the group acts from the left, the weights from
the right: ``y = x W + e b``.

- :class:`UnitaryLinear` -- the layer, with the scalar-feature extension
- :class:`SoftsignResidual`, :class:`NormGate`, :class:`VectorLeakyReLU`,
  :class:`IdentityActivation` -- norm-gated activations ``f(‖u‖) u``
- :class:`VectorDescriptor` -- permutation-invariant vector descriptors (Eq. 34)
- :class:`UnitaryNetwork` -- the feedforward network
- :func:`normalize`, :func:`safe_norm` -- zero-safe norms (``e = 0`` at ``x = 0``)
"""

from ._norm import *  # noqa: F401,F403
from ._activation import *  # noqa: F401,F403
from ._layer import *  # noqa: F401,F403
from ._descriptor import *  # noqa: F401,F403
from ._network import *  # noqa: F401,F403
from . import _activation, _descriptor, _layer, _network, _norm

__all__ = [*_norm.__all__, *_activation.__all__, *_layer.__all__, *_descriptor.__all__,
           *_network.__all__]
