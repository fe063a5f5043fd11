"""What every benchmark does with its table: print it and keep it in bench/results/.

(A leading underscore keeps bench/run_all.py from running this file as a benchmark.)
"""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def publish(script: str, title: str, table: str) -> None:
    """Print ``table`` and write it to bench/results/<script's stem>.md under ``title``."""
    name = Path(script).name
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{Path(name).stem}.md").write_text(
        f"# {title} (written by bench/{name})\n\n{table}\n")
