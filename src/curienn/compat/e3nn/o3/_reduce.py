"""``e3nn.o3._reduce`` over curienn: ``ReducedTensorProducts`` (:mod:`curienn.io`).

``CodeGenMixin`` is not provided (TorchScript/code generation): see
``curienn.compat.e3nn.UNSUPPORTED``."""

from curienn.compat.e3nn.util.default_type import explicit_default_types
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.io import ReducedTensorProducts
from curienn.nn import TensorProduct
from curienn.o3 import Irrep, Irreps, germinate_formulas, orthonormalize, reduce_permutation, wigner_3j

__all__ = [
    "Irrep", "Irreps", "ReducedTensorProducts", "TensorProduct", "compile_mode",
    "explicit_default_types", "germinate_formulas", "orthonormalize", "reduce_permutation",
    "wigner_3j",
]
