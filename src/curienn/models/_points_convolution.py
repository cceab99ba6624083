r"""Point convolutions of e3nn's ``v2103``/``v2106`` model families.

:class:`PointsConvolution` (``v2106.points_convolution.Convolution``), for node features
:math:`x_i`, node attributes :math:`z_i`, edge attributes :math:`a_e` (typically spherical
harmonics) and edge scalars :math:`s_e` (typically an embedded length):

.. math::

    s_i &= \mathrm{sc}(x_i \otimes z_i),\qquad h_i = \mathrm{lin1}(x_i \otimes z_i),\\
    m_d &= \frac{1}{\sqrt{n_{\mathrm{nb}}}} \sum_{e:\,\mathrm{dst}(e) = d}
           \mathrm{tp}\big(h_{\mathrm{src}(e)} \otimes a_e;\ W = \mathrm{fc}(s_e)\big),\\
    y_i &= s_i + \big(\mu\, \alpha_i + (1 - \mu)\big)\, \mathrm{lin2}(m_i \otimes z_i),
    \qquad \alpha_i = \mathrm{alpha}(m_i \otimes z_i),

where ``tp`` has one ``uvu`` path per (input irrep, edge irrep, output irrep present in the
output or ``0e``), ``fc`` is a silu :class:`~curienn.nn.FullyConnectedNet`
``fc_neurons + [tp.weight_numel]``, :math:`\mu` the output mask of ``sc`` and ``alpha`` a
scalar tensor product whose weights start at zero (the convolution starts as the
self-connection; arXiv:2002.10444).

:class:`PointsConvolution2103` (``v2103.points_convolution.Convolution``) mixes with an angle
instead: :math:`\theta_i = 0.1\,\mathrm{lin3}(m_i \otimes z_i)`, :math:`y_i = \cos\theta_i\,
s_i + (\mu \sin\theta_i + 1 - \mu)\, \mathrm{lin2}(m_i \otimes z_i)`.

:class:`PointsInOutConvolution` (``v2103.conv_points_in_out.Convolution``) convolves from
one point set onto another (no self-connection).

Numbers equal e3nn 0.6.0's given the same weights (same parameter names).
"""

from __future__ import annotations

import torch

from curienn.io import scatter_sum
from curienn.nn import FullyConnectedNet, FullyConnectedTensorProduct, TensorProduct
from curienn.o3 import InvalidArgumentError, Irrep, Irreps

__all__ = ["PointsConvolution", "PointsConvolution2103", "PointsInOutConvolution"]


def _uvu_filter(irreps_in: Irreps, irreps_edge: Irreps, keep) -> TensorProduct:
    """The ``uvu`` tensor product of the features with the edge attributes, one path per
    (input, edge, output irrep kept by ``keep``); its output irreps (``tp.irreps_out``) sorted."""
    mid, paths = [], []
    for i, (mul, ir_in) in enumerate(irreps_in):
        for j, (_, ir_edge) in enumerate(irreps_edge):
            for ir_out in ir_in * ir_edge:
                if keep(ir_out):
                    paths.append((i, j, len(mid)))
                    mid.append((mul, ir_out))
    irreps_mid, p, _ = Irreps(mid).sort()
    instructions = [(i, j, p[k], "uvu", True) for i, j, k in paths]
    return TensorProduct(irreps_in, irreps_edge, irreps_mid, instructions, internal_weights=False,
                         shared_weights=False)


