r"""Adam with an exact proximal step for L1 and group-lasso penalties.

Used by the order-parameter search (:mod:`curienn.breaking`) to learn sparse
order parameters: components whose data gradient cannot pay for the penalty are
exactly zero (see :class:`ProxAdam`).
"""

from __future__ import annotations

from typing import Optional

import torch

__all__ = ["ProxAdam"]


class ProxAdam:
    r"""Adam with an exact proximal step for the penalties, for one tensor ``p`` ``(G, D)``.

    With the data gradient :math:`g`, the componentwise penalty
    :math:`\sum_c \lambda_c |p_c|` and (optionally) the group lasso
    :math:`\sum_b \mu_b \lVert p_b\rVert` over blocks ``b`` of components (irreps):

    .. math::

        m &\leftarrow \beta_1 m + (1-\beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1-\beta_2) \tilde g^2, \quad
        \tilde g = g + \lambda \odot \mathrm{sign}\, p \ \text{(no blocks)}, \quad
        \tilde g = g \ \text{(blocks)},\\
        \eta &= \mathrm{lr} / (\sqrt{\hat v} + \epsilon), \qquad
        p \leftarrow \mathrm{soft}_b\big(\mathrm{soft}(p - \eta \hat m,\ \eta \lambda),\ \eta\mu\big),

    ``soft(x, t) = sign(x) max(|x| - t, 0)`` and the block version
    ``x_b max(1 - t/|x_b|, 0)``. With blocks, :math:`\hat v` is averaged over each
    block and follows the data gradient alone, so that the step of an irrep block
    commutes with rotations of it (with ``lam = 0`` the whole update is then
    equivariant: a symmetric gradient keeps a symmetric ``p`` symmetric). Components whose data gradient
    cannot pay for the penalty go to exactly zero and stay there (sub-gradient Adam
    would make them oscillate with amplitude ``lr``); a penalty-dominated component
    shrinks by about ``lr`` per step, as under plain Adam.

    Args:
        p: the parameter ``(G, D)`` (a leaf tensor with ``requires_grad``).
        lr: step size (the caller may change ``self.lr`` between steps).
        lam: ``(D,)`` or ``(G, D)`` non-negative weights :math:`\lambda` of the
            componentwise penalty.
        betas, eps: Adam's.
        block: ``(D,)`` long, the block (irrep) index of each component, for the
            group lasso; ``lam_block``: ``(D,)`` its weight :math:`\mu` per
            component (constant within a block).

    Example:
        >>> p = torch.zeros(3, requires_grad=True)
        >>> opt = ProxAdam(p, lr=0.05, lam=torch.full((3,), 0.1))
        >>> t = torch.tensor([1.0, 0.0, -1.0])
        >>> for _ in range(300):
        ...     p.grad = None
        ...     ((p - t) ** 2).sum().backward()
        ...     opt.step()
        >>> [round(v, 1) for v in p.tolist()]  # soft(t, 0.05): the middle one is exactly 0
        [0.9, 0.0, -0.9]
    """

    def __init__(self, p: torch.Tensor, lr: float, lam: torch.Tensor, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, block: Optional[torch.Tensor] = None,
                 lam_block: Optional[torch.Tensor] = None) -> None:
        self.p, self.lr, self.lam, self.betas, self.eps = p, lr, lam, betas, eps
        self.block = block
        self.lam_block = lam_block
        self.m = torch.zeros_like(p.detach())
        self.v = torch.zeros_like(p.detach())
        self.t = 0

    def _block_mean(self, x: torch.Tensor) -> torch.Tensor:
        nb = int(self.block.max()) + 1
        s = torch.zeros(x.shape[0], nb, dtype=x.dtype).index_add_(1, self.block, x)
        n = torch.zeros(nb, dtype=x.dtype).index_add_(0, self.block, torch.ones_like(self.block, dtype=x.dtype))
        return (s / n)[:, self.block]

    @torch.no_grad()
    def step(self) -> None:
        g = self.p.grad
        if g is None:
            g = torch.zeros_like(self.p)
        b1, b2 = self.betas
        self.t += 1
        blocks = self.block is not None and self.p.numel() > 0
        # with blocks the second moment follows the data gradient alone: the penalty's
        # sub-gradient at p ~ 0 (the sign of round-off) would make it depend on noise
        # that no symmetry constrains
        full = g if blocks else g + self.lam * torch.sign(self.p)
        self.m.mul_(b1).add_(g, alpha=1 - b1)
        self.v.mul_(b2).addcmul_(full, full, value=1 - b2)
        v = self._block_mean(self.v) if blocks else self.v
        eta = self.lr / ((v / (1 - b2**self.t)).sqrt() + self.eps)
        x = self.p - eta * self.m / (1 - b1**self.t)
        x = torch.sign(x) * torch.clamp(x.abs() - eta * self.lam, min=0)
        if blocks and self.lam_block is not None:
            norm = self._block_mean(x * x).mul(torch.bincount(self.block).to(x.dtype)[self.block]).sqrt()
            x = x * torch.clamp(1 - eta * self.lam_block / norm.clamp_min(1e-300), min=0)
        self.p.copy_(x)

    def state_dict(self) -> dict:
        return {"m": self.m.clone(), "v": self.v.clone(), "t": self.t, "lr": self.lr}

    def load_state_dict(self, d: dict) -> None:
        self.m.copy_(d["m"])
        self.v.copy_(d["v"])
        self.t = int(d["t"])
        self.lr = float(d["lr"])
