r"""Mode decomposition: a child's distortion split into irreps of the parent's
space group, as ISODISTORT / AMPLIMODES do.

Given a :class:`~curienn.symmetry.StructureMatch`, every per-atom field of
the child -- the displacements (O(3) type ``1o``), and any further fields
(rotation pseudovectors ``1e``, magnetic moments, tensors) -- is

1. put in the parent's standard setting (:func:`parent_setting`, with the
   origin stated) and Bloch transformed over the ``N = det S`` parent cells of
   the supercell, at the ``N`` wave vectors it holds
   (:func:`commensurate_kpoints`);
2. grouped by star; for each star, the Bloch components of every arm are
   carried to one reference arm ``k`` by a coset representative and projected
   onto the isotypic components of the irreps of the little group ``G_k``
   (spgrep), a star and its negative together (a real field has
   :math:`\tilde v(-k) = \overline{\tilde v(k)}`), complex-conjugate pairs
   merged into one physically irreducible representation;
3. labelled (:mod:`._irrep_labels`: CDML such as GM4-, X5+, M3+, R4+ for
   Pm-3m; ``X:Eg``-style Mulliken labels of the little co-group elsewhere).

Amplitudes (ISODISTORT's convention): ``amplitude`` is the root-sum-square of
the field's projected part over the atoms of the child supercell as matched,
:math:`A_s = (\sum_{a} |v_a^{(\Gamma)}|^2)^{1/2}` (Angstrom for
displacements); ``amplitude_parent_cell`` is
:math:`A_p = A_s \sqrt{V_{prim}/V_{child}} = A_s/\sqrt{n}`, with ``n`` the number
of primitive cells of the parent in the child's cell, which depends neither on
the supercell the child was given in nor on the cell the parent was given in
(for a parent given as its primitive cell ``n = det S``, ISODISTORT's value). The squared amplitudes of
all irreps add up to :math:`\sum_a |v_a|^2` (checked on every call). The
uniform translation was already removed by the match, so the acoustic mode
(GM4- in Pm-3m) never contributes from it.
"""

from __future__ import annotations

import numpy as np

from ._bloch import SiteAction, little_group_irreps
from ._field_type import field_dim, field_representation
from ._irrep_labels import LittleCogroupLabels
from ._kpoints import _same, _wrap, commensurate_kpoints, kpoint_name, kpoint_stars
from ._mode_result import IrrepAmplitude, ModeDecomposition
from ._molecule_modes import molecule_mode_decomposition
from ._parent_setting import parent_setting
from ._strain import decompose_strain

__all__ = ["mode_decomposition"]


def _fields(match, fields, include_displacements, frame="child"):
    out = {}
    if include_displacements:
        out["displacement"] = (match.displacements, "1o")
    for name, spec in (fields or {}).items():
        try:
            values, irreps = spec
        except (TypeError, ValueError) as exc:
            raise ValueError(f"field {name!r} must be a (values, irreps) pair, e.g. (array, '1e')") from exc
        v = np.asarray(values, dtype=np.float64)
        dim = field_dim(irreps)
        if v.ndim == 1 and dim == 1:
            v = v[:, None]
        if v.shape != (len(match.child), dim):
            raise ValueError(f"field {name!r} has shape {v.shape}; expected ({len(match.child)}, {dim}) "
                             f"for type {irreps!r} on the child's atoms")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"field {name!r} contains NaN or infinite values")
        if frame == "child":  # given in the child's frame: rotate into the parent frame
            v = v @ field_representation(irreps, match.rotation.T)[0].T
        out[name] = (v, irreps)
    if not out:
        raise ValueError("nothing to decompose: no fields and include_displacements=False")
    return out


