"""Scalar activations: second-moment normalization, per-irrep scalar activations
and norm-based activations.

Numbers equal ``e3nn.math.normalize2mom``, ``e3nn.nn.Activation`` and
``e3nn.nn.NormActivation`` (e3nn 0.6.0).
"""

from __future__ import annotations

import weakref
from typing import Callable, Dict, Optional, Sequence

import torch

from ..o3 import InvalidTypeError, Irreps, ShapeError
from ._e3nn_state import drop_e3nn_tensor_product_keys
from ._norm import Norm

__all__ = ["moment", "normalize2mom", "Activation", "NormActivation"]

_NUM_SAMPLES = 1_000_000


def moment(
    f: Callable[[torch.Tensor], torch.Tensor],
    n: int,
    dtype: Optional[torch.dtype] = None,
    device: Optional[torch.device] = None,
) -> torch.Tensor:
    r"""Monte-Carlo estimate of :math:`\mathbb E[f(z)^n]` for :math:`z \sim \mathcal N(0, 1)`.

    Uses :math:`10^6` float64 samples from a ``torch.Generator`` seeded with 0 (then
    cast to ``dtype``), so the estimate is deterministic and equal to e3nn's.

    Args:
        f: elementwise function.
        n: the power.
        dtype: dtype in which ``f`` is evaluated (default: the default dtype).
        device: device of the samples (default: CPU).

    Returns:
        a 0-dimensional tensor.
    """
    dtype = torch.get_default_dtype() if dtype is None else dtype
    device = torch.device("cpu") if device is None else torch.device(device)
    gen = torch.Generator(device=device).manual_seed(0)
    z = torch.randn(_NUM_SAMPLES, generator=gen, dtype=torch.float64, device=device)
    return f(z.to(dtype=dtype)).pow(n).mean()


# Constants of plain (non-Module) functions, computed once per function object.
_WEAK_CACHE: "weakref.WeakKeyDictionary[Callable, float]" = weakref.WeakKeyDictionary()
_STRONG_CACHE: Dict[Callable, float] = {}  # builtins such as torch.tanh (not weak-referenceable)


def _module_device(f: torch.nn.Module) -> Optional[torch.device]:
    for tensor in f.parameters():
        return tensor.device
    for tensor in f.buffers():
        return tensor.device
    return None


def _second_moment_constant(f: Callable, device: Optional[torch.device]) -> float:
    r""":math:`\mathbb E[f(z)^2]^{-1/2}`, cached for functions that are not Modules."""
    if isinstance(f, torch.nn.Module):  # may have parameters that change: never cache
        with torch.no_grad():
            return moment(f, 2, dtype=torch.float64, device=device).pow(-0.5).item()
    for cache in (_WEAK_CACHE, _STRONG_CACHE):
        try:
            return cache[f]
        except (KeyError, TypeError):
            pass
    with torch.no_grad():
        cst = moment(f, 2, dtype=torch.float64, device=device).pow(-0.5).item()
    try:
        _WEAK_CACHE[f] = cst
    except TypeError:
        try:
            _STRONG_CACHE[f] = cst
        except TypeError:  # unhashable callable
            pass
    return cst


class normalize2mom(torch.nn.Module):  # noqa: N801 (e3nn's name)
    r"""Rescale an activation to unit second moment under a standard normal input.

    .. math::

        \tilde f(x) = c\, f(x), \qquad c = \mathbb E_{z \sim \mathcal N(0,1)}[f(z)^2]^{-1/2}

    :math:`c` is estimated once, with :math:`10^6` float64 samples drawn from a
    generator seeded with 0 (the same estimator as e3nn, hence the same constant).
    If :math:`|c - 1| < 10^{-4}`, ``f`` is taken as already normalized and used as
    is. The constant of a plain function is cached per function object, so building
    many layers with the same activation costs one estimate.

    Args:
        f: elementwise function (a function or an ``nn.Module``).
        dtype: ignored (kept for e3nn's signature).
        device: device of the samples; defaults to the device of ``f``'s parameters
            if ``f`` is a Module, else CPU.

    Attributes:
        f: the wrapped function.
        cst: the constant :math:`c` (a float).

    Shapes:
        ``(...) -> (...)``.
    """

    def __init__(
        self,
        f: Callable[[torch.Tensor], torch.Tensor],
        dtype: Optional[torch.dtype] = None,
        device: Optional[torch.device] = None,
    ) -> None:
        super().__init__()
        del dtype
        if not callable(f):
            raise InvalidTypeError(f"normalize2mom needs a callable, got f={f!r}")
        if device is None and isinstance(f, torch.nn.Module):
            device = _module_device(f)
        cst = _second_moment_constant(f, device)
        self.f = f
        self.cst = cst
        self._is_id = abs(cst - 1) < 1e-4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._is_id:
            return self.f(x)
        return self.f(x).mul(self.cst)


