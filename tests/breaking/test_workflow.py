"""The public workflow of curienn.breaking: problem -> search -> report, the presets,
the two lmax, the stop callback and resuming, and the command line on POSCAR/.traj files."""

import json
import os

import ase.io
import numpy as np
import pytest
import torch
from ase import Atoms

from curienn import cli
from curienn.breaking import (
    PRESETS,
    SQUARE_MODEL,
    ModelOptions,
    OrderParameterProblem,
    SearchConfig,
    SearchInterrupted,
    interpret,
    search,
)

SMALL = ModelOptions(mul=2, hidden_lmax=2, edge_lmax=2, radial_neurons=8)


def _square(**kw):
    return OrderParameterProblem.square_to_rectangle(model=SMALL, irreps="1e+2e", max_model_steps=3,
                                                     joint_steps=4, lr_op=1e-2, **kw)


def test_square_preset_is_the_main_job_and_reproduction_4():
    p = OrderParameterProblem.square_to_rectangle()
    assert p.where == "global" and p.encoding == "projection" and p.encoding_lmax == 5
    assert p.target_irreps == "1x0e+1x1o+1x2e+1x3o+1x4e+1x5o" and p.positions.shape == (4, 3)
    assert p.config.model == SQUARE_MODEL and p.config.min_model_steps == 30
    assert {k: getattr(p.config, k) for k in PRESETS["square"] if k != "min_model_steps"} == \
        {k: v for k, v in PRESETS["square"].items() if k != "min_model_steps"}
    assert p.floor["ratio"] == pytest.approx(21 / 36)
    # reproduction 4 runs exactly this configuration (so their checkpoints are interchangeable)
    assert OrderParameterProblem.square_to_rectangle(seed=3).config.to_dict() == \
        SearchConfig(**{**PRESETS["square"], "model": SQUARE_MODEL, "seed": 3}).to_dict()


def test_encoding_lmax_and_model_lmax_are_separate():
    p = OrderParameterProblem.square_to_rectangle(encoding_lmax=3, model_lmax=2)
    assert p.target_irreps == "1x0e+1x1o+1x2e+1x3o" and p.target.shape == (4, 16)
    assert (p.config.model.hidden_lmax, p.config.model.edge_lmax) == (2, 2)
    p = OrderParameterProblem.square_to_rectangle(encoding_lmax=2)
    assert p.config.model.hidden_lmax == 5  # the model keeps the preset's lmax
    with pytest.raises(ValueError, match="model_lmax"):
        OrderParameterProblem.square_to_rectangle(model_lmax=-1)


def test_settings_are_checked_by_name():
    with pytest.raises(ValueError, match=r"unknown search setting\(s\) \['stepz'\]"):
        OrderParameterProblem.square_to_rectangle(stepz=3)
    with pytest.raises(ValueError, match="loss must be one of"):
        OrderParameterProblem.square_to_rectangle(loss="huber")
    assert OrderParameterProblem.square_to_rectangle(max_model_steps=7).config.min_model_steps == 7


def test_problem_search_report(tmp_path):
    problem = _square()
    result = search(problem, progress=False)
    assert result.parent_group.name == "D4h"
    report = interpret(problem, result, settings={"note": "test"})
    assert report.interpretation["parent_group"] == "D4h"
    assert "parent group D4h" in report.summary() and "Curie floor" in report.summary()
    drawn = []

    def figures(rep, outdir):
        drawn.append(rep)
        path = os.path.join(outdir, "figure.txt")
        open(path, "w").write("x")
        return [path]

    paths = report.write(str(tmp_path / "out"), figures=figures)
    assert [os.path.basename(p) for p in paths] == ["report.json", "report.md", "figure.txt"] and drawn == [report]
    d = json.loads((tmp_path / "out" / "report.json").read_text())
    assert d["args"] == {"note": "test"} and d["problem"]["encoding_lmax"] == 5
    assert d["result"]["fit"]["steps"] == result.fit["steps"] and d["conventions"]
    assert "# Order-parameter search: square -> rectangle" in (tmp_path / "out" / "report.md").read_text()


