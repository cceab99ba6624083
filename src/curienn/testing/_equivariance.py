r"""Check that a function is :math:`E(3)`-equivariant, and that it is normalized.

A function :math:`f` with input representations :math:`\rho_{in}` and output
representations :math:`\rho_{out}` is equivariant when, for every orthogonal
matrix :math:`R` (a rotation, possibly times the inversion :math:`-I`) and, for
point inputs, every translation :math:`t`,

.. math:: f(\rho_{in}(g)\, x) = \rho_{out}(g)\, f(x).

For data with irreps ``irreps``, :math:`\rho(R)` is ``irreps.D_from_matrix(R)``
acting on the last axis; ``"cartesian_points"`` are points :math:`x \mapsto R x + t`;
``None`` marks an argument or output left untouched (an invariant, a weight, ...).

The transformations are built and applied in float64 (``transform_dtype``) and the
transformed inputs are cast back to each input's dtype, so the error measured is
that of ``func`` and not of the test. The error of one output is

.. math:: \frac{\max |f(g x) - g f(x)|}{\max(1, \max |g f(x)|)},

absolute for outputs of order one and relative for large outputs. The API follows
``e3nn.util.test`` (0.6.0).
"""

from __future__ import annotations

import itertools
import random
from typing import Any, Callable, Iterable, Optional, Sequence

import torch

from curienn.o3 import InvalidArgumentError, Irreps, rand_matrix

__all__ = [
    "FLOAT_TOLERANCE",
    "assert_equivariant",
    "assert_normalized",
    "equivariance_error",
    "format_equivariance_error",
    "random_irreps",
]

#: Default tolerance of :func:`assert_equivariant` for each floating dtype.
FLOAT_TOLERANCE = {torch.float16: 1e-1, torch.bfloat16: 1e-1, torch.float32: 1e-3, torch.float64: 1e-9}

_POINTS = "cartesian_points"


# --------------------------------------------------------------------------- irreps of a function


def _one_spec(x):
    """An argument spec: ``None``, ``"cartesian_points"`` or an :class:`Irreps`."""
    if x is None or (isinstance(x, str) and x == _POINTS):
        return x
    if isinstance(x, str) and x.strip() == "cartesian":
        return _POINTS
    try:
        return Irreps(x)
    except ValueError as e:
        msg = f"cannot use {x!r} as irreps: give Irreps, a string, 'cartesian_points' or None ({e})"
        raise ValueError(msg) from None


def _specs(x) -> list:
    """A list of per-argument specs from one spec or a list of them."""
    if x is None or isinstance(x, (str, Irreps)):
        return [_one_spec(x)]
    if getattr(x, "_e3nn_irreps_marker", False):  # an e3nn Irreps
        return [_one_spec(str(x))]
    return [_one_spec(s) for s in x]


def _io_specs(func, irreps_in, irreps_out) -> tuple[list, list]:
    """Specs given, or read from ``func.irreps_in`` (or ``irreps_in1``, ``irreps_in2``) and ``func.irreps_out``."""
    if irreps_in is None:
        if hasattr(func, "irreps_in"):
            irreps_in = func.irreps_in
        elif hasattr(func, "irreps_in1"):
            irreps_in = [func.irreps_in1, func.irreps_in2]
        else:
            raise ValueError("irreps_in not given and func has no irreps_in (or irreps_in1/irreps_in2) attribute")
    if irreps_out is None:
        if hasattr(func, "irreps_out"):
            irreps_out = func.irreps_out
        else:
            raise ValueError("irreps_out not given and func has no irreps_out attribute")
    return _specs(irreps_in), _specs(irreps_out)


def _random_args(specs: list, batch_size: int, dtype=None, normalization: str = "component") -> list:
    """Random inputs for the given specs (``None`` cannot be generated)."""
    out = []
    for i, s in enumerate(specs):
        if s is None:
            raise ValueError(f"cannot generate a random input for argument {i} (its irreps is None); pass args_in")
        if isinstance(s, str):  # cartesian_points
            out.append(torch.randn(batch_size, 3, dtype=dtype))
        else:
            out.append(s.randn(batch_size, -1, normalization=normalization, dtype=dtype))
    return out


