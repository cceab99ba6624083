from types import SimpleNamespace

import numpy as np
import pytest
import torch
from ase import Atoms
from scipy.spatial.transform import Rotation

from curienn.io import glazer_perovskite

# The tests use small tensors, and ``pytest -n 2`` runs two workers on two cores: one
# intra-op thread per process avoids oversubscription, which makes the many small
# kernels of equivariant layers several times slower (and noisier on a shared CPU).
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed_and_dtype():
    """Every test starts from the same seed and the float32 default dtype."""
    torch.manual_seed(0)
    old = torch.get_default_dtype()
    yield
    torch.set_default_dtype(old)


@pytest.fixture(params=[torch.float32, torch.float64], ids=["f32", "f64"])
def dtype(request):
    """Run a test in float32 and float64; yields the dtype (also set as default)."""
    torch.set_default_dtype(request.param)
    return request.param


@pytest.fixture
def tol(dtype):
    """Absolute tolerance that goes with ``dtype``."""
    return {torch.float32: 1e-5, torch.float64: 1e-10}[dtype]


# ---------------------------------------------------------------- parent/child pairs
# the perturbations a user's files bring (matching, mode decomposition, the order-parameter workflow)


def cubic_perovskite(a=3.9, species=("Ca", "Ti", "O"), b_origin=True):
    """ABX3 in Pm-3m, B at the origin (or A at the origin)."""
    A, B, X = species
    if b_origin:
        frac = [[.5, .5, .5], [0, 0, 0], [.5, 0, 0], [0, .5, 0], [0, 0, .5]]
    else:
        frac = [[0, 0, 0], [.5, .5, .5], [0, .5, .5], [.5, 0, .5], [.5, .5, 0]]
    return Atoms(f"{A}{B}{X}3", scaled_positions=frac, cell=a * np.eye(3), pbc=True)


def tilted_pair(tilts="a+b-b-", angle=8.0):
    """(cubic parent with the child's mean pseudo-cubic edge, 40-atom Glazer child)."""
    child, _ = glazer_perovskite(tilts, angle)
    return cubic_perovskite(np.cbrt(child.get_volume() / 8)), child


def permuted(atoms, seed=0):
    """The atoms of each species shuffled among themselves."""
    rng = np.random.default_rng(seed)
    sym = np.array(atoms.get_chemical_symbols())
    order = np.arange(len(atoms))
    for s in set(sym):
        idx = np.nonzero(sym == s)[0]
        order[idx] = rng.permutation(idx)
    return atoms[order]


def rotated(atoms, R):
    out = atoms.copy()
    out.set_cell(atoms.cell[:] @ np.asarray(R).T, scale_atoms=True)
    return out


def rot_z90():
    return np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])


def random_rotation(seed=1):
    return Rotation.random(random_state=seed).as_matrix()


def shifted(atoms, vector):
    out = atoms.copy()
    out.positions += np.asarray(vector)
    out.wrap()
    return out


def recell(atoms, cell):
    """The same crystal described with another cell (``cell`` rows must be lattice
    vectors of ``atoms``' periodicity): atoms wrapped into it, duplicates dropped."""
    cell = np.asarray(cell, dtype=np.float64)
    n = int(round(len(atoms) * abs(np.linalg.det(cell)) / atoms.get_volume()))
    big = atoms.repeat((3, 3, 3))
    big.positions -= atoms.cell.sum(axis=0)
    f = big.positions @ np.linalg.inv(cell)
    f -= np.floor(f + 1e-7)
    keep, seen = [], []
    for i, x in enumerate(f):
        if not any(np.abs((x - y) - np.round(x - y)).max() < 1e-5 for y in seen):
            seen.append(x)
            keep.append(i)
    out = Atoms([big[i].symbol for i in keep], scaled_positions=np.array(seen), cell=cell, pbc=True)
    assert len(out) == n, (len(out), n)
    return out


def perturbed(child, kind):
    """``(child', cells, R)``: the Glazer child under one of the perturbations a
    user's file brings; ``cells`` the number of pseudo-cubic cells of the new
    cell, ``R`` the rotation applied (identity if none)."""
    h = np.asarray(child.cell[:]) / 2  # the pseudo-cubic cell vectors
    a = h[0, 0]
    R = np.eye(3)
    if kind == "permute":
        return permuted(child), 8, R
    if kind in ("rot_z90", "rot_random"):
        R = rot_z90() if kind == "rot_z90" else random_rotation()
        return rotated(child, R), 8, R
    if kind == "lattice_shift":
        return shifted(child, child.cell[1] / 2), 8, R  # one pseudo-cubic lattice vector
    if kind == "origin_half":
        return shifted(child, [a / 2, 0, 0]), 8, R  # half a pseudo-cubic cell: not a lattice vector
    if kind == "all":
        R = random_rotation(5)
        return rotated(shifted(permuted(child, 3), [0.7, -1.1, 0.2]), R), 8, R
    if kind == "sqrt2_cell":  # the Pnma cell, sqrt2 x sqrt2 x 2
        return recell(child, [h[1] + h[2], h[1] - h[2], 2 * h[0]]), 4, R
    if kind == "big_cell":  # 2sqrt2 x 2sqrt2 x 2
        return recell(child, [2 * h[0] + 2 * h[1], 2 * h[1] - 2 * h[0], 2 * h[2]]), 16, R
    if kind == "double":  # a 2x2x4 pseudo-cubic cell (the 2x2x2 one repeated along z)
        return child.repeat((1, 1, 2)), 16, R
    raise ValueError(kind)


@pytest.fixture
def pairs():
    """The helpers above, as a namespace: ``pairs.tilted_pair("a0a0c-")``..."""
    return SimpleNamespace(
        cubic_perovskite=cubic_perovskite, tilted_pair=tilted_pair, permuted=permuted, rotated=rotated,
        rot_z90=rot_z90, random_rotation=random_rotation, shifted=shifted, recell=recell,
        perturbed=perturbed,
    )
