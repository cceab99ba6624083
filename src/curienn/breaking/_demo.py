r"""The random-network demonstration of Curie's principle (Smidt, *Trends in
Chemistry* 2021, Fig. 2C).

Randomly initialized Euclidean neural networks (:class:`curienn.models.Network`)
are given a point set -- a tetrahedron, an octahedron, or any points, optionally
with species -- and output, on every point, a spherical-harmonic signal
:math:`s_i = \sum_{l \le l_{\max}} c_{i,lm} Y_{lm}` (irreps ``0e + 1o + 2e + 3o + ...``).
Because every network is equivariant, each symmetry of the input is a symmetry of
the output (Curie's principle):

.. math::  \mathrm{Sym}(\text{input}) \subseteq \mathrm{Sym}(\text{output}),

whatever the weights. The input group is :func:`~curienn.symmetry.point_group` of
the (labelled) points; the output group is
:func:`~curienn.symmetry.symmetry_of_signals` of the points decorated with the
network's output. On a tetrahedron every output has (at least) :math:`T_d`, on an
octahedron :math:`O_h`; on a distorted input the output group drops with the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Union

import numpy as np
import torch

from curienn.models import Network
from curienn.o3 import Irreps
from curienn.symmetry import PointGroup, point_group, symmetry_of_signals

from ._model import default_dtype

__all__ = ["CurieDemoResult", "CurieDemo", "random_network_demo", "DEMO_SHAPES"]

_S = 1.0 / np.sqrt(3.0)

#: Named input shapes (vertices on the unit sphere, centred at the origin).
DEMO_SHAPES = {
    "tetrahedron": np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=np.float64) * _S,
    "octahedron": np.concatenate([np.eye(3), -np.eye(3)]).astype(np.float64),
    "cube": np.array(
        [[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], dtype=np.float64
    ) * _S,
}


@dataclass(frozen=True)
class CurieDemoResult:
    """One random network of the demonstration.

    Attributes:
        seed: the torch seed its weights were drawn with.
        output: ``(N, irreps_out.dim)`` float64, the signal on each point.
        output_group: Sym of the points decorated with ``output`` (species ignored).
        holds: Curie's principle, ``input_group.is_subgroup_of(output_group)``.
    """

    seed: int
    output: np.ndarray
    output_group: PointGroup
    holds: bool


@dataclass(frozen=True)
class CurieDemo:
    """The result of :func:`random_network_demo`.

    Attributes:
        points: ``(N, 3)`` float64 input positions.
        species: input labels (``None``: all points alike).
        irreps_out: the per-point output irreps (spherical-harmonic signal).
        input_group: Sym of the (labelled) input points.
        results: one :class:`CurieDemoResult` per network.
    """

    points: np.ndarray
    species: Optional[List]
    irreps_out: Irreps
    input_group: PointGroup
    results: List[CurieDemoResult]

    @property
    def all_hold(self) -> bool:
        """Whether Curie's principle held for every network."""
        return all(r.holds for r in self.results)

    @property
    def output_names(self) -> List[str]:
        """Schoenflies names of the output groups, one per network."""
        return [r.output_group.name for r in self.results]

    def table(self) -> str:
        """A plain-text table: seed, input group, output group, orders, Curie holds."""
        lines = [f"{'seed':>6}  {'input':>6}  {'output':>6}  {'|G_in|':>6}  {'|G_out|':>7}  Curie"]
        for r in self.results:
            lines.append(
                f"{r.seed:>6}  {self.input_group.name:>6}  {r.output_group.name:>6}  "
                f"{len(self.input_group):>6}  {len(r.output_group):>7}  {'yes' if r.holds else 'NO'}"
            )
        return "\n".join(lines)


