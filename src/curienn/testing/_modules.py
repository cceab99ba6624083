r"""Checks for modules: random inputs from their irreps, rejection of badly shaped
inputs, compilation with ``torch.compile(fullgraph=True)``, and second derivatives
(:func:`assert_double_backward`: the Hessian-vector product by double backward
against the central finite difference of the gradient,

.. math::

    \nabla^2 L(x)\, v \approx \frac{\nabla L(x + h v) - \nabla L(x - h v)}{2h},
    \qquad L(x) = \langle c, f(x) \rangle,

for random ``v`` and ``c``, in float64; what a loss on forces needs).

They back the e3nn test helpers ``assert_auto_jitable`` (whose TorchScript part has no
equivalent in curienn, an eager library) and ``assert_torch_compile`` in
:mod:`curienn.compat.e3nn.util.test`.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Optional, Sequence

import torch

from curienn.o3 import Irreps

__all__ = ["random_module_inputs", "assert_rejects_bad_shapes", "assert_torch_compile", "assert_double_backward"]


def _input_irreps(module: Any) -> Optional[list]:
    """The irreps of the inputs: ``irreps_in`` (one ``Irreps`` or a list of them, entries
    ``"cartesian_points"`` allowed) or ``[irreps_in1, irreps_in2]``; ``None`` if unknown."""
    if hasattr(module, "irreps_in"):
        irreps = module.irreps_in
    elif hasattr(module, "irreps_in1") and hasattr(module, "irreps_in2"):
        irreps = [module.irreps_in1, module.irreps_in2]
    else:
        return None
    if irreps is None:
        return None
    if isinstance(irreps, Irreps) or getattr(type(irreps), "_e3nn_irreps_marker", False) or isinstance(irreps, str):
        irreps = [irreps]
    out = []
    for ir in irreps:
        if ir is None:
            return None
        out.append(ir if ir == "cartesian_points" else Irreps(ir))
    return out


def _required_positional(module: Any) -> Optional[int]:
    """How many arguments ``module(...)`` needs (``None`` if it takes ``*args``)."""
    try:
        params = inspect.signature(module.forward if isinstance(module, torch.nn.Module) else module).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_POSITIONAL for p in params.values()):
        return None
    return sum(1 for p in params.values()
               if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty)


def random_module_inputs(module: Any, batch: int = 4) -> Optional[tuple]:
    """Random inputs ``(batch, ...)`` for ``module`` built from its input irreps (a
    ``Linear(f_in=...)`` gets ``(batch, f_in, dim)``), or ``None`` when they cannot be built:
    no input irreps, an input without irreps, or a ``forward`` whose required arguments are
    not exactly one per input irreps (e.g. a graph convolution that also takes edges).

    ``"cartesian_points"`` inputs are ``(batch, 3)``.
    """
    irreps = _input_irreps(module)
    if irreps is None or _required_positional(module) not in (None, len(irreps)):
        return None
    f_in = getattr(module, "f_in", None)
    shape = (batch, f_in) if isinstance(f_in, int) else (batch,)
    dtype = torch.get_default_dtype()
    for p in module.parameters() if isinstance(module, torch.nn.Module) else ():
        if p.is_floating_point():
            dtype = p.dtype
            break
    return tuple(torch.randn(*shape, 3 if ir == "cartesian_points" else ir.dim, dtype=dtype) for ir in irreps)


def assert_rejects_bad_shapes(module: Any, inputs: tuple) -> None:
    """Call ``module`` with each input in turn cut short in its last dimension; every call
    must raise (``ValueError`` or ``RuntimeError``), not silently compute something.

    Raises:
        AssertionError: a badly shaped input was accepted.
    """
    for k, x in enumerate(inputs):
        if x.shape[-1] == 0:
            continue
        bad = list(inputs)
        bad[k] = x[..., :-1]
        try:
            module(*bad)
        except (ValueError, RuntimeError):
            continue
        raise AssertionError(f"{module!r} accepted input {k} of shape {tuple(bad[k].shape)} (its last dimension is cut)")


def assert_torch_compile(module_or_factory: Any, *args: Any, backend: str = "inductor", fullgraph: bool = True,
                         **kwargs: Any) -> Callable:
    """Compile a module (or a module built by calling ``module_or_factory()`` when it is not
    a module, e.g. a ``functools.partial``) with ``torch.compile(fullgraph=True)``, call it on
    ``args``/``kwargs`` and check the result against the eager module. ``fullgraph=False``
    allows graph breaks (a module that builds its graph from the data, e.g. with a radius
    search, has data-dependent shapes).

    Returns:
        the compiled module.

    Raises:
        AssertionError: the compiled and eager outputs differ (beyond the tolerance of the
            dtype); a graph break raises torch's own error.
    """
    module = module_or_factory if isinstance(module_or_factory, torch.nn.Module) else module_or_factory()
    torch._dynamo.reset()
    compiled = torch.compile(module, fullgraph=fullgraph, backend=backend)
    got = compiled(*args, **kwargs)
    if isinstance(module, torch.nn.Module) and module.training and any(
            "Dropout" in type(m).__name__ for m in module.modules()):
        return compiled  # random in training mode: nothing to compare
    want = module(*args, **kwargs)
    for g, w in zip(torch.utils._pytree.tree_leaves(got), torch.utils._pytree.tree_leaves(want)):
        if isinstance(w, torch.Tensor):
            tol = 1e-4 if w.dtype in (torch.float32, torch.float16, torch.bfloat16) else 1e-9
            torch.testing.assert_close(g, w, atol=tol, rtol=tol)
    return compiled


def _outputs(func: Callable, args: Sequence[Any]) -> list[torch.Tensor]:
    out = func(*args)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def assert_double_backward(func: Callable, args: Sequence[Any], *, h: float = 1e-4, rtol: float = 1e-5,
                           seed: int = 0) -> float:
    """Assert that second derivatives of ``func`` through double backward are right.

    Args:
        func: takes ``args`` and returns a tensor or a tuple of tensors.
        args: its inputs; the floating-point tensors among them are differentiated
            (they should be float64 for the finite difference to be accurate).
        h: finite-difference step; rtol: allowed error relative to the largest
            entry of the Hessian-vector product (and at least ``rtol``).

    Returns:
        The relative error.

    Example:
        >>> x = torch.randn(4, 3, dtype=torch.float64)
        >>> assert_double_backward(lambda x: x.pow(3).sum(-1), [x]) < 1e-6
        True
    """
    gen = torch.Generator().manual_seed(seed)
    which = [i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.is_floating_point()]
    if not which:
        raise ValueError("double backward needs at least one floating-point tensor argument")
    base = [a.detach() if i in which else a for i, a in enumerate(args)]
    vs = [torch.randn(base[i].shape, generator=gen, dtype=base[i].dtype) for i in which]
    with torch.no_grad():
        cs = [torch.randn(o.shape, generator=gen, dtype=o.dtype) for o in _outputs(func, base)]

    def grad(shift: float, create_graph: bool):
        xs = [base[i] + shift * v for i, v in zip(which, vs)]
        xs = [x.requires_grad_() for x in xs]
        full = list(base)
        for i, x in zip(which, xs):
            full[i] = x
        loss = sum((c * o).sum() for c, o in zip(cs, _outputs(func, full)))
        gs = torch.autograd.grad(loss, xs, create_graph=create_graph, allow_unused=True)
        return xs, [torch.zeros_like(x) if g is None else g for x, g in zip(xs, gs)]

    xs, gs = grad(0.0, True)
    if not any(g.requires_grad for g in gs):
        hv = [torch.zeros_like(v) for v in vs]  # the gradient does not depend on the input: zero Hessian
    else:
        dot = sum((g * v).sum() for g, v in zip(gs, vs) if g.requires_grad)
        hv = torch.autograd.grad(dot, xs, allow_unused=True)
        hv = [torch.zeros_like(v) if x is None else x for x, v in zip(hv, vs)]
    _, gp = grad(h, False)
    _, gm = grad(-h, False)
    fd = [(a - b) / (2 * h) for a, b in zip(gp, gm)]
    scale = max(max(float(t.abs().max()) for t in fd if t.numel()), 1.0)
    err = max(float((a - b).abs().max()) for a, b in zip(hv, fd) if a.numel()) / scale
    if not err <= rtol:
        raise AssertionError(f"double backward disagrees with finite differences: relative error {err:.3g} "
                             f"(rtol {rtol:.3g})")
    return err
