"""The instructor's checker for handed-in notebooks.

    python -m helpers.check SUBMISSIONS... [--md REPORT.md] [--json REPORT.json]
    course-check SUBMISSIONS...                      (the same, as a console script)

SUBMISSIONS are .ipynb files or folders of them. For each notebook:

1. Is it a notebook? Valid JSON, nbformat 4, valid against the nbformat schema, with code.
2. Assignment 2.2 (``metadata.course.assignment == "python-numpy-tutorial"``, or a file name
   with "tutorial"): the name check of ``helpers.names``.
3. Assignment 2.1 (``"backprop-tables"``, or "backprop" in the name): the tables are read
   from the Markdown the notebook writes when run (``handin/backprop_tables.md`` in its
   folder) or shows, else from a Markdown file handed in beside it, and every number is
   recomputed from the learner's recorded initial values (``helpers.tables_handin``).
4. Does it run top to bottom? In a temporary copy of its folder, in a fresh kernel, with a
   time limit per cell and for the whole notebook and a cap on output. Where bubblewrap
   (``bwrap``) works, inside it: the system read-only, only the copy writable, no network.

The handed-in files are never written to (their SHA-256 is compared before and after).
Prints a table, writes a Markdown and a JSON report, and exits 1 if any notebook fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from helpers import tables_handin
from helpers.names import check_cells

MAX_FILE_BYTES = 20_000_000


@dataclass
class Verdict:
    """What the checker found for one hand-in."""

    file: str
    kind: str = "unknown"
    valid: bool = False
    runs: str = "not run"
    isolated: bool = False
    seconds: float = 0.0
    names: str = "-"
    tables: str = "-"
    problems: list = field(default_factory=list)
    files_changed: list = field(default_factory=list)
    unchanged: bool = True

    @property
    def passed(self) -> bool:
        return self.valid and self.runs == "ok" and not self.problems and self.unchanged


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sandbox_command() -> list[str] | None:
    """The bubblewrap prefix, or None where bwrap is missing or does not work here."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    probe = subprocess.run([bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                            "--unshare-net", "true"], capture_output=True, timeout=20)
    if probe.returncode != 0:
        return None
    command = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
               "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent",
               "--new-session"]
    # The fresh /tmp would hide a course or a Python that lives under /tmp (a clone made
    # there, say): bind them back, read-only.
    project = Path(__file__).resolve().parents[1]
    for path in sorted({sys.prefix, sys.base_prefix, str(project)}):
        command += ["--ro-bind", path, path]
    return command


def _limit_memory(megabytes: int):
    def apply():
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.setsid()
    return apply


def snapshot(folder: Path) -> dict[str, str]:
    """relative path -> SHA-256 for every file under ``folder``."""
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def read_notebook(path: Path, verdict: Verdict):
    """The notebook as nbformat v4, or None with the reason in ``verdict.problems``."""
    if path.stat().st_size > MAX_FILE_BYTES:
        verdict.problems.append(f"the file is {path.stat().st_size:,} bytes, over the "
                                f"{MAX_FILE_BYTES:,} a hand-in may have")
        return None
    try:
        raw = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        verdict.problems.append(f"not a notebook: the file is not JSON ({error})")
        return None
    if not isinstance(raw, dict) or "nbformat" not in raw:
        verdict.problems.append("not a notebook: JSON without an nbformat version")
        return None
    if not isinstance(raw["nbformat"], int) or raw["nbformat"] < 4:
        verdict.problems.append(f"saved in the old notebook format {raw['nbformat']}: open it "
                                "in JupyterLab and save it again")
        return None
    try:
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several kinds; all mean the same here
        first = str(error).splitlines()[0][:200]
        verdict.problems.append(f"not a valid notebook: {first}")
        return None
    if not any(cell.cell_type == "code" and cell.source.strip() for cell in notebook.cells):
        verdict.problems.append("the notebook has no code")
        return None
    return notebook


def assignment_of(notebook, path: Path) -> str:
    kind = notebook.metadata.get("course", {}).get("assignment")
    if kind:
        return kind
    if "tutorial" in path.name:
        return "python-numpy-tutorial"
    if "backprop" in path.name:
        return "backprop-tables"
    return "notebook"


