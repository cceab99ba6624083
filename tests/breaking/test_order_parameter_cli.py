"""``curienn order-parameter``: the main job, files, errors, checkpoints."""

import json
import os

import numpy as np

from curienn import cli

FOUR = ["2e m=2", "3e m=-2", "4e m=2", "5e m=-2"]


def test_main_job_is_the_order_parameter_search():
    assert cli.MAIN_JOB == "order-parameter"
    assert "order_parameter" in cli._COMMANDS


def test_main_job_with_no_arguments(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    for name in FOUR:
        assert name in out
    assert "B1g" in out
    rep = json.loads((tmp_path / "order-parameter-out" / "report.json").read_text())
    assert [c["component"] for c in rep["result"]["components"]] == FOUR
    assert {c["parent_irrep"] for c in rep["interpretation"]["components"]} == {"B1g"}
    assert rep["interpretation"]["parent_group"] == "D4h"
    for f in ("report.md", "loss.png", "components.png", "evolution.png", "checkpoint.pt"):
        assert (tmp_path / "order-parameter-out" / f).stat().st_size > 0
    assert "B1g" in (tmp_path / "order-parameter-out" / "report.md").read_text()


def test_resume_and_configuration_check(tmp_path, capsys):
    out = str(tmp_path / "run")
    args = ["order-parameter", "--model-steps", "3", "--steps", "2", "--out", out, "--no-progress", "--no-figures"]
    assert cli.main(args) == 0
    first = json.loads(open(os.path.join(out, "report.json")).read())
    # resuming a finished run reloads it: same history, same values, no new steps
    assert cli.main(args + ["--resume"]) == 0
    second = json.loads(open(os.path.join(out, "report.json")).read())
    assert second["result"]["history"] == first["result"]["history"]
    assert np.allclose(second["result"]["values"], first["result"]["values"])
    # a different configuration refuses the checkpoint
    assert cli.main(args + ["--resume", "--seed", "1"]) == 2
    assert "different configuration" in capsys.readouterr().err


def _write_perovskites(tmp_path):
    from curienn.io._perovskite import glazer_perovskite

    parent, _ = glazer_perovskite("a0a0a0", 0)
    child, _ = glazer_perovskite("a+b-b-", (10, 8, 8))
    p, c = tmp_path / "parent.extxyz", tmp_path / "child.extxyz"
    parent.write(str(p))
    child.write(str(c))
    return parent, child, str(p), str(c)


def test_files_mode_on_a_perovskite(tmp_path, capsys):
    _, _, p, c = _write_perovskites(tmp_path)
    out = str(tmp_path / "pv")
    rc = cli.main(["order-parameter", "--input", p, "--target", c, "--sites", "Ti", "--irreps", "1e",
                   "--model-steps", "2", "--steps", "25", "--out", out, "--no-progress"])
    assert rc == 0
    rep = json.loads(open(os.path.join(out, "report.json")).read())
    assert rep["result"]["layout"]["group_of"].count(-1) == 32  # only the 8 Ti sites
    t = rep["interpretation"]["tilts"]
    assert t["glazer"] == "a+b-b-" and t["irreps"] == "M3+ ⊕ R4+"
    assert t["space_group_of_applied_pattern"] == 62
    assert rep["interpretation"]["target_space_group"].endswith("(62)")
    modes = {r["label"]: r["amplitude"] for r in rep["interpretation"]["order_parameter_modes"]["modes"]
             if r["field"] == "1e"}
    assert {"M3+", "R4+"} <= set(modes)  # the tilts live at M and R
    assert all(modes[k] < 0.1 * min(modes["M3+"], modes["R4+"]) for k in modes if k[0] in "GX")
    assert os.path.exists(os.path.join(out, "pseudovectors.png"))
    assert "Glazer" in capsys.readouterr().out


def test_file_errors_say_what_differs(tmp_path, capsys):
    parent, child, p, c = _write_perovskites(tmp_path)
    small = tmp_path / "small.extxyz"
    parent[:5].write(str(small))
    assert cli.main(["order-parameter", "--input", str(small), "--target", c, "--out", str(tmp_path / "x")]) == 2
    assert "incompatible compositions" in capsys.readouterr().err
    # a species moved to another atom's site: no mapping keeps the displacements small
    swapped = child.copy()
    sym = swapped.get_chemical_symbols()
    sym[0], sym[8] = sym[8], sym[0]
    swapped.set_chemical_symbols(sym)
    s = tmp_path / "swapped.extxyz"
    swapped.write(str(s))
    assert cli.main(["order-parameter", "--input", p, "--target", str(s), "--out", str(tmp_path / "x")]) == 2
    assert "keeps every displacement below max_displacement" in capsys.readouterr().err
    # cells
    big = child.copy()
    big.set_cell(big.cell[:] * 1.3, scale_atoms=True)
    b = tmp_path / "big.extxyz"
    big.write(str(b))
    assert cli.main(["order-parameter", "--input", p, "--target", str(b), "--out", str(tmp_path / "x")]) == 2
    assert "strain beyond length_tol" in capsys.readouterr().err
    # one file only, and a missing file
    assert cli.main(["order-parameter", "--input", p, "--out", str(tmp_path / "x")]) == 2
    assert "both --input" in capsys.readouterr().err
    assert cli.main(["order-parameter", "--input", p, "--target", str(tmp_path / "nope.cif"),
                     "--out", str(tmp_path / "x")]) == 2
    assert "does not exist" in capsys.readouterr().err
