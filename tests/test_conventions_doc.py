"""docs/conventions.md says only true things (checked here numerically, against
e3nn) and its changelog exists (issue 14)."""

import math
import re
from pathlib import Path

import pytest
import torch

import curienn
from curienn import o3

ROOT = Path(__file__).resolve().parents[1]
CONVENTIONS = (ROOT / "docs" / "conventions.md").read_text()
CHANGELOG = ROOT / "CHANGELOG.md"

#: the constant of Y^1 per normalization, the gradient at 0 is it over normalize's eps (1e-12)
C1 = {"integral": math.sqrt(3 / (4 * math.pi)), "component": math.sqrt(3), "norm": 1.0}


@pytest.mark.parametrize("normalization", list(C1))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_zero_vector_values_and_gradient(normalization, dtype):
    import e3nn.o3

    grads = []
    for lib in (o3, e3nn.o3):
        x = torch.zeros(2, 3, dtype=dtype, requires_grad=True)
        y = lib.spherical_harmonics([0, 1, 2, 3], x, normalize=True, normalization=normalization)
        assert torch.isfinite(y).all() and (y[:, 1:] == 0).all()  # Y^l = 0 for l >= 1, never NaN
        (g,) = torch.autograd.grad(y.sum(), x)
        grads.append(g)
    ours, theirs = grads
    assert torch.isfinite(ours).all()
    assert torch.allclose(ours, torch.full_like(ours, C1[normalization] * 1e12), rtol=1e-6)  # finite, but huge
    assert torch.allclose(ours, theirs, rtol=1e-6)  # as in e3nn
    # without normalize the gradient at 0 is of order 1
    x = torch.zeros(3, dtype=dtype, requires_grad=True)
    (g,) = torch.autograd.grad(o3.spherical_harmonics([1, 2], x, False, normalization).sum(), x)
    assert torch.allclose(g, torch.full_like(g, C1[normalization]))


def test_the_page_quotes_the_numbers_it_checks():
    assert "4.9 × 10¹¹" in CONVENTIONS and f"{C1['integral'] * 1e12:.2g}" == "4.9e+11"
    assert "1.7 × 10¹²" in CONVENTIONS and f"{C1['component'] * 1e12:.2g}" == "1.7e+12"
    assert "a finite gradient" not in CONVENTIONS  # the old half-truth
    assert f"`{curienn.CONVENTIONS_VERSION}`" in CONVENTIONS


def test_other_stated_conventions():
    R = o3.rand_matrix(dtype=torch.float64)
    assert torch.allclose(o3.wigner_D(1, *o3.matrix_to_angles(R)), R)  # D^1(R) = R
    assert torch.allclose(o3.wigner_3j(1, 1, 0, dtype=torch.float64)[..., 0], torch.eye(3, dtype=torch.float64) / 3**0.5)
    eps = torch.zeros(3, 3, 3, dtype=torch.float64)
    for (i, j, k), s in {(0, 1, 2): 1, (1, 2, 0): 1, (2, 0, 1): 1, (1, 0, 2): -1, (2, 1, 0): -1, (0, 2, 1): -1}.items():
        eps[i, j, k] = s
    assert torch.allclose(o3.wigner_3j(1, 1, 1, dtype=torch.float64), eps / 6**0.5)


def test_the_changelog_exists_and_keeps_its_convention_policy():
    assert "[CHANGELOG.md](../CHANGELOG.md)" in CONVENTIONS
    text = CHANGELOG.read_text()
    assert "Keep a Changelog" in text and "## [Unreleased]" in text
    assert "### Convention change" in text and curienn.CONVENTIONS_VERSION in text
    releases = re.findall(r"^## \[(.+?)\]", text, flags=re.M)
    assert releases[0] == "Unreleased" and curienn.__version__ in releases
    # a release with a convention change must name the new CONVENTIONS_VERSION
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        if "\n### Convention change" in block:
            assert re.search(r"curienn-\d+/e3nn-", block), block[:80]
