"""Equivariant batch (or instance) normalization of irreps.

Same API, buffers, parameters and numbers as ``e3nn.nn.BatchNorm`` (e3nn 0.6.0).
"""

from __future__ import annotations

from typing import List

import torch

from ..o3 import InvalidArgumentError, Irreps, ShapeError

__all__ = ["BatchNorm"]


class BatchNorm(torch.nn.Module):
    r"""Batch normalization for orthonormal representations.

    For an irrep field :math:`x_{b,s,u,m}` (batch :math:`b`, sample :math:`s`, channel
    :math:`u`, component :math:`m`):

    1. ``0e`` fields only are centred: :math:`x \leftarrow x - \mu_u`, with
       :math:`\mu_u` the mean over batch and samples (over samples only when
       ``instance``);
    2. with :math:`n_{b,s,u} = \frac{1}{2l+1}\sum_m x_{b,s,u,m}^2` (``component``) or
       :math:`\sum_m x_{b,s,u,m}^2` (``norm``), :math:`\sigma^2_u` is its mean (or max,
       ``reduce='max'``) over samples, then its mean over the batch (not for
       ``instance``);
    3. :math:`y = x\, w_u / \sqrt{\sigma^2_u + \epsilon}`, plus a bias :math:`b_u` on
       ``0e`` fields.

    The norms are rotation invariant, so the layer is equivariant. In training (and
    without ``instance``) the running statistics are updated as
    :math:`r \leftarrow (1 - m)\, r + m\, \text{stat}`; in evaluation they replace the
    batch statistics. With ``instance`` there are no running statistics.

    Args:
        irreps: representation of the input and output.
        eps: added to the variance.
        momentum: momentum :math:`m` of the running averages.
        affine: learn ``weight`` (one per irrep) and ``bias`` (one per ``0e`` channel).
        reduce: ``"mean"`` or ``"max"`` over the samples.
        instance: instance normalization instead of batch normalization.
        include_bias: include ``bias`` (with ``affine``).
        normalization: ``"component"`` or ``"norm"``.

    Attributes:
        running_mean: buffer ``(num_scalar,)`` (``None`` with ``instance``), where
            ``num_scalar`` counts the ``0e`` channels.
        running_var: buffer ``(irreps.num_irreps,)`` (``None`` with ``instance``).
        weight: parameter ``(irreps.num_irreps,)`` (``None`` without ``affine``).
        bias: parameter ``(num_scalar,)`` (``None`` without ``affine``; absent
            without ``include_bias``).

    Shapes:
        ``(batch, ..., irreps.dim) -> (batch, ..., irreps.dim)``.

    Raises:
        ValueError: on an unknown ``reduce`` or ``normalization``, or a wrong input
            dimension.
    """

    def __init__(
        self,
        irreps,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        reduce: str = "mean",
        instance: bool = False,
        include_bias: bool = True,
        normalization: str = "component",
    ) -> None:
        super().__init__()
        self.irreps = Irreps(irreps)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.instance = instance
        self.include_bias = include_bias
        if reduce not in ("mean", "max"):
            raise InvalidArgumentError(f"reduce={reduce!r} must be 'mean' or 'max'")
        if normalization not in ("norm", "component"):
            raise InvalidArgumentError(f"normalization={normalization!r} must be 'norm' or 'component'")
        self.reduce = reduce
        self.normalization = normalization

        num_scalar = sum(mul for mul, ir in self.irreps if ir.l == 0 and ir.p == 1)
        num_features = self.irreps.num_irreps
        if instance:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
        else:
            self.register_buffer("running_mean", torch.zeros(num_scalar))
            self.register_buffer("running_var", torch.ones(num_features))
        if affine:
            self.weight = torch.nn.Parameter(torch.ones(num_features))
            if include_bias:
                self.bias = torch.nn.Parameter(torch.zeros(num_scalar))
        else:
            self.register_parameter("weight", None)
            if include_bias:
                self.register_parameter("bias", None)
        self._dim = self.irreps.dim  # plain int: forward never touches Irreps
        # (mul, dim, is 0e) per entry
        self.irs = [(mul, ir.dim, ir.l == 0 and ir.p == 1) for mul, ir in self.irreps]

    def __repr__(self) -> str:
        return f"{self.__class__.__name__} ({self.irreps}, eps={self.eps}, momentum={self.momentum})"

    def _roll_avg(self, current: torch.Tensor, update: torch.Tensor) -> torch.Tensor:
        return (1 - self.momentum) * current + self.momentum * update.detach()

    def forward(self, input: torch.Tensor) -> torch.Tensor:  # noqa: A002 (e3nn's name)
        if input.shape[-1] != self._dim:
            raise ShapeError(
                f"BatchNorm: the last dimension of the input is {input.shape[-1]}, but "
                f"irreps={self.irreps} has dimension {self._dim}"
            )
        orig_shape = input.shape
        batch = input.shape[0]
        x = input.reshape(batch, -1, input.shape[-1])  # (batch, sample, dim)
        use_batch_stats = self.training or self.instance
        update_running = self.training and not self.instance
        new_means: List[torch.Tensor] = []
        new_vars: List[torch.Tensor] = []

        fields = []
        ix = irm = irv = iw = ib = 0
        for mul, d, is_scalar in self.irs:
            field = x[:, :, ix : ix + mul * d].reshape(batch, -1, mul, d)
            ix += mul * d

            if is_scalar:
                if self.instance:
                    mean = field.mean(1).reshape(batch, mul)
                elif self.training:
                    mean = field.mean([0, 1]).reshape(mul)
                    new_means.append(self._roll_avg(self.running_mean[irm : irm + mul], mean))
                else:
                    mean = self.running_mean[irm : irm + mul]
                irm += mul
                field = field - mean.reshape(-1, 1, mul, 1)

            if use_batch_stats:
                if self.normalization == "norm":
                    norm = field.pow(2).sum(3)  # (batch, sample, mul)
                else:
                    norm = field.pow(2).mean(3)
                if self.reduce == "mean":
                    norm = norm.mean(1)  # (batch, mul)
                else:
                    norm = norm.max(1).values
                if not self.instance:
                    norm = norm.mean(0)  # (mul,)
                    new_vars.append(self._roll_avg(self.running_var[irv : irv + mul], norm))
            else:
                norm = self.running_var[irv : irv + mul]
            irv += mul

            scale = (norm + self.eps).pow(-0.5)  # ((batch,) mul)
            if self.affine:
                scale = scale * self.weight[iw : iw + mul]
                iw += mul
            field = field * scale.reshape(-1, 1, mul, 1)
            if self.affine and self.include_bias and is_scalar:
                field = field + self.bias[ib : ib + mul].reshape(mul, 1)
                ib += mul
            fields.append(field.reshape(batch, -1, mul * d))

        if update_running:
            with torch.no_grad():
                if new_means:
                    self.running_mean.copy_(torch.cat(new_means))
                if new_vars:
                    self.running_var.copy_(torch.cat(new_vars))

        if not fields:
            return input.clone()
        return torch.cat(fields, dim=2).reshape(orig_shape)
