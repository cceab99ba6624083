"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/NAME.py``)."""

import statistics
import time


def median_time(fn, repeat: int, warmup: int = 2) -> float:
    """Median wall time of ``fn()`` over ``repeat`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)