def _parity(act: Callable[[torch.Tensor], torch.Tensor]) -> int:
    """+1 if ``act`` is even, -1 if odd, 0 if neither (tested on [0, 10], tolerance 1e-5)."""
    with torch.no_grad():
        x = torch.linspace(0, 10, 256)
        a1, a2 = act(x), act(-x)
        if (a1 - a2).abs().max() < 1e-5:
            return 1
        if (a1 + a2).abs().max() < 1e-5:
            return -1
    return 0


class Activation(torch.nn.Module):
    r"""Scalar activations applied to the scalar irreps of a feature vector.

    ``acts[i]`` (wrapped in :class:`normalize2mom`) is applied to every component of
    the ``i``-th entry of ``irreps_in``, which must then be a scalar; ``None`` leaves
    an entry untouched. For an odd scalar input (``0o``) the activation must be even
    (output ``0e``) or odd (output ``0o``); this is detected numerically by comparing
    :math:`f(x)` with :math:`f(-x)` on ``linspace(0, 10, 256)``.

    Args:
        irreps_in: representation of the input.
        acts: one activation (or ``None``) per entry of ``irreps_in``.

    Attributes:
        irreps_in, irreps_out: input and output representations (same dimension).

    Shapes:
        ``(..., irreps_in.dim) -> (..., irreps_out.dim)``.

    Raises:
        ValueError: if ``len(acts) != len(irreps_in)``, an activation is given for a
            non-scalar, or an odd scalar gets an activation that is neither even nor odd.

    Example:
        >>> Activation("256x0o", [torch.abs]).irreps_out
        256x0e
    """

    def __init__(self, irreps_in, acts: Sequence[Optional[Callable]]) -> None:
        super().__init__()
        irreps_in = Irreps(irreps_in)
        acts = list(acts)
        if len(irreps_in) != len(acts):
            raise ValueError(
                f"Activation: {len(acts)} activations for the {len(irreps_in)} entries of "
                f"irreps_in={irreps_in} (acts={acts})"
            )
        acts = [normalize2mom(act) if act is not None else None for act in acts]

        irreps_out = []
        for (mul, ir), act in zip(irreps_in, acts):
            if act is None:
                irreps_out.append((mul, ir))
                continue
            if ir.l != 0:
                raise ValueError(
                    f"Activation: cannot apply an activation to the non-scalar {mul}x{ir} "
                    f"of irreps_in={irreps_in}"
                )
            p_out = ir.p if ir.p == 1 else _parity(act)
            if p_out == 0:
                raise ValueError(
                    f"Activation: the input {mul}x{ir} is odd but the activation {act.f!r} "
                    f"is neither even nor odd"
                )
            irreps_out.append((mul, (0, p_out)))

        self.irreps_in = irreps_in
        self.irreps_out = Irreps(irreps_out)
        self.acts = torch.nn.ModuleList(acts)
        self.paths = [(mul, ir.l, act) for (mul, ir), act in zip(irreps_in, acts)]
        self._dim_in = irreps_in.dim  # plain int: forward never touches Irreps

    def __repr__(self) -> str:
        acts = "".join("x" if a is not None else " " for a in self.acts)
        return f"{self.__class__.__name__} [{acts}] ({self.irreps_in} -> {self.irreps_out})"

    def forward(self, features: torch.Tensor, dim: int = -1) -> torch.Tensor:
        """Apply the activations along ``dim`` (the irreps axis, last by default)."""
        if features.shape[dim] != self._dim_in:
            raise ValueError(
                f"Activation: dimension {dim} of the input is {features.shape[dim]}, but "
                f"irreps_in={self.irreps_in} has dimension {self._dim_in}"
            )
        output = []
        index = 0
        for mul, l, act in self.paths:
            size = mul * (2 * l + 1)
            chunk = features.narrow(dim, index, size)
            output.append(act(chunk) if act is not None else chunk)
            index += size
        if len(output) > 1:
            return torch.cat(output, dim=dim)
        if len(output) == 1:
            return output[0]
        return torch.zeros_like(features)


