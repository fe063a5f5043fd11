"""Run every benchmark under bench/ (each file named bench/*.py other than this one).

Each benchmark prints its own Markdown table. `make bench` calls this.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name
                     and not p.name.startswith("_"))
    if not scripts:
        print("No benchmarks yet under bench/.")
        return 0
    print("Benchmarks: " + ", ".join(p.name for p in scripts))
    failed = 0
    for script in scripts:
        print(f"\n## {script.stem}\n", flush=True)
        failed += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
