r"""An order-parameter problem from two structures: the parent and the child in
any atom order, orientation, origin and commensurate supercell.

1. :func:`curienn.symmetry.match_structures` finds the supercell (any integer
   matrix, ``det <= 16``), the rotation, strain, origin shift and atom mapping,
   or refuses (``ValueError``) when no mapping keeps every displacement below
   ``max_displacement``; ``supercell`` is then a check. With ``displacements``
   given, the atoms are taken as paired in the order given (a matcher's own
   pairing).
2. The search's input is the parent supercell in the parent's frame, its atoms
   in the child's order (so the learned per-site values line up with the
   child); the target, the displacements in that frame (rigid rotation, strain
   and origin shift removed).
3. :func:`curienn.symmetry.analyse_pair` -- the same analysis as ``curienn
   symmetry check`` -- gives the parent's group ``G`` on these sites, the
   isotropy group of the displacements, the irreps of the distortion and the
   strain; it also tells whether the candidate order parameter can carry the
   breaking at all (a warning names the irreps that can when it cannot, and no
   restarts are spent on such a problem).
4. The Curie floor (:func:`curie_floor`) of the target on that input, for the
   configured loss.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import replace
from typing import Optional

import numpy as np
import torch

from curienn.io import read_structure
from curienn.o3 import Irreps
from curienn.symmetry import analyse_pair, component_labels, match_structures

from ._floor import curie_floor
from ._layout import make_layout
from ._model import ModelOptions
from ._presets import PEROVSKITE_MODEL, SQUARE_MODEL, make_config, model_options
from ._targets import ENCODINGS, encode_displacements, supercell_matrix

__all__ = ["pair_problem_fields", "breaking_carriers", "CARRIER_IRREPS"]

#: the O(3) irreps tried when the candidate order parameter cannot carry the breaking
CARRIER_IRREPS = "0e+0o+1e+1o+2e+2o+3e+3o"


def _structure(x, what: str, format: Optional[str], index: int):
    if isinstance(x, (str, os.PathLike)):
        return read_structure(x, format=format, index=index), os.fspath(x)
    if not (hasattr(x, "get_positions") and hasattr(x, "get_chemical_symbols")):
        raise ValueError(f"{what} must be a structure file or an ase.Atoms, got {type(x).__name__}")
    return x, x.get_chemical_formula()


def layout_basis(n: int, irreps: str, where, species, sites, mask) -> np.ndarray:
    """``(n * dim, k)``: the fields a layout allows, one column per group and
    component (mutually orthogonal columns)."""
    dim = Irreps(irreps).dim
    layout = make_layout(n, dim, where, species=species, sites=sites, mask=mask,
                         component_labels=component_labels(Irreps(irreps)) if dim else None)
    cols = []
    for g in range(layout.num_groups):
        members = layout.sites_of(g)
        for c in np.nonzero(layout.mask[g])[0]:
            col = np.zeros((n, dim))
            col[members, c] = 1.0
            cols.append(col.reshape(-1))
    return np.array(cols).T if cols else np.zeros((n * dim, 0))


def breaking_carriers(analysis, n: int, irreps: str, where, species, sites, mask) -> tuple[bool, list]:
    """``(can, carriers)``: whether order parameters of ``irreps`` on the layout
    can lower the parent's symmetry to the target's, and (when they cannot) the
    irreps of :data:`CARRIER_IRREPS` that can on the same sites."""
    if not analysis.displacements_break:
        return True, []
    if not Irreps(irreps).dim:
        can = False
    else:
        can = analysis.carriers(irreps, layout_basis(n, irreps, where, species, sites, mask))["all"]
    if can:
        return True, []
    found = analysis.carriers(CARRIER_IRREPS, layout_basis(n, CARRIER_IRREPS, where, species, sites, None))
    return False, [k for k, v in found.items() if v and k != "all"]


def pair_problem_fields(parent, child, *, supercell, displacements, max_displacement, max_det, origin, symprec,
                        tol, format, index, encoding, encoding_lmax, model_lmax, max_radius,
                        model: Optional[ModelOptions], where, sites, mask, title, settings) -> dict:
    """The fields of an :class:`OrderParameterProblem` (see the module docstring)."""
    parent, pname = _structure(parent, "parent", format, index)
    child, cname = _structure(child, "child", format, index)
    S = None if supercell is None else supercell_matrix(supercell)
    if displacements is None:
        match = match_structures(parent, child, max_displacement=max_displacement, supercell=S, symprec=symprec,
                                 max_det=max_det)
        disp = match.displacements
    else:  # a matcher's own pairing: child atom i is atom i of the repeated parent, moved by displacements[i]
        match = match_structures(parent, child, max_displacement=1e9, supercell=S, paired=True, symprec=symprec,
                                 max_det=max_det)
        disp = np.asarray(displacements, dtype=np.float64)
        if disp.shape != (len(match.child), 3):
            raise ValueError(f"displacements must have shape ({len(match.child)}, 3), got {disp.shape}")
        shift = disp.mean(axis=0)
        match = dataclasses.replace(match, displacements=disp - shift, origin_shift=shift,
                                    tolerance=float(np.abs(disp - shift).max()) if max_displacement is None
                                    else max_displacement)
    p = match.parent
    species = [p.species[j] for j in match.parent_index]
    pos = p.positions[match.parent_index]
    periodic = match.periodic
    from ase import Atoms  # optional dependency (structures)

    if periodic:
        cell = match.supercell @ p.lattice
        pos = pos + match.translations @ p.lattice
        parent_sc = Atoms(species, positions=pos, cell=cell, pbc=True)
    else:
        cell = None
        parent_sc = Atoms(species, positions=pos)
    encoding = encoding or ("vectors" if periodic else "projection")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
    target, irreps = encode_displacements(disp, encoding, encoding_lmax, dtype=torch.float64)
    if periodic:
        base, preset = model or PEROVSKITE_MODEL, "periodic"
    else:
        lmax = min(5, encoding_lmax)
        diam = float(np.max(np.linalg.norm(pos[:, None] - pos[None], axis=-1))) if len(pos) > 1 else 1.0
        base, preset = model or replace(SQUARE_MODEL, hidden_lmax=lmax, edge_lmax=lmax, max_radius=1.05 * diam), "finite"
    if origin is None and isinstance(sites, str) and sites.strip() in set(species):
        origin = sites.strip()  # label the irreps from the sites that carry the order parameter
    analysis = analyse_pair(parent, child, match=match, tol=tol, symprec=symprec, origin=origin)
    cfg = make_config(preset, model_options(base, model_lmax, max_radius), settings)
    can, carriers = breaking_carriers(analysis, len(pos), cfg.irreps, where, species, sites, mask)
    warnings = []
    if not can:
        h = analysis.curie.target_symmetry.name
        warnings.append(
            f"the candidate order parameter ({cfg.irreps} on {_where_text(where, sites)}) cannot lower the parent's "
            f"symmetry {analysis.curie.input_symmetry.name} to the target's {h}: the fit cannot go below the Curie "
            "floor; irreps that can, on the same sites: " + (", ".join(carriers) if carriers else
                                                            f"none of {CARRIER_IRREPS} alone"))
        if settings.get("restarts") is None:
            cfg = replace(cfg, restarts=0)
    floor = curie_floor(pos, target.numpy(), irreps, species, cell=cell, pbc=np.ones(3, bool) if periodic else None,
                        loss=cfg.loss)
    return dict(positions=pos.copy(), target=target.numpy(), target_irreps=irreps, config=cfg, species=species,
                cell=cell, pbc=np.ones(3, bool) if periodic else None, where=where, sites=sites, mask=mask,
                title=title or f"{pname} -> {cname}", parent=parent_sc, child=child, displacements=disp,
                supercell=None if not periodic else match.supercell.tolist(), encoding=encoding,
                encoding_lmax=encoding_lmax, floor=floor, match=match, analysis=analysis, origin=origin,
                warnings=warnings)


def _where_text(where, sites) -> str:
    text = {"site": "each site", "global": "all sites (shared)", "species": "each species"}.get(where, "tied sites") \
        if isinstance(where, str) else "tied sites"
    return text + ("" if sites is None else f" of {sites}")