def execute(path: Path, verdict: Verdict, options) -> dict:
    """Run a temporary copy of ``path``'s folder; returns the worker's result."""
    work = Path(tempfile.mkdtemp(prefix="course-check-"))
    try:
        copy = work / "handin"
        shutil.copytree(path.parent, copy, symlinks=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        home = work / "home"
        home.mkdir()
        before = snapshot(copy)
        result_file = work / "result.json"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
               "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
               "MPLCONFIGDIR": str(home / "mpl"), "JUPYTER_PLATFORM_DIRS": "1",
               "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
        command = [sys.executable, "-m", "helpers.run_notebook", str(copy / path.name),
                   str(result_file), "--cell-timeout", str(options.cell_timeout),
                   "--max-output", str(options.max_output)]
        prefix = None if options.no_sandbox else sandbox_command()
        if prefix:
            command = prefix + ["--bind", str(work), str(work), "--chdir", str(copy)] + command
        verdict.isolated = prefix is not None
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=copy, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   preexec_fn=_limit_memory(options.memory_mb))
        try:
            process.wait(timeout=options.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            result = {"status": "timeout",
                      "message": f"the whole notebook took longer than {options.timeout} s"}
        else:
            try:
                result = json.loads(result_file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                result = {"status": "died", "message": "the run ended without a result "
                          f"(exit code {process.returncode}; out of memory?)"}
        verdict.seconds = round(time.perf_counter() - start, 1)
        after = snapshot(copy)
        verdict.files_changed = sorted(
            [f"created {p}" for p in after.keys() - before.keys()]
            + [f"deleted {p}" for p in before.keys() - after.keys()]
            + [f"changed {p}" for p in before.keys() & after.keys() if before[p] != after[p]])
        written = copy / "handin" / "backprop_tables.md"
        result["handin_markdown"] = written.read_text(encoding="utf-8") if written.is_file() \
            else None
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def tables_text(path: Path, result: dict) -> str | None:
    """The backprop hand-in's Markdown: written by the run, shown by it, or handed in beside."""
    if result.get("handin_markdown"):
        return result["handin_markdown"]
    for text in result.get("markdown_outputs", []):
        if tables_handin.HEADER_TAG in text:
            return text
    for candidate in sorted(path.parent.rglob("*.md")):
        text = candidate.read_text(encoding="utf-8", errors="replace")
        if tables_handin.HEADER_TAG in text:
            return text
    return None


def check_one(path: Path, options) -> Verdict:
    verdict = Verdict(file=str(path))
    before = sha256(path)
    notebook = read_notebook(path, verdict)
    if notebook is not None:
        verdict.valid = True
        verdict.kind = assignment_of(notebook, path)
        if verdict.kind == "python-numpy-tutorial":
            report = check_cells(notebook.cells)
            shared = sorted({b.name for b in report.shared})
            verdict.names = "ok" if report.ok else f"{len(shared)} shared"
            if shared:
                verdict.problems.append("names shared with the original tutorial: "
                                        + ", ".join(shared))
            for cell, error in report.unparsable:
                verdict.problems.append(f"cell {cell} is not valid Python: {error}")
        result = execute(path, verdict, options)
        verdict.runs = result["status"]
        if result["status"] != "ok":
            verdict.problems.append(f"does not run top to bottom: {result['message']}")
        if verdict.kind == "backprop-tables":
            text = tables_text(path, result)
            if text is None:
                verdict.tables = "missing"
                verdict.problems.append("no backprop tables found: run the hand-in cell of "
                                        "notebook 05, or hand in its Markdown file beside it")
            else:
                check = tables_handin.verify_handin(text)
                verdict.tables = "ok" if check.ok else f"{len(check.problems)} problems"
                verdict.problems += [f"tables: {p}" for p in check.problems[:20]]
    verdict.unchanged = sha256(path) == before
    if not verdict.unchanged:
        verdict.problems.append("the handed-in file changed while it was checked")
    return verdict


def find_notebooks(paths: list[str]) -> list[Path]:
    found = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb")
                            if ".ipynb_checkpoints" not in p.parts)
        elif path.is_file():
            found.append(path)
        else:
            print(f"warning: {name} does not exist; skipped", file=sys.stderr)
    return found


COLUMNS = ("file", "kind", "valid", "names", "tables", "runs", "isolated", "seconds", "verdict")


def row(verdict: Verdict) -> list[str]:
    return [Path(verdict.file).name, verdict.kind, "yes" if verdict.valid else "no",
            verdict.names, verdict.tables, verdict.runs, "yes" if verdict.isolated else "no",
            f"{verdict.seconds:.1f}", "PASS" if verdict.passed else "FAIL"]


def markdown_report(verdicts: list[Verdict]) -> str:
    lines = ["# Hand-in check", "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row(v)) + " |" for v in verdicts]
    for verdict in verdicts:
        if verdict.problems or verdict.files_changed:
            lines += ["", f"## {Path(verdict.file).name}", ""]
            lines += [f"- {problem}" for problem in verdict.problems]
            if verdict.files_changed:
                lines.append("- files its run touched (in the temporary copy only): "
                             + ", ".join(verdict.files_changed[:20]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.check",
                                     description="Check handed-in notebooks.")
    parser.add_argument("submissions", nargs="+", help=".ipynb files or folders")
    parser.add_argument("--md", default="check-report.md", help="Markdown report path")
    parser.add_argument("--json", default="check-report.json", help="JSON report path")
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per notebook")
    parser.add_argument("--max-output", type=int, default=2_000_000,
                        help="bytes of output a notebook may print")
    parser.add_argument("--memory-mb", type=int, default=4096, help="memory per run")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="do not use bubblewrap even where it works")
    options = parser.parse_args(argv)
    from tqdm.auto import tqdm

    notebooks = find_notebooks(options.submissions)
    if not notebooks:
        print("no .ipynb files found in " + ", ".join(options.submissions), file=sys.stderr)
        return 2
    verdicts = [check_one(path, options) for path in tqdm(notebooks, desc="checking",
                                                           unit="notebook")]
    widths = [max(len(c), *(len(row(v)[i]) for v in verdicts)) for i, c in enumerate(COLUMNS)]
    print("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)))
    for verdict in verdicts:
        print("  ".join(cell.ljust(w) for cell, w in zip(row(verdict), widths, strict=True)))
        for problem in verdict.problems[:3]:
            print(f"    - {problem}")
    Path(options.md).write_text(markdown_report(verdicts), encoding="utf-8")
    Path(options.json).write_text(json.dumps(
        [{**asdict(v), "passed": v.passed} for v in verdicts], indent=2), encoding="utf-8")
    print(f"reports: {options.md}, {options.json}")
    return 0 if all(v.passed for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