class _PointsConvolutionBase(torch.nn.Module):
    """``sc``, ``lin1``, ``fc``, ``tp``, ``lin2`` and the message sum (see the module)."""

    def __init__(self, irreps_node_input, irreps_node_attr, irreps_edge_attr, irreps_node_output, fc_neurons,
                 num_neighbors: float) -> None:
        super().__init__()
        self.irreps_node_input = Irreps(irreps_node_input)
        self.irreps_node_attr = Irreps(irreps_node_attr)
        self.irreps_edge_attr = Irreps(irreps_edge_attr)
        self.irreps_node_output = Irreps(irreps_node_output)
        self.irreps_in, self.irreps_out = self.irreps_node_input, self.irreps_node_output
        self.num_neighbors = num_neighbors
        self.sc = FullyConnectedTensorProduct(self.irreps_node_input, self.irreps_node_attr, self.irreps_node_output)
        self.lin1 = FullyConnectedTensorProduct(self.irreps_node_input, self.irreps_node_attr, self.irreps_node_input)
        tp = _uvu_filter(self.irreps_node_input, self.irreps_edge_attr,
                         lambda ir: ir in self.irreps_node_output or ir == Irrep("0e"))
        self.fc = FullyConnectedNet(list(fc_neurons) + [tp.weight_numel], torch.nn.functional.silu)
        self.tp = tp
        self.lin2 = FullyConnectedTensorProduct(tp.irreps_out, self.irreps_node_attr, self.irreps_node_output)

    def _convolve(self, node_input, node_attr, edge_src, edge_dst, edge_attr, edge_scalars):
        """``(s, m)``: the self-connection and the summed messages."""
        weight = self.fc(edge_scalars)
        s = self.sc(node_input, node_attr)
        h = self.lin1(node_input, node_attr)
        messages = self.tp(h[edge_src], edge_attr, weight)
        return s, scatter_sum(messages, edge_dst, dim_size=node_input.shape[0]).div(self.num_neighbors**0.5)


class PointsConvolution(_PointsConvolutionBase):
    r"""Point convolution with a learned, zero-initialised mixing factor (see the module).

    Args:
        irreps_node_input, irreps_node_attr, irreps_edge_attr, irreps_node_output: irreps.
        fc_neurons: sizes of the radial network's input and hidden layers.
        num_neighbors: typical number of neighbours (messages are divided by its square root).

    Shapes: ``forward(node_input (N, in), node_attr (N, attr), edge_src (E,), edge_dst (E,),
    edge_attr (E, edge), edge_scalars (E, fc_neurons[0]))`` -> ``(N, out)``.

    Raises:
        InvalidArgumentError: no path reaches the output, or no scalar can be formed for the
            mixing factor (e3nn: ``AssertionError``).
    """

    def __init__(self, irreps_node_input, irreps_node_attr, irreps_edge_attr, irreps_node_output, fc_neurons,
                 num_neighbors: float) -> None:
        super().__init__(irreps_node_input, irreps_node_attr, irreps_edge_attr, irreps_node_output, fc_neurons,
                         num_neighbors)
        if self.tp.irreps_out.dim == 0:
            raise InvalidArgumentError(
                f"irreps_node_input={self.irreps_node_input} times irreps_edge_attr={self.irreps_edge_attr} produces "
                f"nothing in irreps_node_output={self.irreps_node_output}"
            )
        self.alpha = FullyConnectedTensorProduct(self.tp.irreps_out, self.irreps_node_attr, "0e")
        with torch.no_grad():
            self.alpha.weight.zero_()
        if self.alpha.output_mask[0] != 1.0:
            raise InvalidArgumentError(
                f"irreps_mid={self.tp.irreps_out} and irreps_node_attr={self.irreps_node_attr} cannot form scalars"
            )

    def forward(self, node_input, node_attr, edge_src, edge_dst, edge_attr, edge_scalars) -> torch.Tensor:
        s, m = self._convolve(node_input, node_attr, edge_src, edge_dst, edge_attr, edge_scalars)
        mask = self.sc.output_mask
        alpha = (1 - mask) + self.alpha(m, node_attr) * mask
        return s + alpha * self.lin2(m, node_attr)