def mode_decomposition(match, *, fields=None, origin=None, symprec: float = 1e-3,
                       include_displacements: bool = True, frame: str = "child") -> ModeDecomposition:
    """Amplitudes per irrep of the parent's space group (see the module docstring).

    A molecule (a finite ``match``) is decomposed into the irreps of the
    parent's point group instead (:mod:`._molecule_modes`; one "k-point",
    Mulliken labels such as ``T2``, ``origin`` ignored, no strain).

    Args:
        match: a :class:`StructureMatch` from :func:`match_structures`.
        fields: optional ``{name: (values, irreps)}``: per child atom values
            ``(N_child, dim)`` and their O(3) type, e.g. ``{"tilt": (omega,
            "1e")}``, in the child's frame (``frame="child"``: as read with the
            child; they are rotated into the parent frame by ``match.rotation``)
            or already in the parent's (``frame="parent"``).
        origin: where the irreps are labelled from: ``None`` (the parent's own
            origin when it has full site symmetry, else spglib's), a parent
            atom index, a species (``"Ti"``) or fractional coordinates.
        symprec: spglib tolerance (Angstrom) for the parent's space group (the
            distance tolerance of its point group for a molecule).
        include_displacements: decompose ``match.displacements`` (``1o``).
        frame: ``"child"`` or ``"parent"``, the frame of ``fields``.

    Returns:
        :class:`ModeDecomposition`.

    Example:
        >>> from ase import Atoms
        >>> from curienn.symmetry import match_structures
        >>> p = Atoms("BaTiO3", scaled_positions=[[.5, .5, .5], [0, 0, 0], [.5, 0, 0], [0, .5, 0],
        ...           [0, 0, .5]], cell=4.0 * np.eye(3), pbc=True)
        >>> c = p.copy(); c.positions[1, 2] += 0.1  # Ti off-centre along z: P4mm
        >>> d = mode_decomposition(match_structures(p, c))
        >>> {k: round(v, 4) for k, v in d.amplitudes(threshold=1e-6).items()}
        {'GM4-': 0.0894}
    """
    if frame not in ("child", "parent"):
        raise ValueError(f"frame must be 'child' or 'parent', got {frame!r}")
    if not match.periodic:
        return molecule_mode_decomposition(match, _fields(match, fields, include_displacements, frame), symprec)
    setting = parent_setting(match.parent, origin=origin, symprec=symprec)
    parent = match.parent
    rot = setting.rotation
    # child atom -> (primitive site, primitive translation)
    ideal = parent.positions[match.parent_index] + match.translations @ parent.lattice
    frac = setting.primitive_coordinates(ideal)
    site = setting.atom_site[match.parent_index]
    T = np.rint(frac - setting.sites[site]).astype(np.int64)
    Sp = (match.supercell @ parent.lattice) @ rot.T @ np.linalg.inv(setting.primitive)
    if np.abs(Sp - np.round(Sp)).max() > 1e-3:
        raise ValueError("the child supercell is not a sublattice of the parent's primitive lattice "
                         f"(misfit {np.abs(Sp - np.round(Sp)).max():.3g}); check symprec")
    Sp = np.round(Sp).astype(np.int64)
    n = int(round(abs(np.linalg.det(Sp))))
    kpts = commensurate_kpoints(Sp)
    phase = np.exp(-2j * np.pi * (T @ kpts.T)) / np.sqrt(n)  # (N_child, n_k)
    counts = np.bincount(site, minlength=len(setting.sites))
    if np.any(counts != n):
        raise ValueError(f"the match puts {counts.tolist()} child atoms on the parent's primitive sites; "
                         f"expected {n} each")
    action = SiteAction(setting.sites, setting.site_species, setting.rotations, setting.translations,
                        setting.primitive, symprec)
    to_conv = np.linalg.inv(setting.primitive).T @ setting.conventional.T  # k_prim @ to_conv = k_conv
    stars = kpoint_stars(kpts, setting.rotations)
    modes = []
    for name, (values, irreps) in _fields(match, fields, include_displacements, frame).items():
        Dstd = field_representation(irreps, rot)[0]
        v = values @ Dstd.T
        Ds = field_representation(irreps, action.cartesian)
        bloch = np.zeros((len(kpts), len(setting.sites), v.shape[1]), dtype=np.complex128)
        np.add.at(bloch, (slice(None), site), np.transpose(phase[:, :, None] * v[:, None, :], (1, 0, 2)))
        found = _decompose_field(name, bloch, kpts, stars, action, Ds, setting, to_conv)
        total = float(np.sum(v ** 2))
        got = sum(m[1] ** 2 for m in found)
        if abs(got - total) > 1e-8 * max(total, 1e-30) + 1e-20:  # pragma: no cover - a bug guard
            raise RuntimeError(f"mode amplitudes of {name!r} add up to {got:.12g}, not |v|^2 = {total:.12g}")
        for label, amp, star, arms, mull, group, dim, comp in found:
            real = np.real(np.einsum("kad,ak->ad", comp[:, site], np.conj(phase)))  # inverse Bloch
            modes.append(IrrepAmplitude(name, irreps, label, star, arms, mull, group, dim, amp,
                                        amp / np.sqrt(n), real @ Dstd))
    strain = decompose_strain(rot @ match.strain @ rot.T, np.unique(np.round(action.cartesian, 12), axis=0))
    return ModeDecomposition(match, setting.international, setting.number, setting.origin, kpts @ to_conv,
                             modes, strain, rot)


