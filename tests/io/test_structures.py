"""Reading/writing structures through ASE and rejecting bad ones."""

import numpy as np
import ase
import ase.io
import pytest
import torch

from curienn.io._structures import (
    atoms_to_data,
    data_to_atoms,
    read_structure,
    read_structures,
    validate_atoms,
    validate_positions,
    write_structure,
)
from ase.build import bulk, molecule  # noqa: E402


@pytest.mark.parametrize("name,fmt", [("s.cif", None), ("s.xyz", None), ("s.extxyz", None), ("s.txt", "xyz")])
def test_round_trip(tmp_path, name, fmt):
    # a cubic cell: CIF keeps cell parameters, not orientation, so keep it standard
    atoms = bulk("NaCl", "rocksalt", a=5.64, cubic=True) if fmt != "xyz" else molecule("H2O")
    path = tmp_path / name
    write_structure(path, atoms, format=fmt)
    back = read_structure(path, format=fmt)
    assert back.get_chemical_symbols() == atoms.get_chemical_symbols()
    assert np.allclose(back.get_positions(), atoms.get_positions(), atol=1e-4)
    if fmt != "xyz":
        assert np.allclose(np.asarray(back.get_cell()), np.asarray(atoms.get_cell()), atol=1e-4)
        assert back.get_pbc().all()


def test_read_frames(tmp_path):
    frames = [molecule("CH4"), molecule("H2O"), molecule("NH3")]
    path = tmp_path / "traj.xyz"
    write_structure(path, frames)
    assert [len(a) for a in read_structures(path)] == [5, 3, 4]
    assert len(read_structure(path)) == 4
    assert len(read_structure(path, index=0)) == 5
    with pytest.raises(ValueError, match="out of range"):
        read_structure(path, index=7)


def test_missing_file_named(tmp_path):
    path = tmp_path / "nope.cif"
    with pytest.raises(FileNotFoundError, match="nope.cif"):
        read_structure(path)


def test_unreadable_file_named(tmp_path):
    path = tmp_path / "garbage.cif"
    path.write_text("this is not a CIF file\n###\n")
    with pytest.raises(ValueError, match="garbage.cif") as e:
        read_structure(path)
    assert "cif" in str(e.value)
    path = tmp_path / "garbage.xyz"
    path.write_text("3\ncomment\nH 0 0\n")
    with pytest.raises(ValueError, match="garbage.xyz"):
        read_structure(path)


@pytest.mark.parametrize("name,fmt", [("POSCAR", "vasp"), ("CONTCAR", "vasp"), ("s.vasp", None), ("s.traj", None),
                                      ("s.cif", None), ("s.pdb", None), ("s.extxyz", None), ("s.xsf", None)])
def test_every_ase_format_is_read(tmp_path, name, fmt):
    """POSCAR/CONTCAR, .vasp, .traj, CIF, PDB, ...: ASE guesses the format from
    the name (or takes format=); the structure comes back."""
    atoms = bulk("NaCl", "rocksalt", a=5.64, cubic=True)
    path = tmp_path / name
    ase.io.write(str(path), atoms, format=fmt)
    back = read_structure(path)
    assert back.get_chemical_symbols() == atoms.get_chemical_symbols()
    assert np.allclose(back.get_positions(), atoms.get_positions(), atol=1e-3)
    assert np.allclose(back.cell.lengths(), atoms.cell.lengths(), atol=1e-3)


def test_traj_frames_and_index_error(tmp_path):
    path = tmp_path / "run.traj"
    frames = [bulk("Si"), bulk("Si", a=5.5), bulk("Si", a=5.6)]
    ase.io.write(str(path), frames)
    assert len(read_structures(path)) == 3
    assert read_structure(path, index=0).cell.lengths() == pytest.approx(frames[0].cell.lengths())
    assert read_structure(path).cell.lengths() == pytest.approx(frames[2].cell.lengths())
    with pytest.raises(ValueError, match=r"run.traj' has 3 frames; index=3 is out of range"):
        read_structure(path, index=3)
    with pytest.raises(ValueError, match="index must be an integer"):
        read_structure(path, index="last")


def test_unknown_format_and_unguessable_file(tmp_path):
    path = tmp_path / "a.dat"
    path.write_text("x")
    with pytest.raises(ValueError, match=r"cannot read structure file .*a.dat") as e:
        read_structure(path)
    assert "format" in str(e.value)
    with pytest.raises(ValueError, match="format='pdbx' is not an ASE format"):
        read_structure(path, format="pdbx")
    atoms = molecule("H2O")
    read_structure(_write(tmp_path / "w.txt", atoms, "proteindatabank"), format="proteindatabank")


def _write(path, atoms, fmt):
    ase.io.write(str(path), atoms, format=fmt)
    return path


