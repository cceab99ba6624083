"""curienn.testing: helpers to check equivariance and normalization."""

from ._equivariance import *  # noqa: F401,F403
from . import _equivariance

__all__ = [*_equivariance.__all__]
