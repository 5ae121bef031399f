"""How many CPUs this process may really use: the machine, the affinity mask and the cgroup limit.

``os.cpu_count()`` counts the machine's CPUs. A process may be allowed fewer:

- its **affinity mask** (``sched_getaffinity``) names the CPUs it may run on (``taskset``, a
  container's ``cpuset``);
- its **cgroup CPU limit** caps how much CPU time it gets per period, whichever CPUs it runs on.
  A Binder pod on a 64-core machine typically has a limit of one CPU: 64 CPUs in the mask, one
  CPU's worth of time. cgroup v2 writes the limit to ``cpu.max`` (``"150000 100000"``: 1.5 CPUs;
  ``"max 100000"``: no limit); cgroup v1 to ``cpu.cfs_quota_us`` (``-1``: no limit) and
  ``cpu.cfs_period_us``.

Go reads the same three things to choose its default GOMAXPROCS (``runtime/cgroup_linux.go:
defaultGOMAXPROCS``, with the parsing in ``internal/runtime/cgroup``): the number of CPUs in the
affinity mask, lowered to the cgroup limit rounded up, but never below 2 because of a limit. The
finder here follows the same steps: ``/proc/self/cgroup`` names the process's CPU cgroup (a v1
hierarchy whose controllers include ``cpu``, else the v2 hierarchy, id 0), ``/proc/self/mountinfo``
says where that hierarchy is mounted, and the limit is read from the leaf cgroup only, as Go does.

Standard library only. Every path can be redirected (``proc=``, for tests).
"""

from __future__ import annotations

import math
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CPUs", "cpu_info", "go_default_gomaxprocs", "read_cgroup_limit"]


@dataclass(frozen=True)
class CPUs:
    """What this process may use. ``limit`` is in CPUs (quota / period); None means no limit."""

    logical: int  # CPUs in the machine (os.cpu_count)
    affinity: int  # CPUs in this process's affinity mask (= logical where there is no mask)
    limit: float | None  # the cgroup CPU limit, in CPUs, or None
    limit_file: str | None  # where the limit was read ("" when no cgroup was found)
    cgroup_version: int | None  # 1, 2, or None when no CPU cgroup was found

    @property
    def usable(self) -> int:
        """How many CPUs' worth of work can run at the same time: the mask, capped by the limit
        rounded up (a 1.5-CPU limit lets two CPUs run, each part of the time). At least 1."""
        n = self.affinity
        if self.limit is not None:
            n = min(n, math.ceil(self.limit))
        return max(1, n)

    @property
    def go_gomaxprocs(self) -> int:
        """The GOMAXPROCS Go 1.25+ would choose here by default (see :func:`go_default_gomaxprocs`)."""
        return go_default_gomaxprocs(self.affinity, self.limit)

    def describe(self) -> str:
        """One sentence for the notebooks, saying which of the three numbers decides."""
        parts = [f"{self.logical} CPU{'s' if self.logical != 1 else ''} in this machine"]
        if self.affinity != self.logical:
            parts.append(f"{self.affinity} in this process's affinity mask")
        if self.limit is None:
            where = "no cgroup CPU limit" if self.cgroup_version else "no CPU cgroup found"
            parts.append(where)
        else:
            parts.append(f"a cgroup v{self.cgroup_version} limit of {self.limit:g} CPU"
                         f"{'s' if self.limit != 1 else ''} ({self.limit_file})")
        return ", ".join(parts) + f": {self.usable} usable at the same time."


def go_default_gomaxprocs(affinity: int, limit: float | None) -> int:
    """Go's default GOMAXPROCS (Go 1.25 and later, Linux): the CPUs in the affinity mask, lowered
    to ``ceil(limit)`` when a cgroup limit is set, where a limit below 2 counts as 2
    (``adjustCgroupGOMAXPROCS``: a 0.5-CPU container still gets 2 Ps)."""
    procs = max(1, affinity)
    if limit is not None:
        procs = min(procs, max(2, math.ceil(limit)))
    return procs


