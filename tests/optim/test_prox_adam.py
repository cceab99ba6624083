"""curienn.optim.ProxAdam: the exact proximal step zeroes what the data cannot pay for."""

import pytest
import torch

from curienn.optim import ProxAdam


def test_prox_adam_zeroes_what_the_data_cannot_pay_for():
    p = torch.zeros(4, requires_grad=True)
    lam = torch.full((4,), 0.1)
    opt = ProxAdam(p, lr=0.05, lam=lam)
    target = torch.tensor([1.0, 0.0, 1e-3, -1.0])
    for _ in range(300):
        p.grad = None
        ((p - target) ** 2).sum().backward()
        opt.step()
    # minimiser of |p - t|^2 + 0.1 |p|: soft(t, 0.05)
    assert p[0].item() == pytest.approx(0.95, abs=0.02) and p[3].item() == pytest.approx(-0.95, abs=0.02)
    assert p[1].item() == 0.0 and p[2].item() == 0.0


def test_prox_adam_group_lasso_is_rotation_equivariant():
    """With blocks, the step of an irrep block commutes with rotating it: an O(3)
    rotation of the target block rotates the solution (the group lasso shrinks
    norms, not components)."""
    from curienn.o3 import Irreps, rand_matrix

    torch.set_default_dtype(torch.float64)
    irreps = Irreps("1o + 2e")
    block = torch.tensor([0] * 3 + [1] * 5)
    target = torch.randn(1, 8)
    R = rand_matrix()
    D = irreps.D_from_matrix(R)

    def solve(t):
        p = torch.zeros(1, 8, requires_grad=True)
        opt = ProxAdam(p, lr=0.02, lam=torch.zeros(8), block=block, lam_block=torch.full((8,), 0.05))
        for _ in range(200):
            p.grad = None
            ((p - t) ** 2).sum().backward()
            opt.step()
        return p.detach()

    a, b = solve(target), solve(target @ D.T)
    assert torch.allclose(a @ D.T, b, atol=1e-10)
    assert 0 < a.norm() < target.norm()  # shrunk, not zeroed
