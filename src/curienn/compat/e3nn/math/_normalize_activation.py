"""``e3nn.math._normalize_activation`` over curienn."""

from curienn.compat.e3nn.util.default_type import explicit_default_types
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import moment, normalize2mom

__all__ = [
    "compile_mode", "explicit_default_types", "moment", "normalize2mom",
]
