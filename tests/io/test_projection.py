"""Point-cloud projection onto spherical harmonics (papers' Eq. 17) and its inverse."""

import math

import pytest
import torch

from curienn.io._projection import points_from_signal, project_point_cloud, project_vectors
from curienn.o3 import Irreps, rand_matrix, spherical_harmonics

TETRAHEDRON = [[1.0, 1.0, 1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]]
OCTAHEDRON = [[1.0, 0, 0], [-1.0, 0, 0], [0, 1.0, 0], [0, -1.0, 0], [0, 0, 1.0], [0, 0, -1.0]]


def _signal_at(c, lmax, x, normalization="integral"):
    return (spherical_harmonics(list(range(lmax + 1)), x, True, normalization=normalization) * c).sum(-1)


@pytest.mark.parametrize("normalization", ["integral", "component", "norm"])
def test_project_vectors_value_is_length(dtype, normalization):
    v = torch.randn(7, 3) * 2
    c = project_vectors(v, 5, normalization=normalization)
    assert c.shape == (7, 36)
    tol = 1e-4 if dtype == torch.float32 else 1e-10
    torch.testing.assert_close(_signal_at(c, 5, v, normalization), v.norm(dim=-1), atol=tol, rtol=tol)


def test_project_vectors_unscaled_is_eq17(dtype):
    # Eq. 17: F = |r| Y(r^), an independent evaluation through spherical_harmonics of l alone
    v = torch.randn(4, 3)
    c = project_vectors(v, 3, rescale=False)
    for l in range(4):
        expect = v.norm(dim=-1, keepdim=True) * spherical_harmonics(l, v, True)
        torch.testing.assert_close(c[:, l * l : (l + 1) ** 2], expect)


def test_zero_vector_gives_zero_signal(dtype):
    v = torch.zeros(2, 3, requires_grad=True)
    c = project_vectors(v, 4)
    assert torch.equal(c, torch.zeros(2, 25))
    c.sum().backward()
    assert torch.isfinite(v.grad).all()
    # and a zero vector inside a cloud is ignored
    cloud = torch.tensor(TETRAHEDRON + [[0.0, 0.0, 0.0]])
    torch.testing.assert_close(
        project_point_cloud(cloud, 4, origin=torch.zeros(3)), project_point_cloud(cloud[:4], 4, origin=torch.zeros(3))
    )


@pytest.mark.parametrize("rescale", [True, False])
def test_projection_equivariant(dtype, rescale):
    lmax = 4
    irreps = Irreps.spherical_harmonics(lmax)
    tol = 1e-4 if dtype == torch.float32 else 1e-9
    pts = torch.randn(5, 3)
    for R in [rand_matrix(dtype=dtype), -rand_matrix(dtype=dtype)]:
        D = irreps.D_from_matrix(R)
        torch.testing.assert_close(project_vectors(pts @ R.T, lmax, rescale=rescale), project_vectors(pts, lmax, rescale=rescale) @ D.T, atol=tol, rtol=tol)
        torch.testing.assert_close(
            project_point_cloud(pts @ R.T, lmax, rescale=rescale), D @ project_point_cloud(pts, lmax, rescale=rescale), atol=tol, rtol=tol
        )


def test_point_cloud_values_at_points(dtype):
    # rescaled: the signal at each point's direction is its distance from the origin
    pts = torch.tensor(TETRAHEDRON) * torch.tensor([[1.0], [2.0], [0.5], [1.5]])
    origin = torch.tensor([0.1, -0.2, 0.3])
    c = project_point_cloud(pts + origin, 6, origin=origin)
    tol = 1e-4 if dtype == torch.float32 else 1e-9
    torch.testing.assert_close(_signal_at(c, 6, pts), pts.norm(dim=-1), atol=tol, rtol=tol)
    # unscaled: the sum of the single-vector projections
    torch.testing.assert_close(
        project_point_cloud(pts + origin, 6, origin=origin, rescale=False), project_vectors(pts, 6, rescale=False).sum(0)
    )


def test_point_cloud_batched(dtype):
    pts = torch.randn(3, 4, 3)
    c = project_point_cloud(pts, 5)
    for b in range(3):
        torch.testing.assert_close(c[b], project_point_cloud(pts[b], 5), atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("shape,lmax", [(TETRAHEDRON, 4), (TETRAHEDRON, 6), (OCTAHEDRON, 4), (OCTAHEDRON, 6)])
def test_round_trip_polyhedra(dtype, shape, lmax):
    R = rand_matrix(dtype=dtype)
    verts = torch.tensor(shape) * 1.7 @ R.T
    edge = torch.pdist(verts).min()
    origin = torch.tensor([0.3, -1.0, 2.0])
    c = project_point_cloud(verts + origin, lmax)
    for n_points in [None, len(shape)]:
        got = points_from_signal(c, lmax, origin=origin, n_points=n_points)
        assert got.shape == verts.shape
        d = torch.cdist(verts + origin, got)
        # every vertex matched by a distinct recovered point
        assert d.argmin(dim=1).unique().numel() == len(shape)
        assert d.min(dim=1).values.max() < 0.05 * edge


def test_points_from_signal_batch_and_errors(dtype):
    c = project_point_cloud(torch.tensor([OCTAHEDRON, TETRAHEDRON[:3] + [[0.0, 0.0, 2.0]] * 3]), 5)
    out = points_from_signal(c, 5, n_points=6)
    assert isinstance(out, list) and len(out) == 2 and out[0].shape == (6, 3)
    with pytest.raises(ValueError, match="lmax"):
        project_vectors(torch.randn(3, 3), -1)
    with pytest.raises(ValueError, match="shape"):
        project_vectors(torch.randn(3, 2), 2)
    with pytest.raises(ValueError, match="normalization"):
        project_point_cloud(torch.randn(3, 3), 2, normalization="bad")
    with pytest.raises(ValueError, match="signal"):
        points_from_signal(torch.randn(10), 2)
    with pytest.raises(ValueError, match="non-finite"):
        project_vectors(torch.tensor([[math.nan, 0.0, 0.0]]), 2)
