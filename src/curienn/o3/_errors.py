"""Exception classes of curienn: each is a ``ValueError`` (curienn's convention for bad
input) *and* the built-in type e3nn 0.6.0 raises in the same situation, so that code
written against e3nn, which catches e3nn's type, keeps working unchanged.

For example e3nn asserts that a normalization name is known, and code written for
e3nn catches ``AssertionError``; curienn raises :class:`InvalidArgumentError`, which
such code catches, while ``except ValueError`` catches it too (the same holds one
layer up, e.g. :class:`InstructionError` for a tensor-product instruction that
violates parity)::

    >>> import torch
    >>> from curienn.o3 import spherical_harmonics
    >>> try:
    ...     spherical_harmonics(1, torch.ones(3), True, normalization="unit")
    ... except AssertionError as e:
    ...     print(type(e).__name__, "-", e)
    InvalidArgumentError - normalization must be one of ('integral', 'component', 'norm'), got 'unit'

The classes live here, at the bottom of the layering, and every layer raises them.
"""

from __future__ import annotations

__all__ = [
    "InvalidArgumentError",
    "InstructionError",
    "ConnectionModeError",
    "InvalidIndexError",
    "MissingWeightsError",
    "ShapeError",
    "FormulaError",
    "UnsupportedOperationError",
    "InvalidTypeError",
]


class InvalidArgumentError(ValueError, AssertionError):
    """A bad argument value where e3nn uses ``assert`` (an unknown normalization, an
    improper rotation matrix, a grid resolution that is too small, ...)."""


class InstructionError(InvalidArgumentError):
    """An invalid tensor-product or ``Linear`` instruction: parity or triangle rule
    violated, multiplicities that the connection mode does not allow (e3nn: ``AssertionError``)."""


class ConnectionModeError(InstructionError, KeyError):
    """An unknown tensor-product connection mode (e3nn: ``KeyError`` from its mode table)."""

    __str__ = ValueError.__str__  # the message, not KeyError's quoted repr


class InvalidIndexError(ValueError, IndexError):
    """An index out of range, e.g. an instruction naming an irrep that does not exist
    (e3nn: ``IndexError``)."""


class MissingWeightsError(ValueError, RuntimeError, AssertionError):
    """A module without internal weights was called without weights (e3nn:
    ``RuntimeError`` in ``forward``, ``AssertionError`` in ``weight_views``)."""


class ShapeError(ValueError, RuntimeError, AssertionError):
    """An input tensor whose shape does not fit the module (e3nn: ``AssertionError`` or the
    ``RuntimeError`` of a failing reshape, depending on the module)."""


class FormulaError(ValueError, RuntimeError):
    """An index formula (``"ij=-ji"``) that is inconsistent, or irreps that do not fit it
    (e3nn's ``ReducedTensorProducts``/``germinate_formulas``: ``RuntimeError``)."""


class UnsupportedOperationError(ValueError, NotImplementedError):
    """An operation that is not defined for these arguments (e3nn: ``NotImplementedError``)."""


class InvalidTypeError(ValueError, TypeError):
    """An argument of the wrong kind, e.g. a non-callable activation (e3nn: ``TypeError``)."""
