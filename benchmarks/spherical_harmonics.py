"""Benchmark curienn.o3.spherical_harmonics against e3nn 0.6.0 (same process, interleaved).

Forward and forward+backward, N vectors, float32, ``torch.set_num_threads(2)``,
``normalize=True``, normalizations 'component' and 'integral' (the default).
Prints a table and, last, one JSON line with the ratios e3nn_time / our_time.

    python benchmarks/spherical_harmonics.py [--n 100000] [--repeats 7] [--lmax 2 6 11]
        [--threads 2] [--clock wall|cpu]

``--clock cpu`` measures process CPU time instead of wall time: on a shared machine it is
far less noisy (use it with ``--threads 1``; with more threads it also counts spinning).
"""

from __future__ import annotations

import argparse
import json
import time

import torch


def _best_times(fns: dict, repeats: int, clock=time.perf_counter) -> dict:
    """Best time of each function; calls are interleaved so that both see the same load."""
    for fn in fns.values():
        fn()  # warm-up
    best = {name: float("inf") for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = clock()
            fn()
            best[name] = min(best[name], clock() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--lmax", type=int, nargs="+", default=[2, 6, 11])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = parser.parse_args()

    import e3nn.o3

    from curienn.o3 import spherical_harmonics

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.randn(args.n, 3, dtype=torch.float32)
    implementations = {
        "curienn": spherical_harmonics,
        "e3nn": e3nn.o3.spherical_harmonics,
    }

    results = {}
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    print(
        f"N={args.n} float32 threads={args.threads} normalize=True ({args.clock} clock, best of {args.repeats}, ms)"
    )
    print(
        f"{'lmax':>4} {'normalization':>13} {'pass':>8} {'curienn':>9} {'e3nn':>9} {'ratio':>7}"
    )
    for lmax in args.lmax:
        ls = list(range(lmax + 1))
        for normalization in ["component", "integral"]:
            for mode in ["fwd", "fwd+bwd"]:
                runs = {}
                for name, fn in implementations.items():
                    if mode == "fwd":

                        def run(fn=fn, ls=ls, normalization=normalization):
                            with torch.no_grad():
                                fn(ls, x, True, normalization)

                    else:
                        xr = x.clone().requires_grad_()

                        def run(fn=fn, xr=xr, ls=ls, normalization=normalization):
                            out = fn(ls, xr, True, normalization)
                            (grad,) = torch.autograd.grad(out, xr, torch.ones_like(out))
                            return grad

                    runs[name] = run
                times = _best_times(runs, args.repeats, clock)
                ratio = times["e3nn"] / times["curienn"]
                results[f"lmax{lmax}_{normalization}_{mode}"] = round(ratio, 2)
                print(
                    f"{lmax:>4} {normalization:>13} {mode:>8} {1e3 * times['curienn']:9.2f} "
                    f"{1e3 * times['e3nn']:9.2f} {ratio:7.2f}"
                )
    print(
        json.dumps(
            {
                "n": args.n,
                "threads": args.threads,
                "clock": args.clock,
                "ratio_e3nn_over_curienn": results,
            }
        )
    )


if __name__ == "__main__":
    main()
