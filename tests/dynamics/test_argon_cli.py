"""``curienn argon`` end to end on a tiny problem, the figures, and every bad input
(issue #14): one clear line on stderr, exit status 2, nothing overwritten."""

import json
import os
import re

import pytest
import torch

from curienn.cli import build_parser, main
from curienn.dynamics import TrainConfig, load_checkpoint

TINY = ["--widths", "6,8,4", "--quiet", "--eval-every", "3", "--batch-size", "32"]


@pytest.fixture(autouse=True)
def _restore_threads():
    """The CLI sets the thread count (default 1) for the whole process."""
    old = torch.get_num_threads()
    yield
    torch.set_num_threads(old)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A tiny dataset and a checkpoint trained on it."""
    d = tmp_path_factory.mktemp("argon")
    data, ck = str(d / "d.pt"), str(d / "m.pt")
    assert main(["argon", "data", "--configs", "300", "--out", data]) == 0
    assert main(["argon", "train", "--data", data, "--checkpoint", ck, *TINY, "--steps", "6", "--minutes", "0"]) == 0
    return {"data": data, "ck": ck, "dir": d}


def _error(capsys, *needles) -> str:
    """The command's stderr: one line, no traceback, containing each needle."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def test_data_train_md_report(tmp_path, capsys, files):
    data, ck = files["data"], str(tmp_path / "m.pt")
    common = ["--data", data, "--checkpoint", ck, *TINY, "--minutes", "0"]
    assert main(["argon", "train", *common, "--steps", "6"]) == 0
    out = capsys.readouterr().out
    assert "6 steps" in out and "test force RMSE" in out
    # resuming to a larger step budget continues from step 6
    assert main(["argon", "train", *common, "--steps", "9", "--resume"]) == 0
    assert "9 steps" in capsys.readouterr().out
    assert torch.load(ck, weights_only=True)["step"] == 9
    md = tmp_path / "md"
    assert main(["argon", "md", "--checkpoint", ck, "--md-steps", "20", "--samples", "2", "--out", str(md),
                 "--quiet"]) == 0
    assert "position RMSD" in capsys.readouterr().out
    summary = json.loads((md / "md_summary.json").read_text())
    assert len(summary["position_rmsd_per_sample_20"]) == len(summary["energy_drift_per_sample"]) == 2
    assert summary["reference_energy_drift"] < 1e-8 and (md / "md.npz").stat().st_size > 1000
    assert all((md / f).stat().st_size > 1000 for f in summary["figures"])
    rep = tmp_path / "rep"
    assert main(["argon", "report", "--data", data, *TINY, "--steps", "4", "--minutes", "0",
                 "--md-steps", "200", "--samples", "2", "--out", str(rep)]) == 0
    summary = json.loads((rep / "summary.json").read_text())
    assert summary["train_steps"] == 4 and summary["test_rmse"] > 0
    assert "position_rmsd_1000" not in summary and "md_region_rmse" in summary
    assert len(summary["position_rmsd_per_sample_100"]) == 2
    assert summary["reference_energy_drift"] < 1e-6
    for name in summary["figures"]:
        assert (rep / name).stat().st_size > 1000
    assert len(summary["figures"]) == 6


def test_help_states_the_recipe_defaults():
    """The defaults in ``argon train --help`` are TrainConfig's (the CLI passes None through)."""
    argon = build_parser()._subparsers._group_actions[0].choices["argon"]
    train = argon._subparsers._group_actions[0].choices["train"]
    c = TrainConfig()
    fields = {"optimizer": c.optimizer, "batch_size": c.batch_size, "batch_size_final": c.batch_size_final or 0,
              "lr": c.lr, "lr_final": c.lr_final, "schedule": c.schedule, "warmup": c.warmup,
              "patience": c.patience, "dtype": c.dtype, "residue": c.a, "eval_every": c.eval_every,
              "sampling": c.sampling, "loss": c.loss,
              "widths": ",".join(map(str, c.widths))}
    seen = set()
    for action in train._actions:
        if action.dest in fields:
            assert action.default is None, action.dest
            stated = re.search(r"default (?:the paper's )?([^ ;):]+)", action.help).group(1)
            want = fields[action.dest]
            assert (float(stated) == want) if isinstance(want, (int, float)) else stated == want, action.dest
            seen.add(action.dest)
    assert seen == set(fields)


