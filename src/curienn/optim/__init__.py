"""curienn.optim: optimisers that ``torch.optim`` lacks (imports only torch).

- :class:`FIRE` -- fast inertial relaxation engine for network weights
  (Bitzek et al. 2006, in Ma & Chan's variant with a pseudo-mass).
- :class:`ProxAdam` -- Adam with an exact proximal step for L1 and group-lasso
  penalties (the order-parameter search's optimiser).
"""

from ._fire import *  # noqa: F401,F403
from ._prox_adam import *  # noqa: F401,F403
from . import _fire, _prox_adam

__all__ = [*_fire.__all__, *_prox_adam.__all__]
