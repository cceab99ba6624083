r"""Perovskite octahedral tilts: the papers' Pm-3m -> Pnma (a+b-b-) search.

Set-up (:func:`perovskite_setup`): parent a0a0a0 and child a+b-b- from
:func:`curienn.io.glazer_perovskite` (2x2x2 pseudo-cubic cell, 40 atoms
A8 B8 X24, exact symmetry), or any two structures with the same atoms in the same
order; the target is the displacement child - parent (minimum image, ``1o`` per
atom). Order parameters live on the B sites.

Analysis (:func:`analyse_tilts`): the ``1e`` part of the learned per-B order
parameter is a rotation pseudovector :math:`\omega_B`; its Fourier components over
the 2x2x2 grid give the Glazer symbol and the irreps (M3+ in-phase, R4+
anti-phase, B-site origin); :func:`rotate_octahedra` applies the learned pattern
to the parent (each octahedron rotated rigidly about its B by
:math:`R(\omega_B) = \exp([\omega_B]_\times)`, a shared X placed at the average of
its two images, which keeps the symmetry of the :math:`\omega` field exact), scaled
so that the RMS displacement equals the target's, and spglib names the result's
space group.

Reproduction 5 (:func:`reproduce_perovskite`): unconstrained per-B order
parameters with an l-penalty give a ``1e`` of equal magnitude on every B site
following the tilt pattern, M3+ ⊕ R4+, and a Pnma (62) structure; with the
papers' constraint (pseudovector zero along the in-phase axis x, non-adjacent B
sites tied) the result is the intermediate Imma (74).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from scipy.spatial.transform import Rotation

from curienn.io import B_SITES, glazer_perovskite
from curienn.o3 import Irreps
from curienn.symmetry import space_group

from ._interpret import glazer_from_pseudovectors, grid_coordinates
from ._model import ModelOptions
from ._problem import OrderParameterProblem, search
from ._result import OrderParameterResult
from ._targets import structure_displacements

__all__ = [
    "perovskite_setup",
    "rotate_octahedra",
    "pseudovectors_of",
    "analyse_tilts",
    "reproduce_perovskite",
]

def perovskite_setup(tilts: str = "a+b-b-", angles=(10.0, 8.0, 8.0), species=("Ca", "Ti", "O"),
                     bx: float = 1.95) -> dict:
    """Parent a0a0a0 and child ``tilts`` (40 atoms each) and the displacements.

    Returns ``{"parent", "child", "omega" (8, 3) rad, "displacements" (40, 3),
    "b_sites" (indices), "grid" (8, 3) integer B coordinates}``.
    """
    parent, _ = glazer_perovskite("a0a0a0", 0.0, species, bx)
    child, omega = glazer_perovskite(tilts, angles, species, bx)
    disp = structure_displacements(parent, child, cell_tol=0.05)
    return {"parent": parent, "child": child, "omega": omega, "displacements": disp,
            "b_sites": list(range(8, 16)), "grid": B_SITES.copy(), "species": species}


def _min_image(v: np.ndarray, cell: np.ndarray) -> np.ndarray:
    f = np.linalg.solve(cell.T, v.T).T
    f -= np.round(f)
    return f @ cell


def rotate_octahedra(parent, b_sites, omega, *, bond_cutoff: Optional[float] = None):
    r"""Rotate each B-centred octahedron of ``parent`` (ASE Atoms) by
    :math:`R(\omega_B)` and place every X at the average of its images.

    ``b_sites``: indices of the B atoms; ``omega``: ``(len(b_sites), 3)`` rotation
    pseudovectors in radians; ``bond_cutoff``: the B-X neighbour cutoff (default
    1.2 x the shortest B-X distance). Returns a new Atoms (same cell and order).
    """
    omega = np.asarray(omega, dtype=np.float64)
    b_sites = [int(b) for b in b_sites]
    if omega.shape != (len(b_sites), 3):
        raise ValueError(f"omega must have shape ({len(b_sites)}, 3), got {omega.shape}")
    cell = np.asarray(parent.cell[:], dtype=np.float64)
    pos = parent.positions
    others = [i for i in range(len(parent)) if i not in set(b_sites)]
    vecs = {}
    dmin = np.inf
    for b in b_sites:
        v = _min_image(pos[others] - pos[b], cell)
        d = np.linalg.norm(v, axis=1)
        vecs[b] = (v, d)
        dmin = min(dmin, float(d.min()))
    cut = bond_cutoff if bond_cutoff is not None else 1.2 * dmin
    sums = {}
    rots = Rotation.from_rotvec(omega).as_matrix()
    for k, b in enumerate(b_sites):
        v, d = vecs[b]
        for j in np.nonzero(d < cut)[0]:
            x = others[j]
            new = pos[b] + rots[k] @ v[j]
            # express relative to the X's current position so images average correctly
            delta = _min_image((new - pos[x])[None], cell)[0]
            sums.setdefault(x, []).append(delta)
    out = parent.copy()
    p = out.positions.copy()
    for x, deltas in sums.items():
        p[x] = pos[x] + np.mean(deltas, axis=0)
    out.positions = p
    return out


def pseudovectors_of(result: OrderParameterResult, b_sites) -> np.ndarray:
    """The ``1e`` part ``(len(b_sites), 3)`` of the learned per-site order parameter
    (``ValueError`` if the candidate irreps have no ``1e``)."""
    labels = result.labels
    try:
        idx = [labels.index(f"1e m={m}") for m in (-1, 0, 1)]
    except ValueError:
        raise ValueError(f"the candidate irreps {result.irreps} have no 1e (pseudovector) part") from None
    return result.site_values[np.asarray(b_sites)][:, idx]


def _irrep_norms(result: OrderParameterResult, sites) -> dict:
    out = {}
    off = 0
    for mul, ir in Irreps(result.irreps):
        name = f"{ir.l}{'e' if ir.p == 1 else 'o'}"
        d = mul * ir.dim
        out[name] = out.get(name, 0.0) + float(np.linalg.norm(result.site_values[np.asarray(sites), off:off + d]))
        off += d
    return out


def analyse_tilts(result: OrderParameterResult, parent, b_sites, *, target_displacements=None,
                  target_omega=None, grid=None, symprec: float = 1e-2) -> dict:
    """Interpret a per-B-site search on a 2x2x2 perovskite cell.

    Returns ``{"omega" (8, 3), "magnitudes", "magnitude_spread" ((max-min)/mean),
    "irrep_norms" (per O(3) irrep, over the B sites), "cosine" (|cos| with
    ``target_omega`` if given), "glazer" (:func:`glazer_from_pseudovectors`),
    "scale", "applied" (the parent with the learned pattern), "space_group"
    (number), "space_group_symbol"}``.
    """
    omega = pseudovectors_of(result, b_sites)
    if grid is None:
        grid = grid_coordinates(parent.positions[np.asarray(b_sites)], np.asarray(parent.cell[:]) / 2)
        grid = grid % 2
    mags = np.linalg.norm(omega, axis=1)
    spread = float((mags.max() - mags.min()) / mags.mean()) if mags.mean() > 0 else float("nan")
    out = {
        "omega": omega,
        "magnitudes": mags,
        "magnitude_spread": spread,
        "irrep_norms": _irrep_norms(result, b_sites),
        "grid": np.asarray(grid),
    }
    if target_omega is not None:
        a, b = omega.reshape(-1), np.asarray(target_omega, dtype=np.float64).reshape(-1)
        out["cosine"] = float(abs(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-300))
    out["glazer"] = glazer_from_pseudovectors(omega, grid)
    # apply the learned pattern, scaled to the target's RMS displacement
    if mags.max() > 0:
        unit = omega / mags.max()
        eps = np.radians(1.0)
        probe = rotate_octahedra(parent, b_sites, eps * unit)
        rms = np.sqrt(np.mean(structure_displacements(parent, probe) ** 2))
        if target_displacements is not None:
            rms_t = np.sqrt(np.mean(np.asarray(target_displacements) ** 2))
        else:
            rms_t = rms * 8.0
        scale = eps * rms_t / rms if rms > 0 else 0.0
        applied = rotate_octahedra(parent, b_sites, scale * unit)
        sg = space_group(applied, symprec=symprec)
        out.update(scale=float(scale), applied=applied, space_group=int(sg.number),
                   space_group_symbol=sg.international)
    else:
        out.update(scale=0.0, applied=parent.copy(), space_group=int(space_group(parent, symprec=symprec).number),
                   space_group_symbol="(unchanged)")
    return out


def reproduce_perovskite(
    *,
    constrained: bool = False,
    irreps: Optional[str] = None,
    tilts: str = "a+b-b-",
    angles=(10.0, 8.0, 8.0),
    l_penalty: float = 1e-3,
    l1: float = 1e-4,
    model_steps: int = 10,
    joint_steps: int = 80,
    lr_model: float = 1e-2,
    lr_op: float = 5e-3,
    model: Optional[ModelOptions] = None,
    alternate: bool = True,
    seed: int = 0,
    progress: bool = False,
    checkpoint: Optional[str] = None,
    resume: bool = False,
) -> tuple[OrderParameterResult, dict]:
    """Reproduction 5 (see the module docstring).

    Unconstrained: per-B order parameters in ``irreps`` (default ``0e+0o+1e+1o+2e+2o``,
    as the papers' ``determine_irreps``) with L1 ``l1`` and l-penalty ``l_penalty`` x l^2;
    constrained: ``1e`` only, x component masked, the two sets of non-adjacent B
    sites (even / odd :math:`n_1+n_2+n_3`) tied. L1 data loss (the notebooks').
    Returns ``(result, analysis)`` (:func:`analyse_tilts` plus ``"setup"``).
    """
    setup = perovskite_setup(tilts, angles)
    parent = setup["parent"]
    b_sites = setup["b_sites"]
    grid = setup["grid"]
    if constrained:
        irreps = irreps or "1e"
        even = [b for b, n in zip(b_sites, grid) if n.sum() % 2 == 0]
        odd = [b for b, n in zip(b_sites, grid) if n.sum() % 2 == 1]
        where, sites, mask = [even, odd], None, ["1e m=-1"]
    else:
        irreps = irreps or "0e+0o+1e+1o+2e+2o"
        where, sites, mask = "site", b_sites, None
    problem = OrderParameterProblem.from_structures(
        parent, setup["child"], displacements=setup["displacements"], where=where, sites=sites, mask=mask,
        model=model, title=f"perovskite a0a0a0 -> {tilts}", irreps=irreps, l1=l1, l_penalty=l_penalty,
        lr_model=lr_model, lr_op=lr_op, min_model_steps=min(5, model_steps), max_model_steps=model_steps,
        patience=3, joint_steps=joint_steps, alternate=alternate, seed=seed)
    result = search(problem, progress=progress, checkpoint=checkpoint, resume=resume)
    analysis = analyse_tilts(result, parent, b_sites, target_displacements=setup["displacements"],
                             target_omega=setup["omega"], grid=grid)
    analysis["setup"] = setup
    return result, analysis
