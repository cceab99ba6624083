"""The argon figures: public names, files written, bad input."""

import numpy as np
import pytest

import curienn.plot as cplot
from curienn.dynamics import run_samples


def test_public_names():
    for name in ("plot_argon_report", "plot_md_report", "plot_rmse_curves", "plot_position_rmsd"):
        assert name in cplot.__all__ and callable(getattr(cplot, name))


def test_rmse_curves_and_md_report(tmp_path):
    import matplotlib.pyplot as plt

    curves = {"recipe": [(0, 0.0, 0.13), (100, 10.0, 0.05), (1000, 60.0, 0.01)], "adam": [(50, 5.0, 0.08)]}
    fig = cplot.plot_rmse_curves(curves, tmp_path / "c.png")
    a1, a2 = fig.axes
    assert [ln.get_label() for ln in a1.get_lines()][:2] == ["recipe", "adam"]
    np.testing.assert_allclose(a1.get_lines()[0].get_xdata(), [0, 10 / 60, 1])  # minutes
    np.testing.assert_allclose(a2.get_lines()[0].get_xdata(), [1, 100, 1000])  # steps (0 shown at 1)
    assert a1.get_yscale() == "log" and (tmp_path / "c.png").stat().st_size > 1000
    plt.close(fig)
    with pytest.raises(ValueError, match="no curves"):
        cplot.plot_rmse_curves({})
    ref = run_samples(None, n_steps=30, seeds=(1, 2))
    names = cplot.plot_md_report(tmp_path / "md", ref, ref)
    assert sorted(names) == sorted(["position_rmsd.png", "atom1_x.png", "energy_rmsd.png", "sample1_energy.png"])
    assert all((tmp_path / "md" / n).stat().st_size > 1000 for n in names)