def _as_list(x, what: str) -> list:
    if isinstance(x, torch.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return list(x)
    raise TypeError(f"{what} must be a tensor or a list/tuple of tensors, got {type(x).__name__}")


def _transform(xs: list, specs: list, R: torch.Tensor, t, cast_back: bool) -> list:
    """Apply ``R`` (float64, possibly improper) and the translation ``t`` to each ``x`` as its spec says."""
    if len(xs) != len(specs):
        raise ValueError(f"{len(xs)} tensors but {len(specs)} irreps were given")
    out = []
    for i, (x, s) in enumerate(zip(xs, specs)):
        if s is None:
            out.append(x)
            continue
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"argument/output {i} with irreps {s} is a {type(x).__name__}, not a tensor")
        if isinstance(s, str):  # cartesian_points
            if x.shape[-1] != 3:
                raise ValueError(f"argument/output {i} is cartesian_points but its last axis has size {x.shape[-1]}")
            y = x.to(R.dtype) @ R.transpose(-1, -2) + t
        else:
            if x.shape[-1] != s.dim:
                raise ValueError(f"argument/output {i} has last axis {x.shape[-1]}, but its irreps {s} has dim {s.dim}")
            D = s.D_from_matrix(R)
            y = x.to(R.dtype) @ D.transpose(-1, -2)
        if cast_back:  # an input: a fresh leaf of the original dtype, with the same requires_grad
            y = y.detach().to(x.dtype).requires_grad_(x.requires_grad)
        out.append(y)
    return out


# --------------------------------------------------------------------------- equivariance


def equivariance_error(
    func: Callable,
    args_in: Optional[Sequence[Any]] = None,
    irreps_in=None,
    irreps_out=None,
    ntrials: int = 1,
    do_parity: bool = True,
    do_translation: bool = True,
    transform_dtype: torch.dtype = torch.float64,
    batch_size: int = 4,
) -> dict:
    r"""The largest equivariance error of ``func`` for random rotations, inversions and translations.

    Args:
        func: the function (or module) to test; it returns a tensor or a tuple of tensors.
        args_in: the inputs; if ``None``, random ones are drawn from ``irreps_in``
            (``irreps.randn(batch_size, -1)``, points ``randn(batch_size, 3)``).
        irreps_in: one spec or a list of specs, one per argument. A spec is an
            :class:`~curienn.o3.Irreps` (or anything ``Irreps`` parses),
            ``"cartesian_points"`` or ``None`` (not transformed). Default:
            ``func.irreps_in``, or ``[func.irreps_in1, func.irreps_in2]``.
        irreps_out: the specs of the outputs; default ``func.irreps_out``.
        ntrials: number of random transformations per test.
        do_parity: also test :math:`R` times the inversion (``D_from_matrix(-R)``).
        do_translation: also translate the ``"cartesian_points"`` inputs (only
            when there are such inputs).
        transform_dtype: dtype in which the transformations are built and applied.
        batch_size: batch of the generated inputs.

    Returns:
        dict mapping ``(parity_k, did_translate)`` to a ``transform_dtype`` tensor
        with the largest error over the trials for each output (see the module doc).
    """
    return _equivariance_error(
        func, args_in, irreps_in, irreps_out, ntrials, do_parity, do_translation, transform_dtype, batch_size
    )[0]


def _equivariance_error(
    func, args_in, irreps_in, irreps_out, ntrials=1, do_parity=True, do_translation=True,
    transform_dtype=torch.float64, batch_size=4,
):
    """:func:`equivariance_error`, also returning the inputs used and the untransformed outputs."""
    specs_in, specs_out = _io_specs(func, irreps_in, irreps_out)
    if args_in is None:
        args_in = _random_args(specs_in, batch_size)
    args_in = list(args_in)
    if len(args_in) != len(specs_in):
        raise ValueError(f"func takes {len(specs_in)} arguments by its irreps_in, but {len(args_in)} were given")

    parities = (0, 1) if do_parity else (0,)
    translations = (False, True) if do_translation and _POINTS in specs_in else (False,)
    tests = list(itertools.product(parities, translations))

    y = [v.detach() for v in _as_list(func(*args_in), "func output")]
    if len(y) != len(specs_out):
        raise ValueError(f"func returned {len(y)} outputs, but {len(specs_out)} irreps_out were given")

    worst = {test: torch.zeros(len(specs_out), dtype=transform_dtype) for test in tests}
    for _ in range(ntrials):
        for k, translate in tests:
            R = rand_matrix(dtype=transform_dtype) * (-1) ** k
            t = 10 * torch.randn(3, dtype=transform_dtype) if translate else torch.zeros(3, dtype=transform_dtype)
            x1 = _as_list(func(*_transform(args_in, specs_in, R, t, cast_back=True)), "func output")
            if len(x1) != len(specs_out):
                raise ValueError(f"func returned {len(x1)} outputs, but {len(specs_out)} irreps_out were given")
            x1 = [v.detach().to(transform_dtype) for v in x1]
            x2 = [v.to(transform_dtype) for v in _transform(y, specs_out, R, t, cast_back=False)]
            errs = []
            for a, b in zip(x1, x2):
                if a.shape != b.shape:
                    raise ValueError(f"output shape changed when transformed: {tuple(b.shape)} -> {tuple(a.shape)}")
                if a.numel() == 0:
                    errs.append(torch.zeros((), dtype=transform_dtype))
                    continue
                scale = b.abs().max().clamp(min=1)
                errs.append((a - b).abs().max() / scale)
            errs = torch.stack(errs)
            errs = torch.where(torch.isnan(errs), torch.full_like(errs, float("inf")), errs)
            worst[(k, translate)] = torch.maximum(worst[(k, translate)], errs)
    return worst, args_in, y


