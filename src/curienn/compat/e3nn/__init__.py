"""e3nn 0.6.0's public module tree over curienn: ``import curienn.compat.e3nn as e3nn``.

Sub-packages (each a thin re-export of curienn objects under e3nn's names):

* :mod:`~curienn.compat.e3nn.o3` -- irreps, rotations, Wigner matrices, spherical
  harmonics, tensor products (also ``o3.experimental``), ``Linear``, ``Norm``, S2 and SO(3)
  grids, ``ReducedTensorProducts``;
* :mod:`~curienn.compat.e3nn.nn` -- gates, activations (also on S2 and SO(3)),
  normalization, ``FullyConnectedNet``; :mod:`~curienn.compat.e3nn.nn.models` -- every
  reference model of e3nn 0.6.0 but the MinkowskiEngine one (``gate_points_2101``,
  ``gate_points_2102``, ``v2103``, ``v2104``, ``v2106``);
* :mod:`~curienn.compat.e3nn.io` -- ``CartesianTensor``, ``SphericalTensor``;
* :mod:`~curienn.compat.e3nn.math` -- radial bases, normalization, linear-algebra and
  permutation helpers (``math.perm``);
* :mod:`~curienn.compat.e3nn.util` -- ``util.test`` (equivariance, normalization and
  ``torch.compile`` checks) and ``util.jit`` (``compile_mode`` and the switches, accepted).

Every module path of e3nn 0.6.0, private ones included, imports from here
(``curienn.compat.e3nn.o3._irreps`` ...). Errors are curienn's, with its messages, as
exception classes that are both ``ValueError`` and the type e3nn raises
(:mod:`curienn.o3`'s ``InstructionError`` is an ``AssertionError``, ...), so e3nn code that
catches e3nn's types keeps working.

``__version__`` is the e3nn version whose API and numbers are matched
(``"0.6.0"``); ``curienn_version`` is the curienn providing them.

:func:`set_optimization_defaults` / :func:`get_optimization_defaults` accept
e3nn's keys (``specialized_code``, ``optimize_einsums``, ``jit_script_fx``,
``jit_mode``) and store them, but curienn ignores them: it has one eager code
path, no code generation and no TorchScript.

:data:`UNSUPPORTED` maps each e3nn module to the public names not provided (TorchScript and
code generation only), with the reason; :data:`IGNORED_SWITCHES` lists the switches that
are accepted and ignored.
"""

from __future__ import annotations

import importlib as _importlib
from typing import Any, Dict

import curienn as _curienn

__version__ = "0.6.0"
curienn_version: str = _curienn.__version__

__all__ = [
    "__version__",
    "curienn_version",
    "get_optimization_defaults",
    "set_optimization_defaults",
    "UNSUPPORTED",
    "IGNORED_SWITCHES",
    "o3",
    "nn",
    "io",
    "math",
    "util",
]

_VALID_OPTIONS = ("specialized_code", "optimize_einsums", "jit_script_fx", "jit_mode")
_OPT_DEFAULTS: Dict[str, Any] = dict(
    specialized_code=True, optimize_einsums=True, jit_script_fx=False, jit_mode="eager"
)


def set_optimization_defaults(**kwargs: Any) -> None:
    """Accept e3nn's optimization options and record them; curienn ignores them.

    curienn has a single eager implementation (no generated code, no TorchScript),
    so the values change nothing; they are kept so that
    :func:`get_optimization_defaults` returns what was set.

    Raises:
        ValueError: an option e3nn does not know, or a ``jit_mode`` other than
            ``"script"``, ``"inductor"`` or ``"eager"``.
    """
    for key, value in kwargs.items():
        if key not in _VALID_OPTIONS:
            raise ValueError(f"Unknown optimization option: {key!r} (e3nn knows {list(_VALID_OPTIONS)})")
        if key == "jit_mode" and value not in ("script", "inductor", "eager"):
            raise ValueError(f"Invalid jit_mode: {value!r}. Expected 'script', 'inductor', or 'eager'.")
    _OPT_DEFAULTS.update(kwargs)


def get_optimization_defaults() -> Dict[str, Any]:
    """The options recorded by :func:`set_optimization_defaults` (a copy); ignored by curienn."""
    return dict(_OPT_DEFAULTS)


_SCRIPT = "TorchScript compilation/tracing: curienn is eager PyTorch (use torch.compile)"
_CODEGEN = "code generation (torch.fx/TorchScript modules built at construction): curienn has one eager implementation"

#: The public names of e3nn 0.6.0 that the compat tree does not provide, per module, with the
#: reason: only TorchScript and code-generation machinery. Everything else e3nn defines is
#: provided at the same import path (tested against the installed e3nn).
UNSUPPORTED: Dict[str, Dict[str, str]] = {
    "e3nn.util.jit": {
        "compile": _SCRIPT,
        "script": _SCRIPT,
        "trace": _SCRIPT,
        "trace_module": _SCRIPT,
        "get_tracing_inputs": _SCRIPT + "; see curienn.testing.random_module_inputs",
    },
    "e3nn.util.test": {
        "compile": _SCRIPT,
        "get_tracing_inputs": _SCRIPT + "; see curienn.testing.random_module_inputs",
    },
    "e3nn.util.codegen": {"CodeGenMixin": _CODEGEN},
    "e3nn.util.codegen._mixin": {"CodeGenMixin": _CODEGEN},
    "e3nn.nn._extract": {"CodeGenMixin": _CODEGEN},
    "e3nn.o3._linear": {
        "CodeGenMixin": _CODEGEN,
        "LinearSlices": _CODEGEN + " (weight slices of e3nn's generated Linear; use Linear.weight_views)",
    },
    "e3nn.o3._reduce": {"CodeGenMixin": _CODEGEN},
    "e3nn.o3._tensor_product._tensor_product": {
        "CodeGenMixin": _CODEGEN,
        "codegen_tensor_product_left_right": _CODEGEN,
        "codegen_tensor_product_right": _CODEGEN,
    },
    "e3nn.o3._tensor_product._codegen": {
        "codegen_tensor_product_left_right": _CODEGEN,
        "codegen_tensor_product_right": _CODEGEN,
    },
}

#: Switches of e3nn's code generation and TorchScript that are accepted and ignored.
IGNORED_SWITCHES: Dict[str, str] = {
    "set_optimization_defaults(specialized_code=, optimize_einsums=, jit_script_fx=, jit_mode=)":
        "recorded (get_optimization_defaults returns them), no effect",
    "TensorProduct/Linear(..., _specialized_code=, _optimize_einsums=)": "accepted, no effect",
    "TensorProduct(..., compile_left_right=, compile_right=)": "accepted, no effect (right() always works)",
    "util.jit.compile_mode(mode)": "recorded on the class (util.jit.get_compile_mode), no effect",
    "util.jit.disable_e3nn_codegen()": "sets jit_script_fx=False inside the block, no effect",
    "util.test.assert_torch_compile(compile_mode, ...)": "compile_mode recorded as jit_mode, no effect",
}

_SUBPACKAGES = ("o3", "nn", "io", "math", "util")


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
