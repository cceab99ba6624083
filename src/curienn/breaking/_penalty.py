r"""The penalty on the order parameter.

For ``G`` groups of ``D`` components :math:`p_{gc}` (mask :math:`M`), in blocks
:math:`b = (l, p)` (one per irrep of the candidate irreps) of :math:`n_b` components,

.. math::

    \Omega(p) = \sum_{g,c} \lambda_c\, |M_{gc}\, p_{gc}|
        + \sum_{g,b} \mu_b\, \lVert (M p)_{g b} \rVert,
    \qquad
    \lambda_c = \frac{\lambda_1}{G D} + \frac{\lambda_l\, l_c^{k}}{G\, n_{b(c)}},

the first the L1 ``l1`` plus the l-penalty ``l_penalty`` x :math:`l^k`
(``l_power``), i.e. :math:`\lambda_1\,\mathrm{mean}|p| + \lambda_l \sum_b l_b^k\,
\mathrm{mean}_{c \in b}|p|`. With ``equivariant_penalty`` both are a group lasso
instead (rotation invariant within each irrep, so the penalty commutes with every
symmetry of the input): :math:`\lambda_c = 0` and
:math:`\mu_b = \lambda_1 \sqrt{n_b} / (G D) + \lambda_l\, l_b^k / (G \sqrt{n_b})`
(for a block whose components are equal in size the two forms agree). The
optimiser (:class:`curienn.optim.ProxAdam`) takes these weights for its
proximal step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from curienn.o3 import Irreps

from ._config import SearchConfig
from ._layout import OrderParameterLayout

__all__ = ["PenaltyWeights"]


@dataclass
class PenaltyWeights:
    """``lam`` ``(D,)`` :math:`\\lambda_c`; ``block`` ``(D,)`` long, the block of
    each component; ``lam_block`` ``(D,)`` :math:`\\mu_{b(c)}`; ``mask`` ``(G, D)``."""

    lam: torch.Tensor
    block: torch.Tensor
    lam_block: torch.Tensor
    mask: torch.Tensor

    @classmethod
    def build(cls, irreps: Irreps, layout: OrderParameterLayout, config: SearchConfig,
              dtype: torch.dtype) -> "PenaltyWeights":
        """The weights of the module docstring for ``irreps`` on ``layout``."""
        block, ls = [], []
        for b, (mul, ir) in enumerate(irreps):
            block += [b] * (mul * ir.dim)
            ls += [ir.l] * (mul * ir.dim)
        D, G = irreps.dim, layout.num_groups
        counts = np.bincount(block) if D else np.zeros(0, dtype=int)
        lam, lam_block = np.full(D, config.l1 / max(G * D, 1)), np.zeros(D)
        for c in range(D):
            w = config.l_penalty * float(ls[c]) ** config.l_power
            n = counts[block[c]]
            if config.equivariant_penalty:
                lam_block[c] = config.l1 * math.sqrt(n) / max(G * D, 1) + w / (G * math.sqrt(n))
                lam[c] = 0.0
            else:
                lam[c] += w / (G * n)
        return cls(torch.as_tensor(lam, dtype=dtype), torch.as_tensor(block, dtype=torch.long),
                   torch.as_tensor(lam_block, dtype=dtype), torch.as_tensor(layout.mask, dtype=dtype))

    def penalty(self, p: torch.Tensor, group_lasso: bool) -> torch.Tensor:
        """:math:`\\Omega(p)` for ``p`` ``(G, D)`` (the group-lasso term with ``group_lasso``)."""
        m = self.mask.to(p.dtype)
        out = (p.abs() * m * self.lam).sum()
        if group_lasso and self.lam_block.any():
            q = p * m
            nb = int(self.block.max()) + 1
            norms = torch.zeros(q.shape[0], nb, dtype=q.dtype).index_add_(1, self.block, q * q).sqrt()
            wb = torch.zeros(nb, dtype=q.dtype).scatter_(0, self.block, self.lam_block)  # constant per block
            out = out + (norms * wb).sum()
        return out
