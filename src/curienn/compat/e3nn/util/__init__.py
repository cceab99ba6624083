"""``e3nn.util`` over curienn: :mod:`.test` (equivariance and normalization checks)
and :mod:`.jit` (``compile_mode`` only, a no-op: curienn has no TorchScript)."""

from . import jit, test

__all__ = ["jit", "test"]