def test_bad_files_one_line_exit_2(tmp_path, capsys, files):
    text = tmp_path / "notastructure.txt"
    text.write_text("this is not a checkpoint\n")
    cut = tmp_path / "cut.pt"
    cut.write_bytes(open(files["ck"], "rb").read()[:2000])
    for bad, what in ((text, "not a curienn 'argon-checkpoint' file"), (cut, "not a curienn 'argon-checkpoint'"),
                      (files["data"], "is a curienn 'argon-dataset' file, not a 'argon-checkpoint' file"),
                      (tmp_path / "none.pt", "does not exist")):
        assert main(["argon", "md", "--checkpoint", str(bad), "--out", str(tmp_path / "md")]) == 2
        _error(capsys, str(bad), what)
    for bad, what in ((files["ck"], "is a curienn 'argon-checkpoint' file, not a 'argon-dataset' file"),
                      (text, "not a curienn 'argon-dataset' file"), (tmp_path / "none.pt", "does not exist")):
        assert main(["argon", "train", "--data", str(bad), "--checkpoint", str(tmp_path / "x.pt"), *TINY,
                     "--steps", "2"]) == 2
        _error(capsys, str(bad), what)
    # a damaged checkpoint given to --resume or --init
    ck = tmp_path / "damaged.pt"
    ck.write_bytes(cut.read_bytes())
    assert main(["argon", "train", "--data", files["data"], "--checkpoint", str(ck), "--resume", *TINY,
                 "--steps", "2"]) == 2
    _error(capsys, str(ck), "cannot be read")
    assert main(["argon", "train", "--data", files["data"], "--init", str(text), "--checkpoint",
                 str(tmp_path / "y.pt"), *TINY, "--steps", "2"]) == 2
    _error(capsys, str(text))
    assert not (tmp_path / "x.pt").exists() and not (tmp_path / "md").exists()


def test_bad_flags_one_line_exit_2(tmp_path, capsys, files):
    base = ["argon", "train", "--data", files["data"], "--checkpoint", str(tmp_path / "c.pt"), "--quiet"]
    for extra, needles in (
        (["--device", "cuda", "--steps", "2"], ("'cuda'", "available: cpu")),
        (["--device", "gpu", "--steps", "2"], ("'gpu'", "available: cpu")),
        (["--widths", "6,x,4", "--steps", "2"], ("--widths",)),
        (["--minutes", "0"], ("--minutes",)),
        (["--warmup", "1.5", "--steps", "2"], ("warmup", "1.5")),
        (["--resume", "--overwrite", "--steps", "2"], ("--resume", "--overwrite")),
        (["--threads", "0", "--steps", "2"], ("--threads",)),
    ):
        assert main([*base, *extra]) == 2, extra
        _error(capsys, *needles)
    assert main(["argon", "md", "--checkpoint", files["ck"], "--device", "cuda:3", "--out", str(tmp_path / "m")]) == 2
    _error(capsys, "'cuda:3'", "available: cpu")
    assert not (tmp_path / "c.pt").exists()


