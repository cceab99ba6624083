r"""One analysis of a parent/child pair: what symmetry the child breaks, by which
irreps, and which order parameters can carry it.

:func:`analyse_pair` matches the child onto the parent
(:func:`match_structures`: any atom order, rotation, origin, commensurate
supercell), then works in the parent's frame with one group:

* ``G``: the parent's symmetry on the sites the child occupies -- the space
  group of the parent supercell (spglib; every operation of the supercell,
  pure translations included) or the point group of a molecule -- with the
  permutation each operation makes of the sites;
* ``H``: the isotropy group of the distortion, the operations ``g = (R, perm)``
  of ``G`` that map the displacement field onto itself,
  :math:`R\,d_a = d_{\mathrm{perm}(a)}`, and (crystals) the strain,
  :math:`R\,\varepsilon R^T = \varepsilon`, within the tolerance; ``H_d``: the
  same without the strain (what the displacements alone keep).

From them: the Curie check (``G`` minus ``H``: the lost operations; breaking is
required when any is lost), the breaking irreps (:func:`breaking_irreps`, the
point-group parts) and the mode decomposition (:func:`mode_decomposition`: the
displacements and the strain in irreps of the parent's space group, or of a
molecule's point group). ``curienn symmetry check`` and ``curienn
order-parameter`` both use it, so they cannot disagree.

:meth:`PairAnalysis.carriers` answers whether an order-parameter field of given
O(3) irreps on given sites can lower ``G`` to ``H_d``: a generic ``H_d``-invariant
field of that kind must have stabiliser exactly ``H_d`` in ``G``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._breaking import breaking_irreps
from ._curie import CurieReport
from ._field_type import field_dim, field_representation, parse_field_type
from ._group import close_group, describe_operation, schoenflies_name
from ._match import match_structures
from ._modes import mode_decomposition
from ._point_group import PointGroup, point_group
from ._site_group import SiteGroup, site_group
from ._space_group import space_group

__all__ = ["PairAnalysis", "analyse_pair"]


@dataclass(eq=False)
class PairAnalysis:
    """Result of :func:`analyse_pair`.

    ``match`` (:class:`StructureMatch`), ``curie`` (:class:`CurieReport`: ``G``,
    the child's symmetry, the lost operations, the kept group, the breaking
    irreps), ``modes`` (:class:`ModeDecomposition` of the displacements and the
    strain), ``sites``: ``G`` on the child's atoms in the parent frame
    (:class:`SiteGroup`, tiled over a supercell every operation maps onto
    itself), ``kept`` / ``kept_displacements``: indices of ``H`` and ``H_d`` in
    it, ``tol``; ``kept_name``: ``H``'s space-group type (``"Pnma (62)"``,
    spglib) or point group.
    """

    match: object
    curie: CurieReport
    modes: object
    sites: SiteGroup = field(repr=False)
    kept: np.ndarray = field(repr=False)
    kept_displacements: np.ndarray = field(repr=False)
    tol: float = 1e-3
    kept_name: str = ""

    @property
    def rotations(self) -> np.ndarray:
        """``(|G|, 3, 3)`` Cartesian rotations of ``G`` (parent frame)."""
        return self.sites.rotations

    @property
    def periodic(self) -> bool:
        return self.match.periodic

    @property
    def required(self) -> bool:
        """Whether the child breaks a symmetry of the parent (displacements or strain)."""
        return not self.curie.allowed

    @property
    def displacements_break(self) -> bool:
        """Whether the displacements alone break a symmetry (``H_d != G``)."""
        return len(self.kept_displacements) < len(self.rotations)

    def irreps(self, threshold: float = 1e-4) -> list[str]:
        """Labels of the irreps present in the distortion (displacements above
        ``threshold`` A, strain above ``threshold``), the identity irrep left out,
        largest first."""
        out = {}
        for m in self.modes.modes:
            if m.field == "displacement" and m.amplitude > threshold and not self.invariant(m.values, "1o", 1e-6):
                out[m.label] = max(out.get(m.label, 0.0), m.amplitude)
        labels = sorted(out, key=lambda k: -out[k])
        if self.modes.strain is not None:
            R, Q = self.rotations, self.modes.rotation
            for c in self.modes.strain.components:
                t = Q.T @ c.tensor @ Q  # the standard frame -> the parent frame
                moved = np.abs(np.einsum("gij,jk,glk->gil", R, t, R) - t).max(initial=0.0)
                if c.amplitude > threshold and moved > 1e-6 * c.amplitude and c.name not in labels:
                    labels.append(c.name)
        return labels

    def carriers(self, irreps: str, basis=None) -> dict:
        """Which parts of an order-parameter field can lower ``G`` to ``H_d``.

        Args:
            irreps: O(3) irreps of the field on each atom, e.g. ``"0e+1e+1o"``.
            basis: ``(N * dim, k)`` the allowed fields (child atoms x components
                of ``irreps``, row-major), e.g. order parameters on some sites
                only or tied between sites; default every atom, independently.

        Returns ``{"1e": bool, ..., "all": bool}``: for each irrep of ``irreps``
        alone and for all of them together, whether a generic field of that kind
        that keeps ``H_d`` is kept by no other operation of ``G``.
        """
        n, dim = len(self.sites.site_of) // self.sites.copies, field_dim(irreps)
        B = np.eye(n * dim) if basis is None else np.asarray(basis, dtype=np.float64)
        if B.shape[0] != n * dim:
            raise ValueError(f"basis must have {n * dim} rows ({n} atoms x {dim} components), got {B.shape}")
        D = field_representation(irreps, self.rotations)
        comp = np.concatenate([np.full(mul * (2 * l + 1), i) for i, (mul, l, _) in enumerate(parse_field_type(irreps))])
        names = [f"{mul}x{l}{'e' if p == 1 else 'o'}" if mul > 1 else f"{l}{'e' if p == 1 else 'o'}"
                 for mul, l, p in parse_field_type(irreps)]
        out = {}
        for i, name in enumerate(names + ["all"]):
            keep = np.ones(dim, bool) if name == "all" else comp == i
            rows = np.tile(keep, n)
            Bi = B[:, np.abs(B[~rows]).max(axis=0, initial=0.0) < 1e-12] if (~rows).any() else B
            out[name] = self._reaches_kept(Bi, D, dim)
        return out

    def _tile(self, fields: np.ndarray, dim: int) -> np.ndarray:
        """Fields ``(N * dim, k)`` of the child's cell on the tiled sites ``(M * dim, k)``."""
        f = fields.reshape(-1, dim, fields.shape[1])
        return self.sites.tile(f).reshape(-1, fields.shape[1])

    def _apply(self, g: int, fields: np.ndarray, D: np.ndarray, dim: int) -> np.ndarray:
        """``T_g`` on tiled fields ``(M * dim, k)``."""
        f = fields.reshape(-1, dim, fields.shape[1])
        out = np.empty_like(f)
        out[self.sites.permutations[g]] = np.einsum("ij,njk->nik", D[g], f)
        return out.reshape(fields.shape)

    def _average(self, ops, fields: np.ndarray, D: np.ndarray, dim: int) -> np.ndarray:
        return sum(self._apply(h, fields, D, dim) for h in ops) / len(ops)

    def _reaches_kept(self, B: np.ndarray, D: np.ndarray, dim: int) -> bool:
        """Whether a generic field of ``span(B)`` kept by ``H_d`` is kept by nothing more."""
        everything = len(self.kept_displacements) == len(self.rotations)
        if B.shape[1] == 0:
            return everything
        Bt = self._tile(B, dim)
        p0 = Bt @ np.random.default_rng(0).standard_normal(B.shape[1])
        p = self._average(self.kept_displacements, p0[:, None], D, dim)[:, 0]
        atol = 1e-9 * np.abs(p0).max()
        if np.abs(p).max() <= atol:  # no field of span(B) is kept by H_d but zero
            return everything
        first = p[:B.shape[0]]
        norms = np.einsum("ij,ij->j", B, B)
        inside = (np.abs(self._tile(first[:, None], dim)[:, 0] - p).max() <= atol and
                  np.abs(B @ ((B.T @ first) / np.where(norms > 0, norms, 1.0)) - first).max() <= atol)
        if not inside:  # span(B) is not mapped onto itself by H_d: the kept fields are a null space
            M = self._average(self.kept_displacements, Bt, D, dim) - Bt
            _, sv, Vt = np.linalg.svd(M, full_matrices=True)
            null = Vt[np.sum(sv > 1e-9 * max(1.0, sv.max(initial=0.0))):].T
            if null.shape[1] == 0:
                return everything
            p = Bt @ null @ np.random.default_rng(1).standard_normal(null.shape[1])
        scale = np.abs(p).max()
        if scale == 0:
            return everything
        fixed = sum(np.abs(self._apply(g, p[:, None], D, dim)[:, 0] - p).max() <= 1e-8 * scale
                    for g in range(len(self.rotations)))
        return int(fixed) == len(self.kept_displacements)

    def invariant(self, values, irreps: str, atol: float = 1e-8) -> bool:
        """Whether a field ``(N, dim)`` on the child's atoms (parent frame) is kept
        by every operation of ``G`` (it then breaks nothing)."""
        v = np.asarray(values, dtype=np.float64)
        D = field_representation(irreps, self.rotations)
        scale = max(float(np.abs(v).max()), 1e-300)
        return len(self.sites.kept(v, D, atol * scale)) == len(self.rotations)

    def to_dict(self) -> dict:
        d = self.curie.to_dict()
        d.update(match=self.match.to_dict(), modes=self.modes.to_dict(threshold=1e-8), required=self.required,
                 displacements_break=self.displacements_break, irreps=self.irreps(),
                 kept_order=len(self.kept), parent_order=len(self.rotations), kept_group=self.kept_name,
                 copies=self.sites.copies)
        return d

    def __str__(self) -> str:
        need = "yes" if self.required else "no"
        if self.required and not self.displacements_break:
            need += " (by the strain alone: no atom moves off its site's symmetry)"
        irreps = self.irreps()
        return "\n".join([
            str(self.match), str(self.curie),
            f"kept by the distortion: {self.kept_name}, {len(self.kept)} of the parent's {len(self.rotations)} "
            "operations on these sites",
            f"breaking required: {need}" + (f"; irreps of the distortion: {', '.join(irreps)}" if irreps else ""),
            str(self.modes)])

    __repr__ = __str__


