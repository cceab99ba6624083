"""Figures of spherical-harmonic signals: geometry of the surface and non-empty PNGs."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from curienn.io._projection import project_point_cloud  # noqa: E402
from curienn.o3 import spherical_harmonics  # noqa: E402
from curienn.plot import plot_point_signals, plot_signal, signal_surface  # noqa: E402

TETRAHEDRON = torch.tensor([[1.0, 1.0, 1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]])


def _is_png(path):
    data = path.read_bytes()
    return len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n"


def test_surface_radius_is_abs_signal():
    c = torch.randn(16, dtype=torch.float64)
    pts, f = signal_surface(c, 3, res=10, center=(1.0, 2.0, 3.0), scale=0.5)
    assert pts.shape == (11, 21, 3) and f.shape == (11, 21)
    rel = pts - torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    torch.testing.assert_close(rel.norm(dim=-1), 0.5 * f.abs())
    # f is the signal in the direction of each surface point (independent evaluation)
    mask = f.abs() > 1e-6
    expect = spherical_harmonics([0, 1, 2, 3], rel[mask], True, normalization="integral") @ c
    torch.testing.assert_close(f[mask], expect)
    # a constant signal is the unit sphere
    pts, f = signal_surface(torch.tensor([math.sqrt(4 * math.pi)]), "0e", res=8)
    torch.testing.assert_close(pts.norm(dim=-1), torch.ones(9, 17, dtype=torch.float64))


def test_plot_signal_png(tmp_path):
    c = project_point_cloud(TETRAHEDRON, 5)
    path = tmp_path / "tet.png"
    ax = plot_signal(c, 5, res=20, title="tetrahedron", path=str(path), dpi=40)
    assert _is_png(path)
    assert len(ax.collections) == 1
    # the lobes reach the vertices: the axis limits cover them
    assert ax.get_xlim()[1] >= 1.0
    plt.close(ax.figure)


def test_plot_point_signals_png(tmp_path):
    signals = torch.stack([project_point_cloud(TETRAHEDRON, 3, origin=p) for p in TETRAHEDRON])
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    out = plot_point_signals(TETRAHEDRON, signals, "0e+1o+2e+3o", ax=ax, res=10, edges=True)
    assert out is ax and len(ax.collections) == 5  # four surfaces and the points
    path = tmp_path / "points.png"
    fig.savefig(path, dpi=40)
    assert _is_png(path)
    plt.close(fig)


def test_bad_arguments():
    with pytest.raises(ValueError, match="dimension"):
        signal_surface(torch.randn(10), 2)
    with pytest.raises(ValueError, match="3D"):
        fig, ax = plt.subplots()
        plot_signal(torch.randn(4), 1, ax=ax)
    plt.close("all")
    with pytest.raises(ValueError, match="signals"):
        plot_point_signals(torch.randn(3, 3), torch.randn(2, 4), 1)
    with pytest.raises(ValueError, match="non-finite"):
        signal_surface(torch.tensor([float("nan")]), 0)
