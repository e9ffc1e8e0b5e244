"""``make bench``: every benchmark, one after the other (each starts its own Peerwork on a
temporary folder). Exits non-zero when one of them does: a page over budget, or failed
requests under load. See bench/README.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("page_weight.py", "latency.py")


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n=== bench/{name} ===", flush=True)
        if subprocess.run([sys.executable, str(HERE / name)]).returncode:
            failed.append(name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