def analyse_pair(parent, child, *, match=None, lmax: int | None = 5, tol: float = 1e-2, symprec: float = 1e-3,
                 origin=None, max_displacement: float | None = None, supercell=None) -> PairAnalysis:
    """Analyse ``child`` as a distortion of ``parent`` (see the module docstring).

    Args:
        parent, child: ASE ``Atoms`` / :class:`Structure` (crystals or molecules).
        match: a :class:`StructureMatch` already made (default
            :func:`match_structures` with ``max_displacement`` and ``supercell``).
        lmax: breaking irreps (point-group parts) up to this l; ``None``: none.
        tol: distance tolerance (A) for a molecule's point group and its
            isotropy group.
        symprec: spglib's tolerance (A) for crystals, also the tolerance of the
            isotropy group (displacements within ``symprec``, strain within
            ``symprec`` over the largest supercell edge).
        origin: where the crystal's irreps are labelled from
            (:func:`mode_decomposition`).
    """
    m = match if match is not None else match_structures(parent, child, max_displacement=max_displacement,
                                                         supercell=supercell, symprec=symprec)
    dtol = symprec if m.periodic else tol
    p = m.parent
    species = [p.species[j] for j in m.parent_index]
    if m.periodic:
        sg = site_group(m.supercell @ p.lattice, p.positions[m.parent_index] + m.translations @ p.lattice, species,
                        symprec=symprec)
    else:
        sg = site_group(None, p.positions[m.parent_index], species, tol=tol)
    R = sg.rotations
    kept_d = sg.kept(m.displacements, R, dtol)
    if m.periodic:
        eps, edge = m.strain, float(np.linalg.norm(m.supercell @ p.lattice, axis=1).max())
        strain_ok = np.array([np.abs(R[k] @ eps @ R[k].T - eps).max() * edge <= symprec for k in kept_d], bool)
        kept = kept_d[strain_ok] if len(kept_d) else kept_d
    else:
        kept = kept_d
    modes = mode_decomposition(m, origin=origin, symprec=dtol)
    curie = _curie(m, sg, kept, lmax, symprec, tol)
    return PairAnalysis(m, curie, modes, sg, kept, kept_d, dtol, sg.name_of(kept))