def _decompose_field(name, bloch, kpts, stars, action, Ds, setting, to_conv):
    """Per physical irrep: (label, amplitude, star name, arms, mulliken, group, dim, components)."""
    inv_t = [np.linalg.inv(W.astype(np.float64)).T for W in action.rotations]
    index = {tuple(np.round(k, 9)): i for i, k in enumerate(kpts)}
    done: set = set()
    out = []
    for arms in stars:
        key = min(tuple(np.round(_wrap(a), 9)) for a in arms)
        if key in done:
            continue
        done.add(key)
        neg = [(-a) for a in arms]
        minus_in_star = any(_same(neg[0], a) for a in arms)
        if not minus_in_star:
            done.add(min(tuple(np.round(_wrap(a), 9)) for a in neg))
        sname, kc = kpoint_name(arms @ to_conv, setting.number, setting.international, primitive=arms)
        k0 = _wrap(kc @ np.linalg.inv(to_conv))
        if not any(_same(k0, a) for a in arms):  # pragma: no cover - a bug guard
            raise RuntimeError("the named arm is not in the star")
        present = [a for a in arms if tuple(np.round(_wrap(a), 9)) in index]
        coset = [next(i for i, M in enumerate(inv_t) if _same(M @ k0, a)) for a in present]
        ref = [action.apply_inverse(i, a, Ds[i], bloch[index[tuple(np.round(_wrap(a), 9))]])
               for i, a in zip(coset, present)]
        ops, mats = little_group_irreps(setting.rotations, setting.translations, k0)
        chars = np.array([np.trace(m, axis1=1, axis2=2) for m in mats])
        groups = _conjugate_groups(chars, ops, k0, arms, inv_t, action, minus_in_star)
        labeller = _labeller(sname, setting, ops, k0, action)
        allk = [_wrap(a) for a in arms] + ([] if minus_in_star else [_wrap(a) for a in neg])
        for members in groups:
            comp = np.zeros((len(kpts),) + bloch.shape[1:], dtype=np.complex128)
            amp2 = 0.0
            for s in members:
                d = mats[s].shape[1]
                for i, a, r in zip(coset, present, ref):
                    pr = sum(np.conj(chars[s][j]) * action.apply(h, inv_t[h] @ k0, Ds[h], r)
                             for j, h in enumerate(ops)) * (d / len(ops))
                    amp2 += float(np.sum(np.abs(pr) ** 2))
                    c = action.apply(i, a, Ds[i], pr)
                    comp[index[tuple(np.round(_wrap(a), 9))]] += c
                    if not minus_in_star:
                        comp[index[tuple(np.round(_wrap(-a), 9))]] += np.conj(c)
            if not minus_in_star:
                amp2 *= 2
            dim = sum(mats[s].shape[1] for s in members) * len(arms) * (1 if minus_in_star else 2)
            label, mull, group = _label(labeller, chars, members)
            out.append([label, np.sqrt(max(amp2, 0.0)), sname, np.array(allk) @ to_conv, mull, group, dim, comp,
                        members, chars])
    _number_unlabelled(out)
    return [tuple(o[:8]) for o in out]


def _conjugate_groups(chars, ops, k0, arms, inv_t, action, minus_in_star):
    """Irreps of G_k grouped into physically irreducible sets (sigma with the
    irrep of the conjugate representation when that is a different one)."""
    n = len(chars)
    if not minus_in_star:
        return [[s] for s in range(n)]
    g0 = next(i for i, M in enumerate(inv_t) if _same(M @ k0, -k0))
    Wi, wi = action.inverse(g0)
    tilde = np.empty_like(chars)
    for j, h in enumerate(ops):
        Wa, wa = action.compose(h, g0)
        W, w = Wi @ Wa, Wi @ wa + wi  # g0^-1 h g0
        m, t = action.find(W, w)
        jj = int(np.nonzero(ops == m)[0][0])
        tilde[:, j] = np.conj(chars[:, jj] * np.exp(-2j * np.pi * (k0 @ t)))
    groups, used = [], set()
    for s in range(n):
        if s in used:
            continue
        partner = next(q for q in range(n) if np.allclose(chars[q], tilde[s], atol=1e-6))
        used.update({s, partner})
        groups.append([s] if partner == s else [s, partner])
    return groups


def _labeller(sname, setting, ops, k0, action) -> LittleCogroupLabels:
    """Mulliken labels only where the small irreps are ordinary irreps of the
    little co-group on spglib's representatives (a trivial factor system:
    ``k . t`` integer for the lattice part ``t`` of every product)."""
    W, w = action.rotations[ops], action.translations[ops]
    prod_W = np.einsum("aij,bjk->abik", W, W).reshape(-1, 3, 3)
    prod_w = (np.einsum("aij,bj->abi", W, w) + w[:, None, :]).reshape(-1, 3)
    rep = action.translations[[action.index[tuple(x.ravel())] for x in prod_W]]
    t = prod_w - rep
    kt = t @ k0
    ordinary = bool(np.abs(kt - np.round(kt)).max() < 1e-6)
    return LittleCogroupLabels(sname, setting.number, action.cartesian[ops], ordinary)


def _label(labeller, chars, members):
    chi = sum(chars[s] for s in members)
    if np.abs(chi.imag).max() > 1e-6:
        chi = 2 * chi.real
    return labeller(chi.real)


def _number_unlabelled(out):
    """Give ``"star#i"`` labels, in a fixed order, to irreps without a name."""
    by_star: dict = {}
    for o in out:
        by_star.setdefault(o[2], []).append(o)
    for sname, items in by_star.items():
        items.sort(key=lambda o: (o[6], tuple(-np.round(np.real(sum(o[9][s] for s in o[8])), 6))))
        for i, o in enumerate(items, 1):
            if not o[0]:
                o[0] = f"{sname}#{i}"
