"""e3nn 0.6.0's public module tree over curienn: ``import curienn.compat.e3nn as e3nn``.

Sub-packages (each a thin re-export of curienn objects under e3nn's names):

* :mod:`~curienn.compat.e3nn.o3` -- irreps, rotations, Wigner matrices, spherical
  harmonics, tensor products, ``Linear``, ``Norm``, S2 grids, ``ReducedTensorProducts``;
* :mod:`~curienn.compat.e3nn.nn` -- gates, activations, normalization,
  ``FullyConnectedNet``; :mod:`~curienn.compat.e3nn.nn.models.gate_points_2101`;
* :mod:`~curienn.compat.e3nn.io` -- ``CartesianTensor``, ``SphericalTensor``;
* :mod:`~curienn.compat.e3nn.math` -- radial bases and normalization helpers;
* :mod:`~curienn.compat.e3nn.util` -- ``util.test`` (equivariance checks) and
  ``util.jit`` (``compile_mode`` as a no-op).

``__version__`` is the e3nn version whose API and numbers are matched
(``"0.6.0"``); ``curienn_version`` is the curienn providing them.

:func:`set_optimization_defaults` / :func:`get_optimization_defaults` accept
e3nn's keys (``specialized_code``, ``optimize_einsums``, ``jit_script_fx``,
``jit_mode``) and store them, but curienn ignores them: it has one eager code
path, no code generation and no TorchScript.

:data:`UNSUPPORTED` maps each e3nn module to the public names deliberately not
provided, with the reason.
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


_TORCHSCRIPT = "TorchScript / code generation is not supported by curienn"

#: Public names of e3nn 0.6.0 that the compat tree deliberately lacks, per module, with reasons.
UNSUPPORTED: Dict[str, Dict[str, str]] = {
    "e3nn.o3": {
        "FullTensorProductv2": "experimental e3nn variant; use FullTensorProduct",
        "SphericalHarmonicsAlphaBeta": "use spherical_harmonics_alpha_beta",
        "spherical_harmonics_alpha": "internal to e3nn's S2 grids",
        "Legendre": "internal to e3nn's S2 grids",
        "spherical_harmonics_s2_grid": "internal to e3nn's S2 grids; use ToS2Grid",
        "rfft": "internal to e3nn's S2 grids",
        "irfft": "internal to e3nn's S2 grids",
        "SO3Grid": "SO(3) grids are not implemented",
        "experimental": "e3nn's experimental sub-package is not ported",
    },
    "e3nn.nn": {
        "S2Activation": "S2 / SO(3) grid activations are not implemented",
        "SO3Activation": "S2 / SO(3) grid activations are not implemented",
    },
    "e3nn.math": {
        "complete_basis": "linear-algebra helpers of e3nn's ReducedTensorProducts, not ported",
        "direct_sum": "use torch.block_diag",
        "orthonormalize": "linear-algebra helpers of e3nn's ReducedTensorProducts, not ported",
        "germinate_formulas": "internal to e3nn's ReducedTensorProducts",
        "reduce_permutation": "internal to e3nn's ReducedTensorProducts",
        "perm": "internal permutation utilities of e3nn",
    },
    "e3nn.util": {
        "codegen": _TORCHSCRIPT,
        "datatypes": "internal to e3nn",
        "default_type": "internal to e3nn",
        "explicit_default_types": "internal to e3nn",
        "torch_get_default_device": "internal to e3nn",
        "torch_get_default_tensor_type": "internal to e3nn",
        "prod": "use math.prod",
    },
    "e3nn.util.test": {
        "assert_torch_compile": "torch.compile checks are e3nn-internal; call torch.compile directly",
        "get_tracing_inputs": _TORCHSCRIPT,
        "compile": _TORCHSCRIPT,
        "get_compile_mode": _TORCHSCRIPT,
        "float_tolerance": "internal to e3nn; see FLOAT_TOLERANCE",
    },
    "e3nn.util.jit": {
        "compile": _TORCHSCRIPT,
        "script": _TORCHSCRIPT,
        "trace": _TORCHSCRIPT,
        "trace_module": _TORCHSCRIPT,
        "get_compile_mode": _TORCHSCRIPT,
        "get_tracing_inputs": _TORCHSCRIPT,
        "disable_e3nn_codegen": _TORCHSCRIPT,
        "jitable": _TORCHSCRIPT,
        "ModuleFactory": _TORCHSCRIPT,
        "TypeTuple": _TORCHSCRIPT,
    },
    "e3nn.nn.models.gate_points_2101": {},
}

_SUBPACKAGES = ("o3", "nn", "io", "math", "util")


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
