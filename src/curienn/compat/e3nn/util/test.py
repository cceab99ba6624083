"""``e3nn.util.test`` over curienn: equivariance and normalization checks
(re-exports of :mod:`curienn.testing`).

:func:`assert_auto_jitable` exists so that e3nn test code runs, but curienn does
not support TorchScript: it warns, calls the module once on random inputs built
from its ``irreps_in`` (when it has one) and returns the module unchanged.
"""

from __future__ import annotations

import random
import warnings
from typing import Any

import numpy as np
import torch

from curienn.compat.e3nn.util.jit import get_optimization_defaults, set_optimization_defaults
from curienn.o3 import Irreps
from curienn.testing import (
    FLOAT_TOLERANCE,
    assert_equivariant,
    assert_normalized,
    equivariance_error,
    format_equivariance_error,
    random_irreps,
)

__all__ = [
    "FLOAT_TOLERANCE",
    "assert_auto_jitable",
    "assert_equivariant",
    "assert_normalized",
    "equivariance_error",
    "format_equivariance_error",
    "get_optimization_defaults",
    "random_irreps",
    "set_optimization_defaults",
    "set_random_seeds",
]


def set_random_seeds() -> None:
    """Seed ``torch``, ``random`` and ``numpy`` with 0 (as e3nn's helper does)."""
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)


def assert_auto_jitable(func: Any, error_on_warnings: bool = True, n_trace_checks: int = 2,
                        strict_shapes: bool = True) -> Any:
    """TorchScript is not supported by curienn: warn, run ``func`` eagerly, return it.

    When ``func`` has an ``irreps_in`` (one ``Irreps`` or a list/tuple of them),
    it is called once on random inputs of batch 4 as a smoke test. The keyword
    arguments are e3nn's and are ignored.

    Returns:
        ``func`` itself (not a scripted module).
    """
    warnings.warn(
        "curienn does not support TorchScript; assert_auto_jitable only checks that "
        "the module runs eagerly and returns it unchanged",
        UserWarning,
        stacklevel=2,
    )
    irreps_in = getattr(func, "irreps_in", None)
    if irreps_in is not None:
        if isinstance(irreps_in, (list, tuple)) and not isinstance(irreps_in, Irreps):
            inputs = [torch.randn(4, Irreps(i).dim) for i in irreps_in]
        else:
            inputs = [torch.randn(4, Irreps(irreps_in).dim)]
        func(*inputs)
    return func