def test_runs_never_mix(tmp_path, capsys, files):
    data, ck = files["data"], str(tmp_path / "m.pt")
    common = ["--data", data, "--checkpoint", ck, *TINY, "--minutes", "0"]
    # --resume without a checkpoint says it starts fresh
    assert main(["argon", "train", *common, "--steps", "3", "--resume"]) == 0
    assert f"no checkpoint at {ck}; starting fresh" in capsys.readouterr().err
    before = open(ck, "rb").read()
    # a second run into the same checkpoint is refused, the file untouched
    assert main(["argon", "train", *common, "--steps", "5"]) == 2
    _error(capsys, ck, "already exists", "--resume", "--overwrite")
    assert open(ck, "rb").read() == before
    assert main(["argon", "train", *common, "--steps", "2", "--overwrite"]) == 0
    assert load_checkpoint(ck)["step"] == 2
    # resuming on another dataset is refused unless asked for
    assert main(["argon", "train", *common[2:], "--configs", "200", "--seed", "3", "--checkpoint", ck,
                 "--steps", "4", "--resume"]) == 2
    _error(capsys, "another dataset", "n=300, seed=0", "n=200, seed=3", "--allow-other-data")
    assert main(["argon", "train", *common[2:], "--configs", "200", "--seed", "3", "--checkpoint", ck,
                 "--steps", "4", "--resume", "--allow-other-data"]) == 0
    capsys.readouterr()
    # polishing with another optimizer: --resume is refused with the way to do it, --init does it
    assert main(["argon", "train", *common, "--steps", "6", "--resume", "--optimizer", "fire"]) == 2
    _error(capsys, "'adam' run", "--init")
    polish = str(tmp_path / "fire.pt")
    assert main(["argon", "train", "--data", data, "--init", ck, "--optimizer", "fire", "--checkpoint", polish,
                 "--steps", "3", "--minutes", "0", "--quiet"]) == 0
    assert load_checkpoint(polish)["config"]["optimizer"] == "fire"
    assert load_checkpoint(polish)["config"]["batch_size"] == 0  # the paper's full batch
    capsys.readouterr()
    # md, data and report outputs are not overwritten either
    md = str(tmp_path / "md")
    args = ["argon", "md", "--checkpoint", ck, "--md-steps", "5", "--samples", "1", "--out", md, "--quiet"]
    assert main(args) == 0
    assert main(args) == 2
    _error(capsys, "md.npz", "holds files of an earlier run", "--overwrite")
    assert main([*args, "--overwrite"]) == 0
    assert main(["argon", "data", "--configs", "50", "--out", data]) == 2
    _error(capsys, os.path.basename(data), "holds files of an earlier run", "--overwrite")
    rep = tmp_path / "rep"
    rep.mkdir()
    (rep / "summary.json").write_text("{}")
    (rep / "notes.txt").write_text("mine")
    assert main(["argon", "report", "--data", data, "--out", str(rep), *TINY, "--steps", "1"]) == 2
    _error(capsys, str(rep), "summary.json", "--overwrite")
    assert main(["argon", "report", "--data", data, "--out", str(rep), *TINY, "--steps", "1", "--md-steps", "0",
                 "--overwrite", "--quiet"]) == 0
    assert (rep / "notes.txt").read_text() == "mine"  # --overwrite replaces the report's files only


def test_ramp_and_full_batch_flags(tmp_path, files):
    ck = str(tmp_path / "r.pt")
    assert main(["argon", "train", "--data", files["data"], "--checkpoint", ck, "--widths", "6,8,4", "--quiet",
                 "--batch-size", "16", "--batch-size-final", "64", "--steps", "8", "--minutes", "0",
                 "--eval-every", "2"]) == 0
    ck_ = load_checkpoint(ck)
    assert (ck_["config"]["batch_size"], ck_["config"]["batch_size_final"]) == (16, 64)
    assert [h["batch_size"] for h in ck_["history"]] == [16, 32, 32, 64]  # thirds of the 8 steps
    assert main(["argon", "train", "--data", files["data"], "--checkpoint", ck, "--widths", "6,8,4", "--quiet",
                 "--batch-size", "0", "--batch-size-final", "64", "--steps", "2", "--minutes", "0",
                 "--overwrite"]) == 0
    assert load_checkpoint(ck)["history"][-1]["batch_size"] == 180  # the whole training split
