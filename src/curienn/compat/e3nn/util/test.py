"""``e3nn.util.test`` over curienn: equivariance, normalization and compilation checks
(:mod:`curienn.testing`).

* ``FLOAT_TOLERANCE[dtype]`` is a 0-dim tensor of that dtype (1e-3 for float32, 1e-9 for
  float64), as in e3nn; ``float_tolerance`` is e3nn's session-wide, autouse pytest fixture
  that runs every test in float32 and in float64 (import it into a ``conftest.py``).
* :func:`assert_torch_compile` compiles with ``torch.compile(fullgraph=True)`` and compares
  with the eager module; ``compile_mode`` (e3nn's ``jit_mode``) is recorded and ignored.
* :func:`assert_auto_jitable` stands in for e3nn's TorchScript check (curienn has no
  TorchScript): when random inputs can be built from the module's input irreps (see
  :func:`curienn.testing.random_module_inputs`; ``Linear(f_in=...)`` is respected, and a
  module whose ``forward`` takes more arguments than it has input irreps, e.g. a graph
  convolution, is not called), it calls the module and, with ``strict_shapes``, checks that
  inputs of the wrong size raise; it returns the module itself, not a scripted one.
"""

from __future__ import annotations

import logging
import random
from typing import Any, Callable

import numpy as np
import torch

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.util.jit import get_compile_mode, get_optimization_defaults, set_optimization_defaults
from curienn.testing import (
    FLOAT_TOLERANCE as _TOLERANCES,
    assert_equivariant,
    assert_normalized,
    assert_rejects_bad_shapes,
    equivariance_error,
    format_equivariance_error,
    random_irreps,
    random_module_inputs,
)
from curienn.testing import assert_torch_compile as _assert_torch_compile

__all__ = [
    "FLOAT_TOLERANCE", "assert_auto_jitable", "assert_equivariant", "assert_normalized", "assert_torch_compile",
    "equivariance_error", "format_equivariance_error", "get_compile_mode", "get_optimization_defaults", "logger",
    "o3", "random_irreps", "set_optimization_defaults", "set_random_seeds",
]

logger = logging.getLogger(__name__)

FLOAT_TOLERANCE = {t: torch.as_tensor(_TOLERANCES[t], dtype=t) for t in (torch.float32, torch.float64)}

try:
    import pytest
except ImportError:  # pragma: no cover - pytest is only needed for the fixture
    pytest = None
else:
    @pytest.fixture(scope="session", autouse=True, params=["float32", "float64"])
    def float_tolerance(request):
        """Run the tests with float32 and float64 as the default dtype; yields the tolerance."""
        old = torch.get_default_dtype()
        dtype = {"float32": torch.float32, "float64": torch.float64}[request.param]
        torch.set_default_dtype(dtype)
        yield FLOAT_TOLERANCE[dtype]
        torch.set_default_dtype(old)

    __all__.append("float_tolerance")


def set_random_seeds() -> None:
    """Seed ``torch``, ``random`` and ``numpy`` with 0 (as e3nn's helper does)."""
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)


def assert_auto_jitable(func: Any, error_on_warnings: bool = True, n_trace_checks: int = 2,
                        strict_shapes: bool = True) -> Any:
    """e3nn's TorchScript check, eagerly (see the module): call ``func`` on random inputs of
    its input irreps when they can be built, check that wrong sizes raise, return ``func``.
    ``error_on_warnings`` and ``n_trace_checks`` are e3nn's and ignored."""
    inputs = random_module_inputs(func)
    if inputs is not None:
        func(*inputs)
        if strict_shapes:
            assert_rejects_bad_shapes(func, inputs)
    return func


def assert_torch_compile(compile_mode: str, func: Callable, *args: Any, **kwargs: Any) -> Callable:
    """Build ``func()`` (a module or a factory such as ``functools.partial(Module, ...)``),
    compile it with ``torch.compile(fullgraph=True)``, run it on ``args``/``kwargs`` and
    compare with eager; returns the compiled module. ``compile_mode`` is set as e3nn's
    ``jit_mode`` during the call (curienn ignores it)."""
    before = get_optimization_defaults()["jit_mode"]
    try:
        set_optimization_defaults(jit_mode=compile_mode)
        return _assert_torch_compile(func, *args, **kwargs)
    finally:
        set_optimization_defaults(jit_mode=before)
