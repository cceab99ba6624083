"""curienn.optim: optimisers that ``torch.optim`` lacks (imports only torch).

- :class:`FIRE` -- fast inertial relaxation engine for network weights
  (Bitzek et al. 2006, in Ma & Chan's variant with a pseudo-mass).
"""

from ._fire import *  # noqa: F401,F403
from . import _fire

__all__ = [*_fire.__all__]
