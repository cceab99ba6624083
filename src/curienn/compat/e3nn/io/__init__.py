"""``e3nn.io`` over curienn: ``CartesianTensor`` and ``SphericalTensor``.

Both are re-exports of curienn's (``curienn.io._cartesian_tensor`` and
``curienn.io._spherical_tensor``), looked up on first access; where this curienn
does not have them yet, accessing them raises ``AttributeError``.
"""

from __future__ import annotations

import importlib as _importlib
import importlib.util as _importlib_util

_LAZY = {
    "CartesianTensor": "curienn.io._cartesian_tensor",
    "SphericalTensor": "curienn.io._spherical_tensor",
}
__all__ = [name for name, module in _LAZY.items() if _importlib_util.find_spec(module) is not None]


def __getattr__(name: str):
    if name in _LAZY:
        try:
            module = _importlib.import_module(_LAZY[name])
        except ImportError as error:  # not (yet) part of this curienn
            raise AttributeError(f"{__name__}.{name} is not available: {error}") from None
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted((set(globals()) - set(_LAZY)) | set(__all__))
