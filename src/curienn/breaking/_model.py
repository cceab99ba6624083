r"""The search's model: curienn's gate-points :class:`curienn.models.Network`
with per-point inputs = fixed features :math:`\oplus` order parameter.

.. math::

    x_i = f_i \oplus P_i, \qquad \hat y_i = \mathrm{Network}(\{x_j, \vec r_j\})_i,

``irreps_in = fixed_irreps + op_irreps``, ``irreps_out`` the target's irreps, node
attributes a constant ``0e`` (species enter through :math:`f_i`, e.g. one-hot
``Kx0e``), no reduction over points. :func:`model_kwargs` gives the keyword
arguments of ``Network`` so that e3nn's ``gate_points_2101.Network`` can be built
with exactly the same configuration (the benchmark does so).

Every part is equivariant (no noise, no symmetry-breaking layer), so with zero
order parameter the output at point :math:`i` is invariant under the stabiliser of
:math:`i` in the symmetry group of the input: the Curie floor is exact.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from typing import Iterator, Optional

import torch

from curienn.models import Network
from curienn.o3 import Irreps

__all__ = ["ModelOptions", "hidden_irreps", "model_kwargs", "build_model"]


@dataclass
class ModelOptions:
    """Size of the search's network.

    ``mul``: multiplicity of every hidden irrep (``mul x 0e + mul x 0o`` scalars and
    ``mul`` gated copies of each ``l e``, ``l o`` for ``1 <= l <= hidden_lmax``);
    ``edge_lmax``: spherical harmonics of the edges; ``layers``: gated convolutions
    (a last plain one follows); ``max_radius``; ``number_of_basis`` Gaussians;
    ``radial_layers`` x ``radial_neurons`` radial MLP; ``num_neighbors``
    (``None``: the graph's mean degree).
    """

    mul: int = 4
    hidden_lmax: int = 5
    edge_lmax: int = 5
    layers: int = 1
    max_radius: float = 3.0
    number_of_basis: int = 3
    radial_layers: int = 1
    radial_neurons: int = 16
    num_neighbors: Optional[float] = None

    def to_dict(self) -> dict:
        return asdict(self)


def hidden_irreps(mul: int, lmax: int, parities: str = "eo") -> str:
    """``mul x 0e + mul x 0o + mul x 1e + mul x 1o + ...`` up to ``lmax``."""
    if mul < 1 or lmax < 0:
        raise ValueError(f"hidden irreps need mul >= 1 and lmax >= 0, got mul={mul}, lmax={lmax}")
    return "+".join(f"{mul}x{l}{p}" for l in range(lmax + 1) for p in parities)


def model_kwargs(fixed_irreps: str, op_irreps: str, target_irreps: str, options: ModelOptions,
                 num_neighbors: float, num_nodes: float) -> dict:
    """Keyword arguments of ``Network`` (curienn's or e3nn's ``gate_points_2101``)."""
    irreps_in = Irreps(fixed_irreps) + Irreps(op_irreps) if str(op_irreps) else Irreps(fixed_irreps)
    return dict(
        irreps_in=str(irreps_in),
        irreps_hidden=hidden_irreps(options.mul, options.hidden_lmax),
        irreps_out=str(Irreps(target_irreps)),
        irreps_node_attr=None,
        irreps_edge_attr=str(Irreps.spherical_harmonics(options.edge_lmax)),
        layers=options.layers,
        max_radius=options.max_radius,
        number_of_basis=options.number_of_basis,
        radial_layers=options.radial_layers,
        radial_neurons=options.radial_neurons,
        num_neighbors=float(options.num_neighbors if options.num_neighbors is not None else num_neighbors),
        num_nodes=float(num_nodes),
        reduce_output=False,
    )


def build_model(fixed_irreps: str, op_irreps: str, target_irreps: str, options: ModelOptions,
                num_neighbors: float, num_nodes: float):
    """The search's ``Network`` (see the module docstring)."""
    return Network(**model_kwargs(fixed_irreps, op_irreps, target_irreps, options, num_neighbors, num_nodes))


@contextlib.contextmanager
def default_dtype(dtype: torch.dtype) -> Iterator[None]:
    """``torch.set_default_dtype(dtype)`` inside the block, restored after it
    (networks are built under the search's dtype)."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(old)
