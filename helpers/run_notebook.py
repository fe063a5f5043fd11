"""Run one notebook top to bottom and write what happened as JSON (the checker's worker).

    python -m helpers.run_notebook NOTEBOOK RESULT.json [--cell-timeout S] [--max-output BYTES]

Used by ``helpers.check``, usually inside a sandbox, on a temporary copy of a hand-in. The
notebook runs with its own folder as working directory. It never writes to NOTEBOOK.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


class CappedClient(NotebookClient):
    """A NotebookClient that stops a notebook once its outputs pass ``max_output`` bytes,
    instead of holding everything it prints in memory."""

    max_output = 2_000_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.output_bytes = 0
        self.capped_at = None

    def output(self, outs, msg, display_id, cell_index):
        if self.capped_at is not None:
            return None  # drop everything after the cap
        self.output_bytes += len(json.dumps(msg.get("content", {})))
        if self.output_bytes > self.max_output:
            # An exception here would only end the task reading outputs; interrupting
            # the kernel ends the cell itself.
            self.capped_at = cell_index
            asyncio.ensure_future(self.km.interrupt_kernel())
            return None
        return super().output(outs, msg, display_id, cell_index)


def markdown_outputs(notebook) -> list[str]:
    """Every text/markdown output of the executed notebook (hand-ins show their tables so)."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown")
            if text:
                found.append(text if isinstance(text, str) else "".join(text))
    return found


def run(path: Path, cell_timeout: int, max_output: int) -> dict:
    notebook = nbformat.read(path, as_version=4)
    client = CappedClient(notebook, timeout=cell_timeout, kernel_name="python3",
                          resources={"metadata": {"path": str(path.parent)}},
                          allow_errors=False, record_timing=False)
    client.max_output = max_output
    start = time.perf_counter()
    result = {"status": "ok", "cell": None, "message": "ran top to bottom"}
    try:
        client.execute()
    except CellTimeoutError:
        result = {"status": "timeout", "message": f"a cell ran longer than {cell_timeout} s"}
    except DeadKernelError:
        result = {"status": "died", "message": "the kernel died or exited (e.g. exit(), "
                  "os._exit() or running out of memory)"}
    except CellExecutionError as error:
        lines = [line for line in str(error).splitlines() if line.strip()]
        result = {"status": "error", "message": lines[-1][:300] if lines else "a cell raised"}
    if client.capped_at is not None:
        result = {"status": "output_limit", "message": f"cell {client.capped_at} pushed the "
                  f"output past {max_output:,} bytes and was stopped"}
    result["seconds"] = round(time.perf_counter() - start, 2)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    ran = [i for i, c in enumerate(code_cells) if c.get("execution_count")]
    result["cells_run"] = len(ran)
    result["code_cells"] = len(code_cells)
    result["markdown_outputs"] = markdown_outputs(notebook)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--cell-timeout", type=int, default=60)
    parser.add_argument("--max-output", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    result = run(args.notebook, args.cell_timeout, args.max_output)
    args.result.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
