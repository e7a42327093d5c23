"""CPU time and peak memory of a process, read from the kernel."""

import time
from pathlib import Path

import psutil


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (its own, not its children's)."""
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def own_cpu_seconds() -> float:
    """CPU time of this (the benchmark's) process so far."""
    return time.process_time()


def peak_rss_bytes(pid: int) -> int:
    """The process's resident-memory high-water mark (VmHWM in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            kilobytes = int(line.split()[1])
            return kilobytes * 1024
    raise RuntimeError(f"no VmHWM for process {pid}")