def test_overlap_in_file_rejected(tmp_path):
    atoms = ase.Atoms("H2O", positions=[[0, 0, 0], [0.1, 0, 0], [2, 0, 0]])
    path = tmp_path / "bad.xyz"
    write_structure(path, atoms)
    with pytest.raises(ValueError, match=r"bad.xyz.*atoms 0 \(H\) and 1 \(H\)"):
        read_structure(path)
    assert len(read_structure(path, validate=False)) == 3


def test_validate_nan_inf_named(dtype):
    pos = torch.rand(5, 3) * 10
    validate_positions(pos, min_distance=1e-3)
    pos[3, 1] = float("nan")
    pos[4, 0] = float("inf")
    with pytest.raises(ValueError, match=r"atom\(s\) 3, 4"):
        validate_positions(pos)


def test_validate_overlap_periodic_image():
    cell = np.eye(3) * 4.0
    # 0.1 apart only through the periodic boundary
    pos = np.array([[0.05, 1.0, 1.0], [3.95, 1.0, 1.0], [2.0, 2.0, 2.0]])
    validate_positions(pos)  # not periodic: 3.9 apart
    with pytest.raises(ValueError, match=r"atoms 0 and 1 \(periodic image \[-1, 0, 0\]\) are 0.1 apart"):
        validate_positions(pos, cell, pbc=True)
    # a cell shorter than the threshold: an atom overlaps its own image
    with pytest.raises(ValueError, match="atoms 0 and 0"):
        validate_positions(np.zeros((1, 3)), np.diag([0.3, 5, 5]), pbc=True)


def test_validate_shapes_and_cells():
    with pytest.raises(ValueError, match="shape"):
        validate_positions(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="needs a cell"):
        validate_positions(np.zeros((1, 3)), pbc=True)
    with pytest.raises(ValueError, match="degenerate"):
        validate_positions(np.zeros((1, 3)), np.zeros((3, 3)), pbc=True)
    good = bulk("Si", "diamond", a=5.43)
    validate_atoms(good)
    bad = good.copy()
    bad.positions[1] = bad.positions[0] + 0.01
    with pytest.raises(ValueError, match=r"0 \(Si\) and 1 \(Si\)"):
        validate_atoms(bad)


def test_atoms_to_data_round_trip(dtype):
    atoms = bulk("NaCl", "rocksalt", a=5.64)
    data = atoms_to_data(atoms)
    assert data["pos"].dtype == dtype and data["cell"].shape == (3, 3)
    assert data["atomic_numbers"].tolist() == [11, 17] and data["pbc"].all()
    back = data_to_atoms(data)
    assert back.get_chemical_symbols() == ["Na", "Cl"]
    assert np.allclose(back.get_positions(), atoms.get_positions(), atol=1e-5)


def test_files_that_are_not_structures(tmp_path):
    """Issue 14: each gives a ValueError (or OSError) naming the file, never another error or a hang."""
    d = tmp_path / "adir.xyz"
    d.mkdir()
    with pytest.raises(IsADirectoryError, match="adir.xyz' is a directory"):
        read_structure(d)
    huge = tmp_path / "huge.xyz"
    huge.write_text("2\n\nH 1e300 0 0\nH -1e300 0 0\n")
    with pytest.raises(ValueError, match=r"huge.xyz'.*atom\(s\) 0 \(H\), 1 \(H\) exceed 1e8"):
        read_structure(huge)
    with pytest.raises(ValueError, match="cell has entries beyond 1e8"):
        validate_positions(np.zeros((1, 3)), np.eye(3) * 1e9, pbc=True)
    validate_positions(np.array([[9e7, 0, 0], [0, 0, 0]]))  # a centimetre is still a coordinate
    none = tmp_path / "none.pdb"
    none.write_bytes(b"\x00")  # ASE reads it as a structure without atoms
    with pytest.raises(ValueError, match="none.pdb': it holds no atoms"):
        read_structure(none)
    cif = tmp_path / "square.cif"  # xyz text under a .cif name: ASE's reader fails without a message
    cif.write_text("1\n\nH 0 0 0\n")
    with pytest.raises(ValueError, match=r"square.cif' as cif: ASE's reader failed \(.*\); give the format"):
        read_structure(cif)


def test_an_unknown_format_name_suggests_ase_s(tmp_path):
    path = tmp_path / "s.xyz"
    write_structure(path, molecule("H2O"))
    with pytest.raises(ValueError, match="format='POSCAR' is not an ASE format .*did you mean vasp\\?"):
        read_structure(path, format="POSCAR")
    with pytest.raises(ValueError, match="format='exyz'.*did you mean .*extxyz"):
        read_structure(path, format="exyz")
    with pytest.raises(ValueError) as exc:
        read_structure(path, format="zzzz")
    assert "did you mean" not in str(exc.value) and len(str(exc.value)) < 300  # not the list of 100 formats
