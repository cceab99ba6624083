r"""Where learnable order parameters live: one global value, per site, per species,
tied groups of sites, and components masked to zero.

A layout maps ``G`` independent parameter vectors :math:`p_g \in \mathbb{R}^{D}`
(``D = irreps.dim``) onto the ``N`` points:

.. math::

    P_i = \begin{cases} M_{g(i)} \odot p_{g(i)} & g(i) \ge 0 \\ 0 & g(i) = -1 \end{cases}

with the site-to-group map ``group_of`` ``(N,)`` (``-1``: no order parameter on that
site) and the 0/1 component mask ``M`` ``(G, D)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Union

import numpy as np
import torch

__all__ = ["OrderParameterLayout", "make_layout"]


@dataclass
class OrderParameterLayout:
    """``group_of`` ``(N,)`` int (``-1`` = none), ``mask`` ``(G, D)`` float 0/1,
    ``names``: one readable name per group (e.g. ``"global"``, ``"site 3 (Ti)"``)."""

    group_of: np.ndarray
    mask: np.ndarray
    names: list

    @property
    def num_groups(self) -> int:
        return int(self.mask.shape[0])

    def expand(self, p: torch.Tensor) -> torch.Tensor:
        """``(G, D)`` parameters -> ``(N, D)`` per-site order parameters."""
        g = torch.as_tensor(self.group_of, dtype=torch.long, device=p.device)
        m = torch.as_tensor(self.mask, dtype=p.dtype, device=p.device)
        if p.shape[0] == 0:
            return p.new_zeros(len(self.group_of), p.shape[1])
        per = (p * m)[g.clamp(min=0)]
        return torch.where((g >= 0)[:, None], per, torch.zeros_like(per))

    def sites_of(self, g: int) -> list[int]:
        return [int(i) for i in np.nonzero(self.group_of == g)[0]]

    def to_dict(self) -> dict:
        return {"group_of": self.group_of.tolist(), "names": list(self.names),
                "mask": self.mask.astype(int).tolist()}


def make_layout(
    num_sites: int,
    dim: int,
    where: Union[str, Sequence[Sequence[int]]] = "global",
    *,
    species: Optional[Sequence[str]] = None,
    sites: Optional[Union[Sequence[int], Sequence[str], str]] = None,
    mask=None,
    component_labels: Optional[Sequence[str]] = None,
) -> OrderParameterLayout:
    """Build an :class:`OrderParameterLayout`.

    Args:
        num_sites: ``N``.
        dim: ``D``, the dimension of the candidate irreps.
        where: ``"global"`` (one value shared by all chosen sites), ``"site"``
            (one per chosen site), ``"species"`` (one per species among the chosen
            sites) or a list of groups of site indices (tied groups; sites in no
            group carry none).
        species: ``N`` chemical symbols (needed for ``"species"`` and symbol ``sites``).
        sites: restrict to these sites: indices, or chemical symbols (a string like
            ``"Ti"`` or ``"Ti,O"``); default all sites.
        mask: components forced to zero: a ``(D,)`` or ``(G, D)`` array of 0/1
            (1 = learnable), or a list of component labels (e.g. ``["1e m=1"]``,
            needs ``component_labels``) to zero in every group.
        component_labels: the ``D`` labels (see :func:`curienn.symmetry._representation.component_labels`).
    """
    if num_sites < 1:
        raise ValueError(f"num_sites must be positive, got {num_sites}")
    chosen = np.ones(num_sites, dtype=bool)
    if sites is not None:
        chosen[:] = False
        items = sites.split(",") if isinstance(sites, str) else list(sites)
        for s in items:
            if isinstance(s, str) and s.strip().isdigit():
                s = int(s)
            if isinstance(s, (int, np.integer)):
                if not 0 <= int(s) < num_sites:
                    raise ValueError(f"site index {s} out of range for {num_sites} sites")
                chosen[int(s)] = True
            else:
                s = str(s).strip()
                if species is None:
                    raise ValueError(f"sites={s!r} names a species but no species were given")
                hit = np.array([sp == s for sp in species])
                if not hit.any():
                    raise ValueError(f"no site has species {s!r} (species present: {sorted(set(species))})")
                chosen |= hit
    idx = np.nonzero(chosen)[0]
    group_of = np.full(num_sites, -1, dtype=np.int64)
    label = (lambda i: f"site {i}" + (f" ({species[i]})" if species is not None else ""))
    if isinstance(where, str):
        if where == "global":
            group_of[idx] = 0
            names = ["global"]
        elif where == "site":
            group_of[idx] = np.arange(len(idx))
            names = [label(int(i)) for i in idx]
        elif where == "species":
            if species is None:
                raise ValueError("where='species' needs species")
            kinds = list(dict.fromkeys(species[i] for i in idx))
            for i in idx:
                group_of[i] = kinds.index(species[i])
            names = [f"species {k}" for k in kinds]
        else:
            raise ValueError(f"where must be 'global', 'site', 'species' or a list of site groups, got {where!r}")
    else:
        names = []
        for g, members in enumerate(where):
            members = [int(m) for m in members]
            if not members:
                raise ValueError(f"tied group {g} is empty")
            for m in members:
                if not 0 <= m < num_sites:
                    raise ValueError(f"site index {m} in tied group {g} out of range for {num_sites} sites")
                if group_of[m] >= 0:
                    raise ValueError(f"site {m} is in two tied groups ({group_of[m]} and {g})")
                if not chosen[m]:
                    raise ValueError(f"site {m} of tied group {g} is excluded by sites={sites!r}")
                group_of[m] = g
            names.append("sites " + ",".join(str(m) for m in members))
    G = len(names)
    if mask is None:
        M = np.ones((G, dim))
    elif isinstance(mask, (list, tuple)) and mask and isinstance(mask[0], str):
        if component_labels is None:
            raise ValueError("a mask given by component labels needs component_labels")
        M = np.ones((G, dim))
        for name in mask:
            if name not in component_labels:
                raise ValueError(f"mask names component {name!r}, which is not one of {list(component_labels)}")
            M[:, list(component_labels).index(name)] = 0.0
    else:
        M = np.asarray(mask, dtype=np.float64)
        if M.shape == (dim,):
            M = np.broadcast_to(M, (G, dim)).copy()
        if M.shape != (G, dim):
            raise ValueError(f"mask must have shape ({dim},) or ({G}, {dim}), got {M.shape}")
        if not np.isin(M, (0.0, 1.0)).all():
            raise ValueError("mask entries must be 0 (forced zero) or 1 (learnable)")
    return OrderParameterLayout(group_of, M, names)
