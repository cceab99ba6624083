"""The random-network demonstration of Curie's principle (review Fig. 2C)."""

import numpy as np
import pytest
import torch

from curienn.symmetry import point_group, symmetry_of_signals
from curienn.breaking import DEMO_SHAPES, random_network_demo



@pytest.mark.parametrize("shape, group, order", [("tetrahedron", "Td", 24), ("octahedron", "Oh", 48)])
def test_random_networks_obey_curie(shape, group, order):
    demo = random_network_demo(shape, n_networks=20, lmax=4, seed=0)
    assert demo.input_group.name == group
    assert len(demo.results) == 20
    assert len({r.seed for r in demo.results}) == 20
    # the networks really differ
    assert not np.allclose(demo.results[0].output, demo.results[1].output)
    for r in demo.results:
        assert r.holds, r.output_group.name
        assert demo.input_group.is_subgroup_of(r.output_group)
        assert len(r.output_group) >= order
        assert r.output.shape == (len(demo.points), 25)
        # signals of every degree are present (the check is not on zeros)
        assert np.abs(r.output[:, 9:]).max() > 1e-6 * np.abs(r.output).max()
    assert demo.all_hold
    assert "Curie" in demo.table() and group in demo.table()


def test_lower_symmetry_input_drops_output_group():
    points = DEMO_SHAPES["tetrahedron"].copy()
    points[0] *= 1.3  # stretch one vertex outward: Td -> C3v
    demo = random_network_demo(points, n_networks=3, lmax=3, seed=7)
    assert demo.input_group.name == "C3v"
    for r in demo.results:
        assert demo.input_group.is_subgroup_of(r.output_group)
        assert r.output_group.name != "Td"  # dropped with the input
        assert len(r.output_group) < 24
    assert demo.all_hold


def test_species_lower_the_input_group():
    demo = random_network_demo("tetrahedron", n_networks=2, lmax=2, species=["A", "B", "B", "B"])
    assert demo.input_group.name == "C3v"
    assert all(r.holds for r in demo.results)
    assert all(r.output_group.name == "C3v" for r in demo.results)


def test_non_equivariant_signals_break_the_check():
    """Random (non-equivariant) signals on a tetrahedron lose the symmetry:
    the comparison the demo relies on can fail."""
    points = DEMO_SHAPES["tetrahedron"]
    signals = np.random.default_rng(0).normal(size=(4, 9))
    g_out = symmetry_of_signals(points, signals, "0e+1o+2e", tol=1e-6, signal_tol=1e-6)
    assert g_out.name == "C1"
    assert not point_group(points, tol=1e-6).is_subgroup_of(g_out)


def test_global_rng_untouched():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    random_network_demo("tetrahedron", n_networks=1, lmax=1)
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_default_dtype() == torch.float32


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(shape="icosahedron"), "shape"),
        (dict(shape=np.zeros((3, 2))), "shape"),
        (dict(n_networks=0), "n_networks"),
        (dict(lmax=9), "lmax"),
        (dict(tol=0.0), "tol"),
        (dict(species=["A"]), "species"),
        (dict(shape=np.zeros((3, 3))), "coincide"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        random_network_demo(**kwargs)