def _curie(m, sg, kept, lmax, symprec, tol) -> CurieReport:
    g, R = sg.group, sg.rotations
    kept_set = set(kept.tolist())
    lost_idx = [i for i in range(len(R)) if i not in kept_set]
    kept_rot = close_group(R[kept], atol=1e-4) if len(kept) else np.eye(3)[None]
    notes = []
    if m.periodic:
        child_group = space_group(m.child.to_spglib(), symprec=symprec)
        lost = [(g.rotations[i], g.translations[i]) for i in lost_idx]
        described = g.describe()
        names = [described[i] for i in lost_idx]
        parent_pg = g.point_group()
        kept_pg = PointGroup(schoenflies_name(kept_rot), kept_rot, np.zeros(3), symprec)
        kind = "space group"
        if sg.copies > 1:
            notes.append(f"the child's cell is less symmetric than the parent: the operations are counted on "
                         f"{sg.copies} copies of it, a cell every operation of the parent maps onto itself")
        if lmax is not None:
            notes.append("breaking irreps below use the point-group parts of the operations (uniform, k = 0 order "
                         "parameters); the mode decomposition gives every k")
    else:
        child_group = point_group(sg.positions + m.displacements, list(m.child.species), tol=tol)
        lost = [R[i] for i in lost_idx]
        names = [describe_operation(R[i]) for i in lost_idx]
        parent_pg = g
        kept_pg = PointGroup(schoenflies_name(kept_rot), kept_rot, g.center, tol)
        kind = "point group"
    breaking = breaking_irreps(parent_pg, kept_pg, lmax=lmax) if lmax is not None and lost else None
    return CurieReport(kind, g, child_group, lost, names, kept_pg, not lost, breaking, notes)
