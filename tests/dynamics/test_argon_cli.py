"""``curienn argon`` end to end on a tiny problem, and the figures."""

import json

import pytest
import torch

from curienn.cli import main


@pytest.fixture(autouse=True)
def _restore_threads():
    """The CLI sets the thread count (default 1) for the whole process."""
    old = torch.get_num_threads()
    yield
    torch.set_num_threads(old)


def test_data_train_md_report(tmp_path, capsys):
    data = str(tmp_path / "d.pt")
    ck = str(tmp_path / "m.pt")
    assert main(["argon", "data", "--configs", "300", "--out", data]) == 0
    common = ["--data", data, "--checkpoint", ck, "--widths", "6,8,4", "--quiet"]
    assert main(["argon", "train", *common, "--steps", "6", "--minutes", "0", "--eval-every", "3",
                 "--batch-size", "32"]) == 0
    out = capsys.readouterr().out
    assert "6 steps" in out and "test force RMSE" in out
    # resuming to a larger step budget continues from step 6
    assert main(["argon", "train", *common, "--steps", "9", "--minutes", "0", "--eval-every", "3",
                 "--batch-size", "32"]) == 0
    assert "9 steps" in capsys.readouterr().out
    assert torch.load(ck, weights_only=True)["step"] == 9
    assert main(["argon", "md", "--checkpoint", ck, "--md-steps", "20", "--samples", "2",
                 "--out", str(tmp_path / "md.npz")]) == 0
    assert "position RMSD" in capsys.readouterr().out
    rep = tmp_path / "rep"
    assert main(["argon", "report", "--data", data, "--widths", "6,8,4", "--steps", "4",
                 "--minutes", "0", "--eval-every", "2", "--md-steps", "200", "--samples", "2",
                 "--quiet", "--out", str(rep)]) == 0
    summary = json.loads((rep / "summary.json").read_text())
    assert summary["train_steps"] == 4 and summary["test_rmse"] > 0
    assert "position_rmsd_1000" not in summary and "md_region_rmse" in summary
    assert summary["reference_energy_drift"] < 1e-6
    for name in summary["figures"]:
        assert (rep / name).stat().st_size > 1000
    assert len(summary["figures"]) == 6


def test_cli_errors(tmp_path, capsys):
    assert main(["argon", "md", "--checkpoint", str(tmp_path / "none.pt")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["argon", "train", "--configs", "100", "--widths", "6,x,4", "--quiet"]) == 2
    assert "--widths" in capsys.readouterr().err
    assert main(["argon", "train", "--configs", "100", "--minutes", "0", "--quiet"]) == 2
    assert "--minutes" in capsys.readouterr().err
