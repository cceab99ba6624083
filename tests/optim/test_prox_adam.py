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


def _block_lasso(target, block, steps, start=None):
    """Minimise |p - target|^2 + 0.05 sum_b |p_b| with blocks; ``p`` starts at ``start`` (default 0)."""
    p = (torch.zeros_like(target) if start is None else start.clone()).requires_grad_()
    opt = ProxAdam(p, lr=0.02, lam=torch.zeros(target.shape[1]), block=block,
                   lam_block=torch.full((target.shape[1],), 0.05))
    for _ in range(steps):
        p.grad = None
        ((p - target) ** 2).sum().backward()
        opt.step()
    return p.detach()


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

    a, b = _block_lasso(target, block, 200), _block_lasso(target @ D.T, block, 200)
    assert torch.allclose(a @ D.T, b, atol=1e-10)
    assert 0 < a.norm() < target.norm()  # shrunk, not zeroed


def test_prox_adam_blocks_do_not_amplify_round_off():
    """With blocks the second moment follows the data gradient alone: a start at
    round-off noise (not rotated with the target) gives the rotated solution, as
    exact arithmetic would; the penalty's sub-gradient at the noise's sign would
    otherwise set the step size of each component."""
    from curienn.o3 import Irreps, rand_matrix

    torch.set_default_dtype(torch.float64)
    irreps = Irreps("1o + 2e")
    block = torch.tensor([0] * 3 + [1] * 5)
    target = torch.randn(2, 8)
    D = irreps.D_from_matrix(rand_matrix())
    noise = 1e-15 * torch.randn(2, 8)

    a, b = _block_lasso(target, block, 50, noise), _block_lasso(target @ D.T, block, 50, noise)
    assert torch.allclose(a @ D.T, b, atol=1e-10)
