"""``e3nn.util.jit`` over curienn: only :func:`compile_mode`, as a no-op decorator.

curienn does not support TorchScript or e3nn's code generation: there is no
``script``/``trace``/``compile`` here (see
``curienn.compat.e3nn.UNSUPPORTED["e3nn.util.jit"]``). Modules run eagerly;
for compilation call ``torch.compile`` yourself.
"""

from __future__ import annotations

import inspect
from typing import Callable, Optional, TypeVar

import torch

from curienn.compat.e3nn import get_optimization_defaults, set_optimization_defaults

__all__ = ["compile_mode", "get_optimization_defaults", "set_optimization_defaults"]

_T = TypeVar("_T")
_VALID_MODES = ("trace", "script", "unsupported", None)


def compile_mode(mode: Optional[str]) -> Callable[[_T], _T]:
    """Accept e3nn's ``@compile_mode("script" | "trace" | "unsupported" | None)`` on a
    ``torch.nn.Module`` subclass and return the class unchanged (curienn ignores it).

    Raises:
        ValueError: an unknown ``mode``.
        TypeError: the decorated object is not a ``torch.nn.Module`` subclass.
    """
    if mode not in _VALID_MODES:
        raise ValueError(f"Invalid compile mode {mode!r}; expected one of {_VALID_MODES}")

    def decorator(obj: _T) -> _T:
        if not (inspect.isclass(obj) and issubclass(obj, torch.nn.Module)):
            raise TypeError("compile_mode can only decorate classes derived from torch.nn.Module")
        return obj

    return decorator
