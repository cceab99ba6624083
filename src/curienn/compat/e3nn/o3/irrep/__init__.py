"""``e3nn.o3.irrep`` over curienn: named irreps, ``from ...o3.irrep import l1o`` is
``Irrep("1o")`` (:data:`curienn.o3.irrep`)."""

from curienn.o3 import Irrep
from curienn.o3 import irrep as _named


def __getattr__(name: str):
    return getattr(_named, name)


__all__ = [
    "Irrep",
]
