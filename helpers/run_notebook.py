"""Run one notebook top to bottom and send what happened as JSON (the checker's worker).

    python -I -c "...main()" --notebook PREPARED.ipynb --source STAGED --dest COPY \
        --name NAME.ipynb --result-fd FD [--cell-timeout S] [--max-output BYTES] [--allow-errors]

Started by ``helpers.check`` (``helpers.sandbox.Run``), usually inside bubblewrap. It copies the
staged hand-in (``--source``, read-only) into ``--dest``, runs the notebook the checker prepared
(``--notebook``; for grading it may differ from the learner's file) with ``--dest`` as its
working directory, and writes one JSON object to ``--result-fd``:

    status, message         "ok" | "error" | "timeout" | "died" | "output_limit", in words
    cells                   per code cell: index, grade_id, ran, raised, error, message
    cells_run, code_cells   counts
    markdown_outputs        every text/markdown output (hand-ins show their tables so)
    handin_markdown         handin/backprop_tables.md as the run left it: {"text"} or {"error"}
    files_changed           "created x", "changed x", "deleted x" in the copy
    check_outputs           grade_id -> outputs of each nbgrader check cell (for grading)
    disk_bytes              bytes in use on the copy's file system (the sandbox's tmpfs)

The result pipe is closed-on-exec and the worker is not dumpable, so the kernel (same user)
can neither inherit it nor open it through /proc/<pid>/fd; if the kernel kills the worker,
the checker gets no result and fails the hand-in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import stat
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from helpers.sandbox import PR_SET_DUMPABLE, prctl
from helpers.store import sha256_of

TABLES_FILE = "handin/backprop_tables.md"
MAX_TABLES_BYTES = 5_000_000
MAX_HASH_BYTES = 50_000_000


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


def cell_results(notebook) -> list[dict]:
    """Per code cell: did it run, did it raise (error name, first 300 characters)."""
    results = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        results.append({"index": index, "grade_id": grade_id if isinstance(grade_id, str)
                        else None, "ran": cell.get("execution_count") is not None,
                        "raised": bool(errors),
                        "error": str(errors[0].get("ename", ""))[:100] if errors else None,
                        "message": str(errors[0].get("evalue", ""))[:300] if errors else None})
    return results


MAX_OUTPUT_TEXT = 4000  # characters kept of each text in a check cell's outputs


def _short(value):
    if isinstance(value, str):
        return value[:MAX_OUTPUT_TEXT]
    if isinstance(value, list):
        return _short("".join(str(v) for v in value))
    if isinstance(value, dict):
        return {str(k): _short(v) for k, v in list(value.items())[:20]}
    return value


def check_outputs(notebook) -> dict:
    """grade_id -> outputs (JSON, texts cut short) of every nbgrader check cell: a graded
    code cell that is not a solution. What grading scores (helpers.grading)."""
    found = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not isinstance(meta, dict) or not meta.get("grade") \
                or meta.get("solution") or not isinstance(meta.get("grade_id"), str):
            continue
        found[meta["grade_id"]] = [
            {k: _short(v) for k, v in output.items() if k not in ("traceback",)}
            for output in cell.get("outputs", [])[:20]]
    return found


def disk_used(folder: Path) -> int:
    """Bytes in use on the file system holding ``folder``."""
    info = os.statvfs(folder)
    return (info.f_blocks - info.f_bfree) * info.f_frsize


def run(notebook, folder: Path, cell_timeout: int, max_output: int,
        allow_errors: bool = False) -> dict:
    """Execute ``notebook`` (nbformat v4) in ``folder``; the result fields listed above."""
    client = CappedClient(notebook, timeout=cell_timeout, kernel_name="python3",
                          resources={"metadata": {"path": str(folder)}},
                          allow_errors=allow_errors, record_timing=False)
    client.max_output = max_output
    result = {"status": "ok", "message": "ran top to bottom"}
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
    result["cells"] = cell_results(notebook)
    result["cells_run"] = sum(c["ran"] for c in result["cells"])
    result["code_cells"] = len(result["cells"])
    result["markdown_outputs"] = markdown_outputs(notebook)
    result["check_outputs"] = check_outputs(notebook)
    return result


# -- the copy, before and after ------------------------------------------------------------------
def _digest(path: str) -> str:
    """SHA-256 of a regular file; a description of anything else (never opened: a FIFO
    would block) or of a file too large to hash."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASH_BYTES:
        return f"special or large: mode {info.st_mode:o}, {info.st_size} bytes"
    return sha256_of(path)


def snapshot(folder: Path) -> dict[str, str]:
    """relative path -> SHA-256 (or a description for links and special files)."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = os.path.join(root, name)
            key = os.path.relpath(path, folder)
            try:
                found[key] = ("link" if os.path.islink(path) else _digest(path))
            except OSError as error:
                found[key] = f"unreadable ({error.strerror})"
    return found


def changes(before: dict, after: dict) -> list[str]:
    return sorted([f"created {p}" for p in after.keys() - before.keys()]
                  + [f"deleted {p}" for p in before.keys() - after.keys()]
                  + [f"changed {p}" for p in before.keys() & after.keys()
                     if before[p] != after[p]])


def read_tables(folder: Path) -> dict | None:
    """The tables file the run wrote: {"text": ...} or {"error": why}, None if absent."""
    path = folder / TABLES_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        return {"error": f"{TABLES_FILE} cannot be opened ({error.strerror})"}
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            return {"error": f"{TABLES_FILE} is not a regular file"}
        data = stream.read(MAX_TABLES_BYTES + 1)
    if len(data) > MAX_TABLES_BYTES:
        return {"error": f"{TABLES_FILE} is over {MAX_TABLES_BYTES:,} bytes"}
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError as error:
        return {"error": f"{TABLES_FILE} is not UTF-8 text (byte {error.start})"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebook", type=Path, required=True)
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--dest", type=Path, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--result-fd", type=int, required=True)
    parser.add_argument("--cell-timeout", type=int, default=60)
    parser.add_argument("--max-output", type=int, default=2_000_000)
    parser.add_argument("--file-limit", type=int, default=512 * 2**20)
    parser.add_argument("--allow-errors", action="store_true")
    args = parser.parse_args(argv)
    os.set_inheritable(args.result_fd, False)
    prctl(PR_SET_DUMPABLE, 0)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (args.file_limit, args.file_limit))
    with os.fdopen(args.result_fd, "w", encoding="utf-8") as channel:
        shutil.copytree(args.source, args.dest, dirs_exist_ok=True)
        before = snapshot(args.dest)
        notebook = nbformat.read(args.notebook, as_version=4)
        result = run(notebook, args.dest, args.cell_timeout, args.max_output,
                     args.allow_errors)
        result["files_changed"] = changes(before, snapshot(args.dest))
        result["handin_markdown"] = read_tables(args.dest)
        result["disk_bytes"] = disk_used(args.dest)
        json.dump(result, channel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
