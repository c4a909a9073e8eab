"""The figures every benchmark prints: percentiles of its samples."""

from __future__ import annotations

import statistics


def percentile(samples: list[float], fraction: float) -> float:
    """The sample below which `fraction` of them fall (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latency_line(label: str, seconds: list[float], width: int = 40) -> str:
    """`label n=.. p50=.. ms p90=.. p99=.. mean=..` for samples in seconds."""
    ms = [s * 1000 for s in seconds]
    return (
        f"{label:<{width}} n={len(ms):<4} p50={percentile(ms, 0.50):7.1f} ms  "
        f"p90={percentile(ms, 0.90):7.1f} ms  p99={percentile(ms, 0.99):7.1f} ms  "
        f"max={max(ms):7.1f} ms  mean={statistics.fmean(ms):7.1f} ms"
    )
