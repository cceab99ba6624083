r"""Space-group operations acting on Bloch components of a per-site field,
and little-group irreps at any wave vector (through spgrep).

Conventions (fractional coordinates of the parent's primitive cell; an
operation ``g = (W, w)`` maps ``x -> W x + w``). A field has one value
``v_s(t)`` (``dim`` components, O(3) type given by ``D(R)``) per site ``s`` and
lattice translation ``t``; ``g`` moves the value at ``x_s + t`` to
``g(x_s + t) = x_s' + W t + Delta_s`` and turns it into ``D(R) v``. With the
unitary Bloch transform over the ``N`` cells of a supercell

.. math:: \tilde v_s(k) = N^{-1/2} \sum_t v_s(t)\, e^{-2\pi i\, k\cdot t},

``g`` maps the component at ``k`` to the one at ``k' = W^{-T} k``:

.. math:: [M(g)\,\tilde v]_{s'} = e^{-2\pi i\, k'\cdot \Delta_s}\, D(R)\,\tilde v_s .

A pure translation ``(1, t)`` is then the scalar :math:`e^{-2\pi i k\cdot t}`,
spgrep's convention for its little-group irreps, so its matrices
:math:`\Gamma_\sigma(h)` plug straight into the isotypic projector

.. math:: P_\sigma = \frac{d_\sigma}{|\bar G_k|} \sum_{h \in \bar G_k}
          \overline{\chi_\sigma(h)}\, M(h)

(sum over one representative ``(W, w)`` per point operation of the little
group ``G_k``; ``d_sigma`` the dimension).
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["SiteAction", "little_group_irreps"]


class SiteAction:
    """How each operation of the (primitive) space group permutes the sites.

    Args:
        sites: ``(n_sites, 3)`` fractional positions.
        species: per-site labels (a site only maps to a site of its species).
        rotations, translations: the operations (spglib, primitive basis).
        lattice: ``(3, 3)`` primitive lattice (rows), for Cartesian rotations.
        symprec: position tolerance (Angstrom).
    """

    def __init__(self, sites, species, rotations, translations, lattice, symprec):
        self.rotations = np.asarray(rotations, dtype=np.int64)
        self.translations = np.asarray(translations, dtype=np.float64)
        L = np.asarray(lattice, dtype=np.float64)
        self.cartesian = np.einsum("ij,njk,kl->nil", L.T, self.rotations, np.linalg.inv(L.T))
        n, g = len(sites), len(self.rotations)
        self.perm = np.empty((g, n), dtype=np.int64)
        self.delta = np.empty((g, n, 3), dtype=np.int64)
        self.index = {tuple(W.ravel()): i for i, W in enumerate(self.rotations)}
        if len(self.index) != len(self.rotations):
            raise ValueError("the operations must be those of a primitive cell (one per rotation)")
        sp = np.array(species, dtype=object)
        for i, (W, w) in enumerate(zip(self.rotations, self.translations)):
            moved = sites @ W.T + w
            d = moved[:, None] - sites[None]
            r = np.linalg.norm((d - np.round(d)) @ L, axis=2)
            r[sp[:, None] != sp[None]] = np.inf
            j = np.argmin(r, axis=1)
            if r[np.arange(n), j].max() > 10 * symprec or len(set(j.tolist())) != n:
                raise ValueError(f"operation {i} of the parent does not map its sites onto themselves "
                                 f"(misfit {r[np.arange(n), j].max():.3g} A); try a larger symprec")
            self.perm[i] = j
            self.delta[i] = np.rint(moved - sites[j]).astype(np.int64)

    def find(self, W, w) -> tuple[int, np.ndarray]:
        """Index of the operation with rotation ``W`` and the integer ``t`` with
        ``w = translations[index] + t``."""
        i = self.index[tuple(np.asarray(W, dtype=np.int64).ravel())]
        return i, np.rint(np.asarray(w) - self.translations[i]).astype(np.int64)

    def compose(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """``(W, w)`` of the product ``g_a g_b``."""
        Wa, wa, Wb, wb = self.rotations[a], self.translations[a], self.rotations[b], self.translations[b]
        return Wa @ Wb, Wa @ wb + wa

    def inverse(self, a: int) -> tuple[np.ndarray, np.ndarray]:
        Wi = np.rint(np.linalg.inv(self.rotations[a])).astype(np.int64)
        return Wi, -Wi @ self.translations[a]

    def apply(self, i: int, k_image: np.ndarray, D: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``M(g_i) v`` for Bloch components ``v`` ``(..., n_sites, dim)`` landing
        at ``k_image = W^{-T} k``; ``D`` is ``D(R_i)`` of the field."""
        phase = np.exp(-2j * np.pi * (self.delta[i] @ k_image))
        out = np.empty_like(v, dtype=np.complex128)
        out[..., self.perm[i], :] = phase[:, None] * (v @ D.T)
        return out

    def apply_inverse(self, i: int, k_image: np.ndarray, D: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``M(g_i)^{-1} v = M(g_i)^dagger v`` for ``v`` at ``k_image``."""
        phase = np.exp(-2j * np.pi * (self.delta[i] @ k_image))
        return np.conj(phase)[:, None] * (v[..., self.perm[i], :] @ D)


def little_group_irreps(rotations, translations, k) -> tuple[np.ndarray, list]:
    """Irreps of the little group of ``k`` (primitive setting) from spgrep.

    Returns ``(op_index, matrices)``: the indices (into ``rotations``) of the
    little group's representatives and one ``(n_little, d, d)`` complex array
    per irrep, with :math:`\\Gamma((1, t)) = e^{-2\\pi i k\\cdot t}`.
    """
    try:
        from spgrep import get_spacegroup_irreps_from_primitive_symmetry
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("space-group irreps need spgrep: pip install 'curienn[symmetry]'") from exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        irreps, mapping = get_spacegroup_irreps_from_primitive_symmetry(
            np.asarray(rotations), np.asarray(translations), np.asarray(k, dtype=np.float64))
    return np.asarray(mapping, dtype=np.int64), [np.asarray(m, dtype=np.complex128) for m in irreps]