def _resolve_points(shape) -> np.ndarray:
    if isinstance(shape, str):
        if shape not in DEMO_SHAPES:
            raise ValueError(f"shape={shape!r} is not one of {sorted(DEMO_SHAPES)} (or pass an (N, 3) array)")
        return DEMO_SHAPES[shape].copy()
    if isinstance(shape, torch.Tensor):
        shape = shape.detach().cpu().numpy()
    points = np.asarray(shape, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 3 or points.shape[0] < 2:
        raise ValueError(f"shape must name a shape or be (N >= 2, 3) points, got shape {points.shape}")
    if not np.isfinite(points).all():
        raise ValueError("shape has non-finite coordinates")
    return points


def random_network_demo(
    shape: Union[str, np.ndarray, torch.Tensor, Sequence[Sequence[float]]] = "tetrahedron",
    n_networks: int = 20,
    lmax: int = 4,
    seed: int = 0,
    *,
    species: Optional[Sequence] = None,
    irreps_hidden: Union[str, Irreps] = "4x0e+4x0o+2x1e+2x1o+2x2e+2x2o",
    layers: int = 1,
    tol: float = 1e-6,
) -> CurieDemo:
    r"""Run ``n_networks`` randomly initialized :class:`~curienn.models.Network` s on a
    point set and compare the symmetry of their outputs with that of the input.

    Each network (float64, weights drawn with ``torch.manual_seed(seed + k)`` inside
    a forked RNG, so the global RNG is untouched) takes a constant scalar ``0e`` per
    point (and, with ``species``, their one-hot encoding as node attributes), uses
    spherical harmonics up to ``lmax`` on a complete graph, and returns per point the
    signal ``Irreps.spherical_harmonics(lmax)`` (``0e + 1o + 2e + ...``;
    ``reduce_output=False``).

    Args:
        shape: ``"tetrahedron"``, ``"octahedron"``, ``"cube"`` (see
            :data:`DEMO_SHAPES`) or ``(N, 3)`` points.
        n_networks: number of random networks (>= 1).
        lmax: degree of the output signals and edge harmonics (0..8).
        seed: seed of the first network.
        species: optional ``N`` labels; the input group then respects them (the
            output group never looks at them).
        irreps_hidden: hidden irreps of the networks.
        layers: gated convolutions per network (a last convolution follows).
        tol: relative tolerance: positions within ``tol`` times the size of the point
            set, output signals within ``tol`` times their largest component.

    Returns:
        A :class:`CurieDemo` (``input_group``, ``results``, ``all_hold``, ``table()``).

    Raises:
        ValueError: an unknown shape, bad points, ``n_networks < 1``, ``lmax``
            outside 0..8, ``tol`` not in (0, 1) or ``species`` of the wrong length.
    """
    points = _resolve_points(shape)
    if int(n_networks) != n_networks or n_networks < 1:
        raise ValueError(f"n_networks must be a positive integer, got {n_networks}")
    if int(lmax) != lmax or not 0 <= lmax <= 8:
        raise ValueError(f"lmax must be an integer in 0..8, got {lmax}")
    if not 0 < tol < 1:
        raise ValueError(f"tol must be in (0, 1), got {tol}")
    n = len(points)
    labels = None
    if species is not None:
        labels = list(species)
        if len(labels) != n:
            raise ValueError(f"species has {len(labels)} labels for {n} points")

    centered = points - points.mean(axis=0)
    size = float(np.linalg.norm(centered, axis=1).max())
    if size == 0.0:
        raise ValueError("all points coincide: the input has full O(3) symmetry")
    pos_tol = tol * size
    input_group = point_group(points, labels, tol=pos_tol)

    irreps_out = Irreps.spherical_harmonics(lmax)
    diameter = float(np.linalg.norm(points[:, None] - points[None], axis=-1).max())
    data = {"pos": torch.as_tensor(points, dtype=torch.float64), "x": torch.ones(n, 1, dtype=torch.float64)}
    irreps_node_attr = None
    if labels is not None:
        kinds = sorted(set(labels), key=str)
        index = torch.tensor([kinds.index(s) for s in labels])
        irreps_node_attr = f"{len(kinds)}x0e"
        data["z"] = torch.nn.functional.one_hot(index, len(kinds)).to(torch.float64)

    results = []
    with default_dtype(torch.float64):
        for k in range(int(n_networks)):
            net_seed = int(seed) + k
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(net_seed)
                net = Network(
                    irreps_in="0e",
                    irreps_hidden=irreps_hidden,
                    irreps_out=irreps_out,
                    irreps_node_attr=irreps_node_attr,
                    irreps_edge_attr=Irreps.spherical_harmonics(lmax),
                    layers=layers,
                    max_radius=1.5 * diameter,
                    number_of_basis=8,
                    radial_layers=1,
                    radial_neurons=16,
                    num_neighbors=n - 1,
                    num_nodes=n,
                    reduce_output=False,
                )
            with torch.no_grad():
                out = net(data).numpy()
            scale = float(np.abs(out).max())
            output_group = symmetry_of_signals(
                points, out, irreps_out, tol=pos_tol, signal_tol=tol * scale if scale > 0 else tol
            )
            results.append(CurieDemoResult(net_seed, out, output_group, input_group.is_subgroup_of(output_group)))
    return CurieDemo(points, labels, irreps_out, input_group, results)
