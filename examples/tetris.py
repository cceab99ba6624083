"""Tetris: learn the 8 three-dimensional tetrominoes in one orientation, then
recognise them in any orientation, position and handedness.

The network (:class:`curienn.models.Network`) is E(3)-equivariant, so
training on one copy of each shape is enough: its outputs on rotated and
translated copies are the same. The output irreps ``0o + 7x0e`` hold seven
invariant class scores (the two chiral pieces share one class) and one
pseudoscalar, which changes sign under a mirror and so tells the left-handed
piece from the right-handed one.

    python examples/tetris.py
"""

from __future__ import annotations

import time

import torch

from curienn.io import batch_graphs
from curienn.models import Network
from curienn.o3 import rand_matrix

#: the 8 pieces, four unit cubes each; the first two are mirror images
SHAPES = {
    "chiral_right": [(0, 0, 0), (0, 0, 1), (1, 0, 0), (1, 1, 0)],
    "chiral_left": [(0, 0, 0), (0, 0, 1), (1, 0, 0), (1, -1, 0)],
    "square": [(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0)],
    "line": [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 0, 3)],
    "corner": [(0, 0, 0), (0, 0, 1), (0, 1, 0), (1, 0, 0)],
    "L": [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0)],
    "T": [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 1)],
    "zigzag": [(0, 0, 0), (1, 0, 0), (1, 1, 0), (2, 1, 0)],
}
NAMES = list(SHAPES)


def tetris_data(shapes=None) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """The pieces as one batched graph and their class indices ``0..7``."""
    shapes = NAMES if shapes is None else shapes
    graphs = [{"pos": torch.tensor(SHAPES[s], dtype=torch.get_default_dtype())} for s in shapes]
    return batch_graphs(graphs), torch.tensor([NAMES.index(s) for s in shapes])


def make_model() -> Network:
    """A small gate-points network with invariant output ``0o + 7x0e``."""
    return Network(
        irreps_in=None,
        irreps_hidden="16x0e+16x0o+8x1e+8x1o",
        irreps_out="0o+7x0e",
        irreps_node_attr=None,
        irreps_edge_attr="0e+1o+2e+3o",
        layers=3,
        max_radius=1.5,
        number_of_basis=8,
        radial_layers=1,
        radial_neurons=32,
        num_neighbors=3.0,
        num_nodes=4.0,
    )


def loss_fn(out: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy on the 7 invariant scores (both chiral pieces are class 0)
    plus a squared error pulling the pseudoscalar to +1 (right), -1 (left), 0."""
    odd, even = out[:, 0], out[:, 1:]
    cls = torch.clamp(labels - 1, min=0)
    hand = torch.zeros_like(odd)
    hand[labels == 0] = 1.0
    hand[labels == 1] = -1.0
    return torch.nn.functional.cross_entropy(even, cls) + (odd - hand).pow(2).mean()


def predict(out: torch.Tensor) -> torch.Tensor:
    """Class indices from the network output."""
    cls = out[:, 1:].argmax(dim=1)
    chiral = torch.where(out[:, 0] > 0, 0, 1)
    return torch.where(cls == 0, chiral, cls + 1)


def train(model: Network, steps: int = 150, lr: float = 1e-2, verbose: bool = False) -> float:
    """Adam on the 8 pieces in their reference orientation; returns the last loss."""
    data, labels = tetris_data()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for step in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(data), labels)
        loss.backward()
        opt.step()
        if verbose and step % 25 == 0:
            acc = (predict(model(data)) == labels).float().mean()
            print(f"step {step:4d}  loss {loss.item():.4f}  accuracy {acc.item():.2f}")
    return loss.item()


def transformed_copies(copies: int = 10, generator: torch.Generator | None = None):
    """Each piece ``copies`` times, randomly rotated (proper rotations) and translated,
    plus mirrored copies: a mirrored right piece is a left piece and vice versa.

    Returns ``(data, labels)`` as a batched graph."""
    graphs, labels = [], []
    for _ in range(copies):
        for k, name in enumerate(NAMES):
            for mirror in (False, True):
                pos = torch.tensor(SHAPES[name], dtype=torch.get_default_dtype())
                R = rand_matrix()
                if mirror:
                    R = -R
                pos = pos @ R.T + 10 * torch.randn(3, generator=generator)
                graphs.append({"pos": pos})
                label = k
                if mirror and k in (0, 1):
                    label = 1 - k  # the mirror image of a chiral piece is its partner
                labels.append(label)
    return batch_graphs(graphs), torch.tensor(labels)


def main() -> None:
    torch.manual_seed(0)
    model = make_model()
    t = time.perf_counter()
    loss = train(model, verbose=True)
    print(f"trained in {time.perf_counter() - t:.1f} s, final loss {loss:.4f}")
    data, labels = transformed_copies(copies=20)
    with torch.no_grad():
        pred = predict(model(data))
    acc = (pred == labels).float().mean().item()
    print(f"accuracy on {len(labels)} rotated, translated and mirrored copies: {100 * acc:.1f}%")


if __name__ == "__main__":
    main()