def format_equivariance_error(errors: dict) -> str:
    """A readable line per test: ``(parity_k, did_translate)`` and the error of each output."""
    lines = []
    for (k, translate), errs in errors.items():
        what = "rotation" + (" x inversion" if k else "") + (" + translation" if translate else "")
        per = ", ".join(f"output {i}: {e:.3g}" for i, e in enumerate(errs.tolist()))
        lines.append(f"{what}: {per}")
    return "\n".join(lines)


def _default_tolerance(args_in, func_out) -> float:
    """Tolerance of the least precise floating tensor among inputs and outputs (default dtype if none)."""
    dtypes = [
        v.dtype for v in list(args_in) + list(func_out) if isinstance(v, torch.Tensor) and v.is_floating_point()
    ]
    if not dtypes:
        return FLOAT_TOLERANCE.get(torch.get_default_dtype(), 1e-3)
    return max(FLOAT_TOLERANCE.get(d, 1e-3) for d in dtypes)


def assert_equivariant(
    func: Callable,
    args_in: Optional[Sequence[Any]] = None,
    irreps_in=None,
    irreps_out=None,
    tolerance: Optional[float] = None,
    **kwargs,
) -> dict:
    r"""Assert that ``func`` is equivariant under rotations, inversion and (for points) translations.

    Args:
        func: the function or module to test.
        args_in: its inputs, or ``None`` to draw random ones from ``irreps_in``.
        irreps_in, irreps_out: specs as in :func:`equivariance_error` (default: the
            attributes of ``func``).
        tolerance: the largest error allowed; default from the dtype of the
            least precise floating input or output (float32: 1e-3, float64: 1e-9).
        **kwargs: passed to :func:`equivariance_error` (``ntrials``, ``do_parity``,
            ``do_translation``, ``transform_dtype``, ``batch_size``).

    Returns:
        The errors of :func:`equivariance_error`.

    Raises:
        AssertionError: naming each test and output whose error exceeds ``tolerance``.

    Example:
        >>> errors = assert_equivariant(lambda x: 2 * x, irreps_in="1o", irreps_out="1o")
        >>> sorted(errors)  # (parity_k, did_translate)
        [(0, False), (1, False)]
        >>> import torch
        >>> assert_equivariant(lambda x: x**2, [torch.randn(4, 3)], "1o", "1o")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: not equivariant (tolerance 0.001):
        ...
    """
    errors, args_in, out = _equivariance_error(func, args_in, irreps_in, irreps_out, **kwargs)
    if tolerance is None:
        tolerance = _default_tolerance(args_in, out)
    bad = []
    for (k, translate), errs in errors.items():
        what = "rotation" + (" x inversion" if k else "") + (" + translation" if translate else "")
        for i, e in enumerate(errs.tolist()):
            if not e <= tolerance:
                bad.append(f"  output {i} under {what}: error {e:.3g}")
    if bad:
        raise AssertionError(
            f"not equivariant (tolerance {tolerance:.3g}):\n" + "\n".join(bad) + "\nall errors:\n"
            + format_equivariance_error(errors)
        )
    return errors


# --------------------------------------------------------------------------- random irreps


