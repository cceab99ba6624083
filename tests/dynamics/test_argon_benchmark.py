"""``benchmarks/argon.py``: the exponent fit and ``--evaluate CHECKPOINT`` on a tiny run."""

import importlib.util
import json
import math
import pathlib

import pytest

from curienn.cli import main as cli
from curienn.dynamics import force_rmse, load_checkpoint, load_model, make_argon_dataset

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("argon_benchmark", ROOT / "benchmarks" / "argon.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_curve_exponent_of_a_power_law(bench):
    curve = [(k, 60.0 * k, 0.02 * k ** -0.5) for k in range(1, 61)]  # rmse = 0.02 (t/60 s)^-0.5
    e = bench.curve_exponent(curve, start=0.0)
    assert e["alpha"] == pytest.approx(0.5, rel=1e-12) and e["points"] == 60
    # 0.02 (t/60)^-0.5 = 0.00118 at t = 60 (0.02/0.00118)^2 seconds
    assert e["minutes_to_paper"] == pytest.approx((0.02 / bench.PAPER_TEST_RMSE) ** 2, rel=1e-9)
    assert bench.curve_exponent([(1, 1.0, 0.1), (2, 2.0, 0.2)], start=0.0)["minutes_to_paper"] is None  # rising
    assert bench.curve_exponent([(1, 0.0, 0.1), (2, 0.0, 0.05)]) is None  # no two distinct times


def test_evaluate_a_saved_checkpoint(bench, tmp_path, capsys):
    ck, out = tmp_path / "m.pt", tmp_path / "out"
    assert cli(["argon", "train", "--configs", "300", "--widths", "6,8,4", "--steps", "6", "--minutes", "0",
                "--eval-every", "2", "--quiet", "--checkpoint", str(ck)]) == 0
    summary = bench.main(["--evaluate", str(ck), "--configs", "300", "--md-steps", "20", "--out", str(out),
                          "--quiet"])
    capsys.readouterr()
    data = make_argon_dataset(300)
    run = summary["runs"]["recipe"]
    assert run["test_rmse"] == pytest.approx(force_rmse(load_model(ck), data.positions[data.test],
                                                        data.forces[data.test]), rel=1e-12)
    hist = load_checkpoint(ck)["history"]
    assert [c[0] for c in run["curve"]] == [h["step"] for h in hist] == [2, 4, 6]
    assert run["steps"] == 6 and "validation" in run["label"]
    assert run["curve_exponent"] is None or math.isfinite(run["curve_exponent"]["alpha"])
    assert summary["md"]["md_steps"] == 20 and len(summary["md"]["position_rmsd_per_sample_20"]) == 10
    assert json.loads((out / "argon.json").read_text())["runs"]["recipe"]["steps"] == 6
    assert (out / "argon_curves.png").stat().st_size > 0
    # a checkpoint of another dataset is refused
    with pytest.raises(SystemExit, match="another dataset"):
        bench.main(["--evaluate", str(ck), "--configs", "200", "--md-steps", "0", "--out", str(out), "--quiet"])
