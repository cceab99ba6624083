"""The papers' square <-> rectangle experiments (Smidt, Geiger & Miller 2021), reproduced
with curienn.breaking, with figures.

    python examples/square_rectangle.py [--out examples_out/square_rectangle]

1. rectangle -> square: fits;
2. square -> rectangle: stuck exactly at the Curie floor (21/36 of the zero-output
   loss), each corner's predicted signal has two maxima (Fig. 1);
3. the same with a fixed Y_{2,2}-type input: fits;
4. the learned order parameter: 2e m=2, 3e m=-2, 4e m=2, 5e m=-2 (B1g of D4h),
   with the evolution of the input and output signals (Fig. 2/3); with an l-penalty
   or only 1e+1o+2e+2o allowed: 2e m=2 alone.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import matplotlib
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from curienn import breaking, plot  # noqa: E402
from curienn.breaking import (  # noqa: E402
    count_signal_maxima,
    reproduce_fixed_breaking_input,
    reproduce_learned_order_parameter,
    reproduce_rectangle_to_square,
    reproduce_square_to_rectangle,
)
from curienn.plot import plot_loss_history, plot_point_signals  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="examples_out/square_rectangle")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)

    summary = {}
    t0 = time.perf_counter()

    r1, s1 = reproduce_rectangle_to_square(steps=60, seed=args.seed)
    print(f"1. rectangle -> square: loss {r1.fit['loss']:.3e} = {r1.fit['ratio']:.3%} of the target's mean square")
    plt.close(plot_loss_history(r1.history, os.path.join(args.out, "1_rectangle_to_square_loss.png"),
                                zero_loss=r1.fit["zero_loss"], title="1. rectangle -> square"))
    summary["1_rectangle_to_square"] = {"loss": r1.fit["loss"], "ratio": r1.fit["ratio"]}

    r2, s2 = reproduce_square_to_rectangle(seed=args.seed)
    floor = s2["floor"]["floor"]
    print(f"2. square -> rectangle: loss {r2.fit['loss']:.5e}, Curie floor {floor:.5e} "
          f"(21/36 x {s2['floor']['zero_loss']:.5e}); loss / floor = {r2.fit['loss'] / floor:.5f}; "
          f"maxima per corner {s2['maxima']}")
    plt.close(plot_loss_history(r2.history, os.path.join(args.out, "2_square_to_rectangle_loss.png"),
                                floor=floor, zero_loss=r2.fit["zero_loss"], title="2. square -> rectangle"))
    fig = plt.figure(figsize=(9, 4.5))
    ax = fig.add_subplot(121, projection="3d")
    plot_point_signals(s2["positions"], s2["target"], 5, ax=ax, res=30, axes=False, edges=True, title="target")
    ax = fig.add_subplot(122, projection="3d")
    plot_point_signals(s2["positions"], r2.prediction, 5, ax=ax, res=30, axes=False, edges=True,
                       title="prediction at the Curie floor (two maxima)")
    for a in fig.axes:
        try:
            a.view_init(elev=90, azim=-90, vertical_axis="y")  # look down the normal y
        except TypeError:  # older matplotlib
            pass
    fig.savefig(os.path.join(args.out, "2_square_to_rectangle_signals.png"), dpi=120, bbox_inches="tight")
    plt.close(fig)
    summary["2_square_to_rectangle"] = {"loss": r2.fit["loss"], "floor": floor, "loss_over_floor": r2.fit["loss"] / floor,
                                        "maxima": s2["maxima"], "steps": r2.fit["steps"]}

    r3, _ = reproduce_fixed_breaking_input(steps=80, seed=args.seed)
    print(f"3. with a fixed 2e m=2 input: loss {r3.fit['loss']:.3e} = {r3.fit['ratio']:.3%} of the zero-output loss")
    plt.close(plot_loss_history(r3.history, os.path.join(args.out, "3_fixed_y22_loss.png"),
                                floor=floor, zero_loss=r3.fit["zero_loss"], title="3. fixed Y22 input"))
    summary["3_fixed_y22"] = {"loss": r3.fit["loss"], "ratio": r3.fit["ratio"]}

    # 4 is the main job (`curienn`): the public problem -> search -> report workflow
    problem = breaking.OrderParameterProblem.square_to_rectangle(seed=args.seed)
    r4 = breaking.search(problem, progress=False)
    report = breaking.interpret(problem, r4)
    rows = report.interpretation["components"]
    print(f"4. learned order parameter (loss {r4.fit['loss']:.3e} = {r4.fit['ratio']:.3%}; "
          f"model alone {r4.fit['model_only_loss']:.4e}):")
    for r in rows:
        print(f"     {r['component']:<9} {r['value']:+.5f}  {r['parent_irrep']}  ({r['meaning']})")
    report.write(os.path.join(args.out, "4_learned"), figures=plot.breaking_figures)  # report.json/.md, figures
    joint = [s for s in r4.snapshots if s["phase"] != "model"]
    maxima = [[count_signal_maxima(o) for o in s["output"]] for s in (joint[0], joint[-1])]
    print(f"     maxima per corner: start {maxima[0]}, end {maxima[1]}")
    summary["4_learned"] = {"components": {r["component"]: r["value"] for r in rows},
                            "parent_irreps": sorted({r["parent_irrep"] for r in rows}),
                            "loss": r4.fit["loss"], "ratio": r4.fit["ratio"], "maxima_start_end": maxima}

    for name, kw in (("l_penalty", dict(l_penalty=1e-3)), ("1e+1o+2e+2o", dict(irreps="1e+1o+2e+2o"))):
        r, _ = reproduce_learned_order_parameter(seed=args.seed, **kw)
        comps = {c["component"]: c["value"] for c in r.components()}
        print(f"4'. {name}: {comps} (loss {r.fit['ratio']:.3%} of zero)")
        summary[f"4_{name}"] = {"components": comps, "ratio": r.fit["ratio"]}

    summary["seconds"] = time.perf_counter() - t0
    with open(os.path.join(args.out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=1)
    print(f"figures and summary.json in {args.out} ({summary['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