def test_callback_stops_with_a_checkpoint_and_resume_finishes_the_same_run(tmp_path):
    ref = search(_square(), progress=False)
    ckpt = str(tmp_path / "ck.pt")
    seen = []

    def stop_at_5(info):
        seen.append(info)
        return info["step"] == 5

    with pytest.raises(SearchInterrupted, match="after step 5") as exc:
        search(_square(), progress=False, checkpoint=ckpt, checkpoint_every=1e9, callback=stop_at_5)
    assert exc.value.checkpoint == ckpt and exc.value.step == 5
    assert [s["step"] for s in seen] == [1, 2, 3, 4, 5] and seen[0]["total"] == 7
    assert torch.load(ckpt, weights_only=True)["scalars"]["step"] == 5
    resumed = search(_square(), progress=False, checkpoint=ckpt, resume=True)
    assert [h["loss"] for h in resumed.history] == pytest.approx([h["loss"] for h in ref.history], rel=1e-10)
    assert np.allclose(resumed.values, ref.values, atol=1e-12)


def test_from_structures_takes_matched_displacements():
    parent = Atoms("H4", positions=[[0.5, 0, 0.5], [0.5, 0, -0.5], [-0.5, 0, -0.5], [-0.5, 0, 0.5]])
    child = parent.copy()
    child.positions *= [1.5, 1.0, 0.5]
    a = OrderParameterProblem.from_structures(parent, child)
    assert a.where == "site" and a.config.l_penalty == PRESETS["finite"]["l_penalty"]
    assert a.config.model.max_radius == pytest.approx(1.05 * np.sqrt(2))  # 1.05 x the diameter
    # a structure matcher may pair the atoms itself: its displacements are used as given
    b = OrderParameterProblem.from_structures(parent, child[[1, 0, 2, 3]], displacements=a.displacements)
    assert np.allclose(b.target, a.target) and b.floor["ratio"] == pytest.approx(a.floor["ratio"])
    with pytest.raises(ValueError, match=r"displacements must have shape \(4, 3\)"):
        OrderParameterProblem.from_structures(parent, child, displacements=np.zeros((3, 3)))
    with pytest.raises(FileNotFoundError, match="nope.cif"):
        OrderParameterProblem.from_structures("nope.cif", child)


def _polar_perovskite():
    a = 3.9
    parent = Atoms("BaTiO3", scaled_positions=[[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5],
                                                [0, 0.5, 0.5]], cell=[a, a, a], pbc=True)
    child = parent.copy()
    child.positions[1] += [0, 0, 0.1]  # Ti off centre: cubic -> tetragonal polar
    return parent, child


def test_command_line_reads_poscar_and_traj(tmp_path, capsys):
    """The order-parameter command reads any ASE format (it refused POSCAR and .traj before)."""
    parent, child = _polar_perovskite()
    p, c = tmp_path / "POSCAR", tmp_path / "child.traj"
    ase.io.write(str(p), parent, format="vasp")
    ase.io.write(str(c), [parent, child])  # two frames: the last is read
    out = tmp_path / "out"
    rc = cli.main(["order-parameter", "--input", str(p), "--target", str(c), "--irreps", "1o", "--model-steps",
                   "1", "--steps", "2", "--encoding-lmax", "3", "--model-lmax", "1", "--out", str(out),
                   "--no-progress", "--no-figures"])
    assert rc == 0, capsys.readouterr().err
    rep = json.loads((out / "report.json").read_text())
    assert rep["problem"]["num_points"] == 5 and rep["problem"]["periodic"]
    assert rep["result"]["config"]["model"]["hidden_lmax"] == 1 and rep["args"]["encoding_lmax"] == 3
    assert rep["interpretation"]["input_space_group"].endswith("(221)")
    assert rep["interpretation"]["target_space_group"].endswith("(99)")  # P4mm
    # --index picks the frame of both files; one out of range says how many there are
    assert cli.main(["order-parameter", "--input", str(p), "--target", str(c), "--index", "5",
                     "--out", str(tmp_path / "out5")]) == 2
    assert "POSCAR' has 1 frame; index=5 is out of range" in capsys.readouterr().err


def test_deprecated_lmax_sets_both(tmp_path, capsys):
    out = tmp_path / "o"
    assert cli.main(["order-parameter", "--lmax", "2", "--model-steps", "1", "--steps", "1", "--irreps", "2e",
                     "--out", str(out), "--no-progress", "--no-figures"]) == 0
    assert "--lmax is deprecated" in capsys.readouterr().err
    rep = json.loads((out / "report.json").read_text())
    assert rep["result"]["target_irreps"] == "1x0e+1x1o+1x2e" and rep["result"]["config"]["model"]["hidden_lmax"] == 2


def test_bad_step_counts_are_refused_by_the_parser(capsys):
    assert cli.main(["order-parameter", "--steps", "-1"]) == 2
    assert "argument --steps: must be an integer >= 0, got -1" in capsys.readouterr().err