def random_irreps(
    n: int = 1,
    lmax: int = 4,
    mul_min: int = 0,
    mul_max: int = 5,
    len_min: int = 0,
    len_max: int = 4,
    clean: bool = False,
    allow_empty: bool = True,
):
    """Random irreps for tests (Python's ``random``; seed it for reproducibility).

    Args:
        n: how many; one irreps is returned for ``n == 1``, else a list.
        lmax: largest degree (inclusive).
        mul_min, mul_max: range of the multiplicities (inclusive).
        len_min, len_max: range of the number of terms (inclusive).
        clean: return :class:`~curienn.o3.Irreps`; otherwise also strings and
            lists of ``(mul, (l, p))`` that ``Irreps`` parses.
        allow_empty: allow irreps of dimension 0.
    """
    if not (n >= 1 and 0 <= mul_min <= mul_max and 0 <= len_min <= len_max and lmax >= 0):
        raise InvalidArgumentError(f"bad ranges: n {n}, mul {mul_min}..{mul_max}, len {len_min}..{len_max}, lmax {lmax}")
    if not allow_empty and (mul_max == 0 or len_max == 0):
        raise ValueError("allow_empty=False needs mul_max >= 1 and len_max >= 1")
    out = []
    while len(out) < n:
        terms = [
            (random.randint(mul_min, mul_max), (random.randint(0, lmax), random.choice((1, -1))))
            for _ in range(random.randint(len_min, len_max))
        ]
        irreps = Irreps(terms)
        if not allow_empty and irreps.dim == 0:
            continue
        if not clean:
            irreps = random.choice([irreps, str(irreps), terms])
        out.append(irreps)
    return out[0] if n == 1 else out


# --------------------------------------------------------------------------- normalization


def assert_normalized(
    func: Callable,
    irreps_in=None,
    irreps_out=None,
    normalization: str = "component",
    n_input: int = 10_000,
    n_weight: Optional[int] = None,
    weights: Optional[Iterable[torch.nn.Parameter]] = None,
    atol: float = 0.1,
) -> dict:
    r"""Assert that normalized inputs give normalized outputs (second moments, Monte-Carlo).

    Inputs are drawn with ``irreps.randn(n_input, -1, normalization=normalization)``.
    For each output irrep copy the second moment is averaged over the inputs and
    over ``n_weight`` draws of the weights (each parameter refilled from a standard
    normal, as the modules initialize them; the original weights are restored):

    * ``"component"``: :math:`E[x_i^2] = 1` for each component :math:`i`;
    * ``"norm"``: :math:`E[|x_{ir}|^2] = 1` for each irrep copy.

    Args:
        func: the function or module.
        irreps_in, irreps_out: specs as in :func:`equivariance_error`
            (``None`` inputs cannot be generated; ``None`` outputs are not checked).
        normalization: ``"component"`` or ``"norm"``, for inputs and outputs.
        n_input: number of input samples per weight draw.
        n_weight: number of weight draws; default 20 if there are weights, else 1.
        weights: parameters to redraw; default ``func.parameters()`` for a module.
        atol: allowed deviation of each moment from 1.

    Returns:
        dict ``{output index: tensor of moments}`` (per component or per irrep copy).

    Raises:
        AssertionError: naming the output, the position and the moment that is off.
    """
    if normalization not in ("component", "norm"):
        raise ValueError(f"normalization must be 'component' or 'norm', got {normalization!r}")
    specs_in, specs_out = _io_specs(func, irreps_in, irreps_out)
    if weights is None:
        weights = list(func.parameters()) if isinstance(func, torch.nn.Module) else []
    weights = list(weights)
    if n_weight is None:
        n_weight = 20 if weights else 1
    saved = [w.detach().clone() for w in weights]

    sums: dict[int, torch.Tensor] = {}
    try:
        for _ in range(n_weight):
            with torch.no_grad():
                for w in weights:
                    w.normal_()
                args = _random_args(specs_in, n_input, normalization=normalization)
                outs = _as_list(func(*args), "func output")
            if len(outs) != len(specs_out):
                raise ValueError(f"func returned {len(outs)} outputs, but {len(specs_out)} irreps_out were given")
            for i, (y, s) in enumerate(zip(outs, specs_out)):
                if s is None:
                    continue
                y = y.detach().to(torch.float64).reshape(-1, y.shape[-1])
                if normalization == "norm" and isinstance(s, Irreps):
                    parts = [
                        y[:, sl].reshape(len(y), mul, ir.dim).pow(2).sum(-1) for sl, (mul, ir) in zip(s.slices(), s)
                    ]
                    m = torch.cat(parts, dim=1).mean(0) if parts else y.new_zeros(0)
                else:
                    m = y.pow(2).mean(0)
                sums[i] = sums.get(i, 0) + m / n_weight
    finally:
        with torch.no_grad():
            for w, v in zip(weights, saved):
                w.copy_(v)

    bad = []
    for i, m in sums.items():
        off = (m - 1).abs() > atol
        if bool(off.any()):
            j = int(off.nonzero()[0])
            what = "component" if normalization == "component" else "irrep copy"
            bad.append(f"  output {i} ({specs_out[i]}): {what} {j} has second moment {m[j].item():.4g}")
    if bad:
        raise AssertionError(f"not normalized ({normalization}, atol {atol}):\n" + "\n".join(bad))
    return sums
