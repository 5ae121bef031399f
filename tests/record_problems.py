"""Record what real Go prints for a sample of generated problems (tests/problems_go.json).

    python tests/record_problems.py            # needs Go 1.27.3 (pip install 'gmpkit[go]')

For every kind whose question real Go decides deterministically ("what does it print?" at
GOMAXPROCS=1), the first SEEDS seeds' Go programs are built and run RUNS times; the outputs are
stored with a hash of the Go source, so that a changed generator shows up as a stale recording
instead of a silent pass. tests/test_problems.py compares the model's answers with these
recordings without Go, and (marker golive) runs Go live as well.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gmpkit import golang, problems  # noqa: E402

OUT = Path(__file__).resolve().parent / "problems_go.json"
SEEDS = 5
RUNS = 5


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def record() -> list[dict]:
    rows = []
    for kind in problems.kinds():
        for seed in range(SEEDS):
            p = problems.new(kind, seed)
            if not p.golive:
                continue
            outs: Counter[str] = Counter()
            for _ in range(RUNS):
                r = golang.run_go(p.go_source, gomaxprocs=p.gomaxprocs, timeout=60)
                if r.exit_code:
                    raise SystemExit(f"{kind} seed {seed}: Go failed:\n{r.stderr}")
                outs[r.stdout.strip()] += 1
            rows.append({"kind": kind, "seed": seed, "go_sha": sha(p.go_source),
                         "gomaxprocs": p.gomaxprocs, "runs": RUNS,
                         "stdout": dict(outs)})
            print(kind, seed, dict(outs))
    return rows


if __name__ == "__main__":
    data = {"go_version": golang.MODELED_GO_VERSION, "problems": record()}
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT} ({len(data['problems'])} problems)")