class NormActivation(torch.nn.Module):
    r"""Scale each irrep by a scalar nonlinearity of its norm.

    For each irrep :math:`x_i` (of any :math:`l`) with norm :math:`n_i = \|x_i\|`,

    .. math::

        y_i = \frac{\sigma(n_i + b_i)}{n_i}\, x_i \quad (\text{normalize}), \qquad
        y_i = \sigma(n_i + b_i)\, x_i \quad (\text{otherwise}),

    with :math:`b_i` the optional learnable ``biases`` (zero-initialised, one per
    irrep). With ``normalize``, the *squared* norm is clamped from below to
    :math:`\epsilon^2` before the square root, so :math:`n_i \ge \epsilon` and both
    the output and its gradient stay finite at :math:`x_i = 0` (the gradient through
    the clamped norm is zero there).

    Args:
        irreps_in: representation of the input (and output).
        scalar_nonlinearity: the function :math:`\sigma`.
        normalize: divide by the norm before scaling.
        epsilon: the clamp :math:`\epsilon` (default ``1e-8`` when ``normalize``; must
            be left ``None`` otherwise).
        bias: learn the biases :math:`b_i`.

    Shapes:
        ``(..., irreps_in.dim) -> (..., irreps_in.dim)``.

    Raises:
        ValueError: if ``epsilon`` is given without ``normalize`` or is not positive.
    """

    def __init__(
        self,
        irreps_in,
        scalar_nonlinearity: Callable[[torch.Tensor], torch.Tensor],
        normalize: bool = True,
        epsilon: Optional[float] = None,
        bias: bool = False,
    ) -> None:
        super().__init__()
        self.irreps_in = Irreps(irreps_in)
        self.irreps_out = Irreps(irreps_in)
        if epsilon is not None and not normalize:
            raise ValueError(f"epsilon={epsilon} only makes sense with normalize=True")
        if epsilon is None and normalize:
            epsilon = 1e-8
        if epsilon is not None and not epsilon > 0:
            raise ValueError(f"epsilon={epsilon} is invalid, it must be strictly positive")
        self.epsilon = epsilon
        self._eps_squared = epsilon * epsilon if epsilon is not None else 0.0
        # with an epsilon, take the squared norm and do the clamp and sqrt here
        self.norm = Norm(self.irreps_in, squared=epsilon is not None)
        self.scalar_nonlinearity = scalar_nonlinearity
        self.normalize = normalize
        self.bias = bias
        if bias:
            self.biases = torch.nn.Parameter(torch.zeros(self.irreps_in.num_irreps))
        self._chunks = [(mul, ir.dim) for mul, ir in self.irreps_in]
        self._dim_in = self.irreps_in.dim

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.irreps_in})"

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        # e3nn's checkpoints also hold its weightless `scalar_multiplier` tensor product
        drop_e3nn_tensor_product_keys(state_dict, prefix, "scalar_multiplier")
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if features.shape[-1] != self._dim_in:
            raise ShapeError(
                f"NormActivation: the last dimension of the input is {features.shape[-1]}, "
                f"but irreps_in={self.irreps_in} has dimension {self._dim_in}"
            )
        norms = self.norm(features)  # (..., num_irreps)
        if self._eps_squared > 0:
            eps2 = torch.full_like(norms, self._eps_squared)
            norms = torch.where(norms < self._eps_squared, eps2, norms).sqrt()
        arg = norms + self.biases if self.bias else norms
        scalings = self.scalar_nonlinearity(arg)
        if self.normalize:
            scalings = scalings / norms

        batch = features.shape[:-1]
        out = []
        i_feat = 0
        i_irrep = 0
        for mul, d in self._chunks:
            x = features.narrow(-1, i_feat, mul * d).reshape(batch + (mul, d))
            s = scalings.narrow(-1, i_irrep, mul)[..., None]
            out.append((s * x).reshape(batch + (mul * d,)))
            i_feat += mul * d
            i_irrep += mul
        if not out:
            return torch.zeros_like(features)
        return torch.cat(out, dim=-1) if len(out) > 1 else out[0]
