"""``e3nn.util.jit`` over curienn: the markers and switches of e3nn's TorchScript support,
accepted so that e3nn code runs; curienn itself is eager and works under ``torch.compile``.

* :func:`compile_mode` records the mode on the class (``get_compile_mode`` reads it back)
  and changes nothing else;
* :func:`disable_e3nn_codegen` sets ``jit_script_fx=False`` for the duration of the
  ``with`` block, as in e3nn; curienn ignores that option (it generates no code);
* ``compile``, ``script``, ``trace``, ``trace_module`` and ``get_tracing_inputs``
  (TorchScript compilation and tracing) are not provided: see
  ``curienn.compat.e3nn.UNSUPPORTED["e3nn.util.jit"]``. Use ``torch.compile``.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, Tuple, TypeVar

import torch

from curienn.compat.e3nn import get_optimization_defaults, set_optimization_defaults

__all__ = [
    "ModuleFactory", "TypeTuple", "compile_mode", "get_compile_mode", "disable_e3nn_codegen",
    "get_optimization_defaults", "set_optimization_defaults",
]

ModuleFactory = Callable[..., torch.nn.Module]
TypeTuple = Tuple[type, ...]

_T = TypeVar("_T")
_VALID_MODES = ("trace", "script", "unsupported", None)
_MODE_ATTRIBUTE = "__e3nn_compile_mode__"


def compile_mode(mode: Optional[str]) -> Callable[[_T], _T]:
    """Accept e3nn's ``@compile_mode("script" | "trace" | "unsupported" | None)`` on a
    ``torch.nn.Module`` subclass: record the mode and return the class.

    Raises:
        ValueError: an unknown ``mode``.
        TypeError: the decorated object is not a ``torch.nn.Module`` subclass.
    """
    if mode not in _VALID_MODES:
        raise ValueError(f"Invalid compile mode {mode!r}; expected one of {_VALID_MODES}")

    def decorator(obj: _T) -> _T:
        if not (inspect.isclass(obj) and issubclass(obj, torch.nn.Module)):
            raise TypeError("compile_mode can only decorate classes derived from torch.nn.Module")
        setattr(obj, _MODE_ATTRIBUTE, mode)
        return obj

    return decorator


def get_compile_mode(mod: torch.nn.Module) -> Optional[str]:
    """The mode given to :func:`compile_mode` for ``mod`` (or its class), else ``None``."""
    return getattr(mod, _MODE_ATTRIBUTE, None)


@contextmanager
def disable_e3nn_codegen() -> Iterator[None]:
    """Set ``jit_script_fx=False`` inside the block and restore it after (accepted and
    ignored by curienn, which generates no code)."""
    before = get_optimization_defaults()["jit_script_fx"]
    set_optimization_defaults(jit_script_fx=False)
    try:
        yield
    finally:
        set_optimization_defaults(jit_script_fx=before)
