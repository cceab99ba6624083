"""Every performance target of curienn against e3nn 0.6.0, in one run: one table, one JSON line.

    python benchmarks/performance.py --quick      # a few minutes on 2 shared cores
    python benchmarks/performance.py              # the full plan (an hour or more)
    python benchmarks/performance.py --only network,sh --threads 1 --dtypes float32

Workloads (``benchmarks/_workloads.py``), each built for both libraries with the same
weights and inputs and checked to agree: the talk's gate-points ``Network`` (1,000 points,
~12 neighbours), a NequIP/MACE-size ``Network`` (``mul x (0e+1o+2e)``, edge harmonics to
lmax 2 or 3, 3 layers, ~30 neighbours, species one-hot), one convolution of that size
(gather, per-edge-weight tensor product, scatter, with its radial MLP and node products),
the convolution's ``TensorProduct`` alone, ``Linear`` at 64 and 256 channels, spherical
harmonics at lmax 1, 2, 3, 6; float32 and float64; 1 and 2 threads; forward, forward and
backward, and force training (a loss on ``-dE/dpos``, so a double backward).

Times are wall-clock minima over interleaved repeats (curienn, e3nn, curienn, ...) so that
both libraries see the same machine load; ``e3nn/curienn`` is the speed-up. GFLOP/s counts
the useful operations of each workload (see ``_workloads.py``: sparse Clebsch-Gordan
contractions, per-edge weights, GEMMs; backward counted as twice the forward, force
training as four times) and is compared with a same-run ``torch.mm`` of equal work (square
matrices of the same FLOP count, same dtype and threads). ``--compile`` adds the Network
under ``torch.compile`` (inductor; first dtype and thread count only), with its compile
time. ``--e3nn-jit`` adds rows ``<kind>-vs-e3nn-jit``: curienn eager against e3nn's own
compiled mode (``e3nn.util.jit.compile``, TorchScript), the second baseline, where it runs
(first dtype and thread count only). Rows that miss their target
print the profile of the curienn call (top operators by self CPU time) after the table.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import torch

import _workloads as W

TARGETS = {  # (workload kind, mode) -> (quantity, threshold)
    ("network", "fwd+bwd"): ("speedup", 3.0),
    ("network-compiled", "fwd+bwd"): ("speedup", 5.0),
    ("linear", "fwd"): ("speedup", 2.0),
    ("linear", "fwd+bwd"): ("speedup", 2.0),
    ("sh", "fwd+bwd"): ("speedup", 2.0),
    ("conv", "fwd"): ("pct_mm", 10.0),
    ("conv", "fwd+bwd"): ("pct_mm", 10.0),
    ("tp", "fwd"): ("pct_mm", 10.0),
    ("tp", "fwd+bwd"): ("pct_mm", 10.0),
}


def plan(quick: bool, threads: list, dtypes: list) -> list:
    """``(kind, factory, dtype, threads)`` for every workload to run."""
    f32 = [d for d in dtypes if d == torch.float32] or dtypes[:1]
    t1 = threads[:1]
    if quick:
        items = [("network", lambda d: W.network("talk", 1000, d), dtypes, threads),
                 ("network", lambda d: W.network("nequip", 1000, d, 32, 2), f32, t1),
                 ("conv", lambda d: W.convolution(32, 2, 800, 20000, d), dtypes, t1),
                 ("tp", lambda d: W.per_sample_tp(32, 2, 20000, d), f32, t1),
                 ("linear", lambda d: W.linear(64, 5000, d), dtypes, threads),
                 ("linear", lambda d: W.linear(256, 1000, d), f32, t1)]
        items += [("sh", (lambda l: lambda d: W.spherical_harmonics(l, 50_000, d))(lmax), dtypes, t1)
                  for lmax in (1, 2, 3, 6)]
        return items
    items = [("network", lambda d: W.network("talk", 1000, d), dtypes, threads)]
    for mul, lmax in ((32, 2), (32, 3), (64, 2), (64, 3)):
        items.append(("network", (lambda m, l: lambda d: W.network("nequip", 2000, d, m, l))(mul, lmax),
                      dtypes if (mul, lmax) == (32, 2) else f32, threads if (mul, lmax) == (32, 2) else t1))
    items += [("conv", (lambda m, l: lambda d: W.convolution(m, l, 2000, 60000, d))(mul, lmax), f32, threads)
              for mul, lmax in ((32, 2), (64, 3))]
    items += [("tp", lambda d: W.per_sample_tp(32, 2, 60000, d), f32, threads)]
    items += [("linear", lambda d: W.linear(64, 20000, d), dtypes, threads),
              ("linear", lambda d: W.linear(256, 4000, d), dtypes, threads)]
    items += [("sh", (lambda l: lambda d: W.spherical_harmonics(l, 100_000, d))(lmax), dtypes, threads)
              for lmax in (1, 2, 3, 6)]
    return items


CLOCK = time.perf_counter


def interleaved_min(fns: list, repeat: int) -> list:
    for f in fns:
        f()  # warm-up (and, compiled, the compilation)
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, f in enumerate(fns):
            t = CLOCK()
            f()
            best[i] = min(best[i], CLOCK() - t)
    return best


_MM: dict = {}


def mm_gflops(flops: float, dtype: torch.dtype) -> float:
    """GFLOP/s of ``torch.mm`` of two square matrices with about ``flops`` operations."""
    n = int(min(3072, max(48, round((flops / 2) ** (1 / 3)))))
    key = (n, dtype, torch.get_num_threads())
    if key not in _MM:
        a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
        t = min(interleaved_min([lambda: torch.mm(a, b)], 5))
        _MM[key] = 2 * n**3 / t / 1e9
    return _MM[key]


def top_ops(fn, rows: int = 12) -> str:
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fn()
    return prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (a few minutes)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"], choices=["float32", "float64"])
    parser.add_argument("--repeat", type=int, default=None, help="timed repeats per row (default 3 quick, 5 full)")
    parser.add_argument("--only", default="", help="comma-separated kinds: network, conv, tp, linear, sh")
    parser.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None,
                        help="also time the Network under torch.compile (default: on in the full run)")
    parser.add_argument("--e3nn-jit", action=argparse.BooleanOptionalAction, default=None,
                        help="also time e3nn's compiled mode (e3nn.util.jit.compile, TorchScript) as a second "
                             "baseline where it runs (default: on in the full run)")
    parser.add_argument("--no-profile", action="store_true", help="do not print profiles of missed targets")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall time, or process CPU time (steadier on a shared machine with 1 thread; "
                             "with more threads it also counts the threads' spinning)")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.perf_counter if args.clock == "wall" else time.process_time
    dtypes = [getattr(torch, d) for d in args.dtypes]
    repeat = args.repeat or (3 if args.quick else 5)
    do_compile = (not args.quick) if args.compile is None else args.compile
    do_jit = (not args.quick) if args.e3nn_jit is None else args.e3nn_jit
    only = set(filter(None, args.only.split(",")))

    load0 = os.getloadavg()
    print(f"curienn vs e3nn 0.6.0, torch {torch.__version__}, {os.cpu_count()} CPUs, load average "
          f"{load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f} at start; {'quick' if args.quick else 'full'} plan, "
          f"{args.clock} clock, best of {repeat}",
          flush=True)
    rows, profiles, ratios = [], [], {}
    t_start = time.perf_counter()
    for kind, factory, kdtypes, kthreads in plan(args.quick, args.threads, dtypes):
        if only and kind not in only:
            continue
        for dtype in kdtypes:
            w = factory(dtype)
            for threads in kthreads:
                torch.set_num_threads(threads)
                variants = [(kind, m, fo, fe) for m, (fo, fe) in w.modes.items()]
                if do_compile and kind == "network" and dtype == kdtypes[0] and threads == kthreads[0]:
                    variants += _compiled_variants(w)
                if do_jit and dtype == kdtypes[0] and threads == kthreads[0]:
                    variants += _e3nn_jit_variants(kind, w)
                for vkind, mode, f_ours, f_e3nn in variants:
                    t_ours, t_e3nn = interleaved_min([f_ours, f_e3nn], repeat)
                    flops = w.flops.get(mode.split(" ")[0], 0.0)
                    gf = flops / t_ours / 1e9 if flops else float("nan")
                    gf_mm = mm_gflops(flops, dtype) if flops else float("nan")
                    row = dict(workload=w.name, kind=vkind, dtype=str(dtype).replace("torch.", ""), threads=threads,
                               mode=mode, ours_ms=1e3 * t_ours, e3nn_ms=1e3 * t_e3nn, speedup=t_e3nn / t_ours,
                               gflops=gf, mm_gflops=gf_mm, pct_mm=100 * gf / gf_mm, rel_diff=w.rel_diff)
                    target = TARGETS.get((vkind, mode.split(" ")[0]))
                    row["target"] = f"{target[0]}>={target[1]:g}" if target else ""
                    row["met"] = None if target is None else bool(row[target[0]] >= target[1])
                    rows.append(row)
                    key = f"{vkind}|{w.name}|{row['dtype']}|t{threads}|{mode}"
                    ratios[key] = round(row["speedup"], 3)
                    print(_format(row), flush=True)
                    if row["met"] is False and not args.no_profile:
                        profiles.append((key, top_ops(f_ours)))
            del w
    load1 = os.getloadavg()
    print(f"\n{'workload':44s} {'dtype':7s} {'thr':>3s} {'mode':22s} {'curienn ms':>10s} {'e3nn ms':>9s} "
          f"{'e3nn/ours':>9s} {'GF/s':>7s} {'mm GF/s':>7s} {'%mm':>6s}  target")
    for row in rows:
        print(_format(row))
    met = [r for r in rows if r["met"] is not None]
    print(f"\ntargets met: {sum(r['met'] for r in met)}/{len(met)}; max relative difference curienn vs e3nn "
          f"{max(r['rel_diff'] for r in rows):.1e}; load average {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} "
          f"at end; {time.perf_counter() - t_start:.0f} s")
    for key, text in profiles:
        print(f"\nprofile of curienn, target missed: {key}\n{text}")
    print(json.dumps({"benchmark": "performance", "quick": args.quick, "clock": args.clock, "load_avg_start": load0[0],
                      "load_avg_end": load1[0], "speedup_e3nn_over_curienn": ratios,
                      "pct_of_mm": {f"{r['kind']}|{r['workload']}|{r['dtype']}|t{r['threads']}|{r['mode']}":
                                    round(r["pct_mm"], 2) for r in rows if r["gflops"] == r["gflops"]},
                      "targets_met": {f"{r['kind']}|{r['workload']}|{r['dtype']}|t{r['threads']}|{r['mode']}":
                                      r["met"] for r in met}}))


def _format(r: dict) -> str:
    flag = "" if r["met"] is None else ("ok " if r["met"] else "MISS ") + r["target"]
    return (f"{r['workload'][:44]:44s} {r['dtype']:7s} {r['threads']:3d} {r['mode'][:22]:22s} {r['ours_ms']:10.2f} "
            f"{r['e3nn_ms']:9.2f} {r['speedup']:9.2f} {r['gflops']:7.2f} {r['mm_gflops']:7.1f} {r['pct_mm']:6.1f}  {flag}")


def _e3nn_jit_variants(kind: str, w) -> list:
    """curienn eager against e3nn's compiled mode (TorchScript), the second baseline, where
    e3nn's scripting runs (a failure is printed, not fatal)."""
    if w.e3nn_jit is None:
        return []
    try:
        scripted = w.e3nn_jit()
        for f in scripted.values():
            f()  # scripting and first-call optimisation outside the timing
    except Exception as exc:  # noqa: BLE001 - a baseline that does not run is reported, not fatal
        print(f"e3nn compiled mode does not run for {w.name}: {type(exc).__name__}: {exc}", flush=True)
        return []
    return [(f"{kind}-vs-e3nn-jit", f"{mode} (vs e3nn jit)", w.modes[mode][0], f) for mode, f in scripted.items()]


def _compiled_variants(w) -> list:
    """The curienn Network under ``torch.compile`` (inductor) against e3nn eager, forward and
    backward; the mode label carries the compile time (first call minus an eager call)."""
    if w.compiled is None:
        return []
    f_compiled, t_first = w.compiled()
    t_eager = min(interleaved_min([w.modes["fwd+bwd"][0]], 1))
    return [("network-compiled", f"fwd+bwd (compile {max(0.0, t_first - t_eager):.0f} s)", f_compiled,
             w.modes["fwd+bwd"][1])]


if __name__ == "__main__":
    main()
