"""``e3nn.math.perm`` over curienn: :mod:`curienn.o3.perm` (permutations as tuples, the
symmetric group and its natural and standard representations)."""

from curienn.o3 import complete_basis
from curienn.o3.perm import *  # noqa: F401,F403
from curienn.o3.perm import __all__ as _names


__all__ = [*_names, "complete_basis"]

