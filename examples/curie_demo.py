"""Curie's principle with random networks (Smidt, Trends in Chemistry 2021, Fig. 2C).

Twenty randomly initialized Euclidean neural networks are given a tetrahedron,
an octahedron and a distorted tetrahedron; each outputs a spherical-harmonic
signal (l <= 4) on every point. The point group of the points decorated with the
output always contains the point group of the input: Td and Oh survive any
weights, and on the distorted input (C3v) the output drops to C3v with it.

    python examples/curie_demo.py [--n-networks 20] [--lmax 4] [--out examples_out/curie_demo]

The figures (``curienn.plot.plot_point_signals``), written into ``--out``, show
the first network's output signals on each shape.
"""

from __future__ import annotations

import argparse
import os

from curienn.breaking import DEMO_SHAPES, random_network_demo
from curienn.plot import plot_point_signals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-networks", type=int, default=20)
    parser.add_argument("--lmax", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="examples_out/curie_demo", help="output folder for the figures")
    args = parser.parse_args()

    distorted = DEMO_SHAPES["tetrahedron"].copy()
    distorted[0] *= 1.3
    demos = {}
    for name, shape in [("tetrahedron", "tetrahedron"), ("octahedron", "octahedron"),
                        ("distorted tetrahedron", distorted)]:
        demo = random_network_demo(shape, n_networks=args.n_networks, lmax=args.lmax, seed=args.seed)
        demos[name] = demo
        print(f"\n{name}: input {demo.input_group.name}; Curie's principle holds for "
              f"{sum(r.holds for r in demo.results)}/{len(demo.results)} networks")
        print(demo.table())

    os.makedirs(args.out, exist_ok=True)
    for name, demo in demos.items():
        path = os.path.join(args.out, name.replace(" ", "_") + ".png")
        plot_point_signals(demo.points, demo.results[0].output, demo.irreps_out, path=path)
        print(f"figure ({name}, seed {demo.results[0].seed}): {path}")


if __name__ == "__main__":
    main()