def _affinity(logical: int) -> int:
    getter = getattr(os, "sched_getaffinity", None)
    if getter is None:
        return logical
    try:
        return len(getter(0)) or logical
    except OSError:
        return logical


def _unescape(path: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as octal (``\\040``)."""
    out, i = [], 0
    while i < len(path):
        code = path[i + 1:i + 4]
        if path[i] == "\\" and len(code) == 3 and code.isdigit():
            out.append(chr(int(code, 8)))
            i += 4
        else:
            out.append(path[i])
            i += 1
    return "".join(out)


def _cpu_cgroup(proc: Path) -> tuple[int, str] | None:
    """(version, path) of this process's CPU cgroup from ``/proc/self/cgroup`` (Go's
    ``parseCPUCgroup``): a v1 line whose controllers include ``cpu`` wins; else the v2 line."""
    try:
        text = (proc / "self" / "cgroup").read_text()
    except OSError:
        return None
    v2 = None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            v2 = path
        elif "cpu" in controllers.split(","):
            return 1, path
    return (2, v2) if v2 is not None else None


def _mount_point(proc: Path, version: int, cgroup: str) -> str | None:
    """The directory of ``cgroup`` from ``/proc/self/mountinfo`` (Go's ``parseCPUMount``): the
    first cgroup2 mount (v2), or cgroup mount with ``cpu`` in its super options (v1), whose root
    is a prefix of the cgroup path; the result is the mount point plus the rest of the path."""
    try:
        text = (proc / "self" / "mountinfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        root, point = _unescape(fields[3]), _unescape(fields[4])
        fstype, options = tail[0], tail[2].split(",")
        if version == 2 and fstype != "cgroup2":
            continue
        if version == 1 and (fstype != "cgroup" or "cpu" not in options):
            continue
        if root != "/" and not (cgroup == root or cgroup.startswith(root.rstrip("/") + "/")):
            continue
        rest = cgroup[len(root):] if root != "/" else cgroup
        return posixpath.normpath(point + "/" + rest)
    return None


def read_cgroup_limit(proc: str | os.PathLike[str] = "/proc",
                      root: str | os.PathLike[str] = "/") -> tuple[int | None, float | None, str]:
    """(cgroup version, CPU limit in CPUs or None, file read) for this process.

    ``root`` is prepended to the cgroup directory found in mountinfo (tests put a fake tree
    there). A missing or malformed file reads as "no limit", like Go, which then uses the mask.
    """
    proc_path = Path(proc)
    found = _cpu_cgroup(proc_path)
    if found is None:
        return None, None, ""
    version, cgroup = found
    directory = _mount_point(proc_path, version, cgroup)
    if directory is None:
        return None, None, ""
    base = Path(root) / directory.lstrip("/")
    if version == 2:
        limit_file = base / "cpu.max"
        try:
            quota, period = limit_file.read_text().split()
            if quota == "max":
                return 2, None, posixpath.join(directory, "cpu.max")
            return 2, int(quota) / int(period), posixpath.join(directory, "cpu.max")
        except (OSError, ValueError):
            return 2, None, ""
    quota_file, period_file = base / "cpu.cfs_quota_us", base / "cpu.cfs_period_us"
    try:
        quota_us = int(quota_file.read_text().strip())
        if quota_us < 0:
            return 1, None, posixpath.join(directory, "cpu.cfs_quota_us")
        period_us = int(period_file.read_text().strip())
        return 1, quota_us / period_us, posixpath.join(directory, "cpu.cfs_quota_us")
    except (OSError, ValueError, ZeroDivisionError):
        return 1, None, ""


def cpu_info(proc: str | os.PathLike[str] = "/proc", root: str | os.PathLike[str] = "/") -> CPUs:
    """The machine's CPUs, this process's affinity mask and its cgroup CPU limit."""
    logical = os.cpu_count() or 1
    version, limit, where = read_cgroup_limit(proc, root)
    return CPUs(logical=logical, affinity=_affinity(logical), limit=limit,
                limit_file=where or None, cgroup_version=version)