class PointsConvolution2103(_PointsConvolutionBase):
    r"""Point convolution mixed by a learned angle (see the module); same arguments and
    shapes as :class:`PointsConvolution`."""

    def __init__(self, irreps_node_input, irreps_node_attr, irreps_edge_attr, irreps_node_output, fc_neurons,
                 num_neighbors: float) -> None:
        super().__init__(irreps_node_input, irreps_node_attr, irreps_edge_attr, irreps_node_output, fc_neurons,
                         num_neighbors)
        self.lin3 = FullyConnectedTensorProduct(self.tp.irreps_out, self.irreps_node_attr, "0e")

    def forward(self, node_input, node_attr, edge_src, edge_dst, edge_attr, edge_scalars) -> torch.Tensor:
        s, m = self._convolve(node_input, node_attr, edge_src, edge_dst, edge_attr, edge_scalars)
        angle = 0.1 * self.lin3(m, node_attr)  # starts small: favours the self-connection
        mask = self.sc.output_mask
        sin = (1 - mask) + torch.sin(angle) * mask
        return torch.cos(angle) * s + sin * self.lin2(m, node_attr)


class PointsInOutConvolution(torch.nn.Module):
    r"""Convolution from input points onto output points (``v2103.conv_points_in_out``):
    :math:`y_d = \mathrm{lin2}\big(\frac{1}{\sqrt{n_{nb}}}\sum_{e:\,\mathrm{dst}(e)=d}
    \mathrm{tp}(\mathrm{lin1}(x \otimes z^{in})_{\mathrm{src}(e)} \otimes a_e;\
    \mathrm{fc}(s_e)) \otimes z^{out}_d\big)`.

    Args:
        irreps_node_input, irreps_node_output: features of the input and output points.
        irreps_node_attr_input, irreps_node_attr_output: their attributes.
        irreps_edge_attr: edge attributes.
        num_edge_scalar_attr: edge scalars feeding the radial network.
        radial_layers, radial_neurons: hidden layers of the radial network.
        num_neighbors: typical number of neighbours.

    Shapes: ``forward(node_input (N_in, in), node_attr_input (N_in, .), node_attr_output
    (N_out, .), edge_src (E,) into the input points, edge_dst (E,) into the output points,
    edge_attr (E, edge), edge_scalar_attr (E, num_edge_scalar_attr))`` -> ``(N_out, out)``.
    """

    def __init__(self, irreps_node_input, irreps_node_output, irreps_node_attr_input, irreps_node_attr_output,
                 irreps_edge_attr, num_edge_scalar_attr: int, radial_layers: int, radial_neurons: int,
                 num_neighbors: float) -> None:
        super().__init__()
        self.irreps_node_input = Irreps(irreps_node_input)
        self.irreps_node_attr_input = Irreps(irreps_node_attr_input)
        self.irreps_node_attr_output = Irreps(irreps_node_attr_output)
        self.irreps_edge_attr = Irreps(irreps_edge_attr)
        self.irreps_node_output = Irreps(irreps_node_output)
        self.num_neighbors = num_neighbors
        self.lin1 = FullyConnectedTensorProduct(self.irreps_node_input, self.irreps_node_attr_input,
                                                self.irreps_node_input)
        tp = _uvu_filter(self.irreps_node_input, self.irreps_edge_attr, lambda ir: ir in self.irreps_node_output)
        self.fc = FullyConnectedNet([num_edge_scalar_attr] + radial_layers * [radial_neurons] + [tp.weight_numel],
                                    torch.nn.functional.silu)
        self.tp = tp
        self.lin2 = FullyConnectedTensorProduct(tp.irreps_out, self.irreps_node_attr_output, self.irreps_node_output)

    def forward(self, node_input, node_attr_input, node_attr_output, edge_src, edge_dst, edge_attr,
                edge_scalar_attr) -> torch.Tensor:
        weight = self.fc(edge_scalar_attr)
        h = self.lin1(node_input, node_attr_input)
        messages = self.tp(h[edge_src], edge_attr, weight)
        out = scatter_sum(messages, edge_dst, dim_size=node_attr_output.shape[0]).div(self.num_neighbors**0.5)
        return self.lin2(out, node_attr_output)
