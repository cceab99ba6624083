"""``e3nn.util`` over curienn: :mod:`.test` (equivariance, normalization and compilation
checks), :mod:`.jit` (``compile_mode`` and the optimization switches, accepted and ignored:
curienn has no TorchScript), :mod:`.default_type`, :mod:`.datatypes`; ``prod`` is
:func:`math.prod`. :mod:`.codegen` (e3nn's code-generation mixin) is empty: see
``curienn.compat.e3nn.UNSUPPORTED``."""

from math import prod

from . import codegen, datatypes, default_type, jit, test
from .default_type import explicit_default_types, torch_get_default_device, torch_get_default_tensor_type

__all__ = [
    "codegen", "datatypes", "default_type", "jit", "test", "prod", "explicit_default_types",
    "torch_get_default_device", "torch_get_default_tensor_type",
]
