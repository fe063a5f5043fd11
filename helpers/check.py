"""The instructor's checker for handed-in notebooks.

    python -m helpers.check SUBMISSIONS... [--assignment auto|tables|tutorial|plain]
                            [--jobs N] [--md REPORT.md] [--json REPORT.json]
    course-check SUBMISSIONS...                      (the same, as a console script)

SUBMISSIONS are .ipynb files or folders of them (searched without following symbolic links).
Every notebook found gets its own row, whatever it holds: anything that goes wrong while one
hand-in is checked fails that hand-in alone, with the reason. For each notebook:

1. Is it a notebook? A regular file (not a link, FIFO or device) of at most 20 MB, valid JSON,
   nbformat 4, valid against the nbformat schema, with code.
2. Which checks? The instructor decides: ``--assignment`` names the assignment of every
   hand-in, or (``auto``, the default) the file name does: "tutorial" in it means Assignment
   2.2, "backprop" Assignment 2.1 (but not "backprop_intuition", notebook 04), anything else a
   plain notebook. ``metadata.course.assignment``
   can add a check, never remove one.
3. Assignment 2.2: the name check of ``helpers.names``.
4. Assignment 2.1: the tables are read from the hand-in's own files only: the Markdown its run
   writes (``handin/backprop_tables.md``) or shows, else ``<notebook name>.md`` beside it, else,
   when it is the only notebook in its folder, that folder's ``handin/backprop_tables.md`` or
   ``backprop_tables.md``. Every number is recomputed (``helpers.tables_handin``).
5. Does it run top to bottom? The notebook and its own tables (nothing else) are staged in a
   temporary folder and run from a copy in a fresh kernel, contained and limited
   (``run_staged``, ``helpers.sandbox``). Where hand-ins cannot be isolated the checker
   refuses to run them (exit 2) unless ``--no-sandbox`` is given; every row then says so.

Hand-ins are checked in parallel (``--jobs``, default the number of cores); the report keeps
the order in which they were found. The handed-in files are never written to (each notebook's
SHA-256 is compared before and after). Prints a table (control characters shown, not obeyed),
writes a Markdown report (every name, metadata string and message escaped) and a JSON report
(exact), and exits 1 if any notebook fails.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import html
import json
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from helpers import grading, sandbox, tables_handin
from helpers.names import check_cells

MAX_FILE_BYTES = 20_000_000
MAX_TABLES_BYTES = 2_000_000  # a hand-in's tables are about 30 kB
MAX_JSON_DEPTH = 64  # a notebook nests about 6 deep; metadata may go a little further
ASSIGNMENTS = {"tables": "backprop-tables", "tutorial": "python-numpy-tutorial",
               "plain": "notebook"}
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
OWN_FOLDER_TABLES = ("handin/backprop_tables.md", "backprop_tables.md")


@dataclass
class Verdict:
    """What the checker found for one hand-in (``name``: its path inside the submission)."""

    file: str
    name: str = ""
    kind: str = "unknown"
    assigned_by: str = ""
    valid: bool = False
    runs: str = "not run"
    isolated: bool = False
    limits: dict = field(default_factory=dict)
    seconds: float = 0.0
    names: str = "-"
    tables: str = "-"
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    files_changed: list = field(default_factory=list)
    unchanged: bool = True
    score: str = "-"
    points: dict = field(default_factory=dict)
    flags: list = field(default_factory=list)
    work: dict = field(default_factory=dict)  # what shared_work compares; not reported

    @property
    def passed(self) -> bool:
        return self.valid and self.runs == "ok" and not self.problems and self.unchanged


class HandinFileError(ValueError):
    """A file of a hand-in that the checker will not read (a link, a FIFO, too big, ...)."""


# -- reading the hand-in's own files, never following a link or opening a special file -------
def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (not a link) of at most ``limit`` bytes."""
    try:
        info = os.lstat(path)
    except OSError as error:
        raise HandinFileError(f"cannot be read ({error.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise HandinFileError("is a symbolic link, which the checker does not follow: hand in "
                              "the file itself")
    if not stat.S_ISREG(info.st_mode):
        raise HandinFileError("is not a regular file (a folder, FIFO, socket or device); it "
                              "was not opened")
    if info.st_size > limit:
        raise HandinFileError(f"is {info.st_size:,} bytes, over the {limit:,} it may have")
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
    try:
        handle = os.open(path, flags)
    except OSError as error:
        raise HandinFileError(f"cannot be read ({error.strerror})") from None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):  # replaced since the lstat
            raise HandinFileError("is not a regular file; it was not read")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise HandinFileError(f"is over the {limit:,} bytes it may have")
    return data


def fingerprint(path: Path) -> str:
    """SHA-256 of a hand-in that may be read, else what ``lstat`` says (never reads it whole)."""
    try:
        return hashlib.sha256(read_regular(path, MAX_FILE_BYTES)).hexdigest()
    except HandinFileError:
        try:
            info = os.lstat(path)
        except OSError:
            return "missing"
        return f"{info.st_mode}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"


def json_depth(value) -> int:
    """How deeply lists and dicts nest in ``value`` (iteratively: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                return depth
            stack += [(child, depth + 1) for child in
                      (item.values() if isinstance(item, dict) else item)]
    return deepest


def _load_json(data: bytes, verdict: Verdict):
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        verdict.problems.append(f"not a notebook: the file is not UTF-8 text ({error.reason} "
                                f"at byte {error.start})")
        return None
    except json.JSONDecodeError as error:
        verdict.problems.append(f"not a notebook: the file is not JSON ({error})")
        return None
    except RecursionError:
        raw = TOO_DEEP
    if raw is TOO_DEEP or json_depth(raw) > MAX_JSON_DEPTH:
        verdict.problems.append(f"not a notebook: its JSON nests deeper than {MAX_JSON_DEPTH} "
                                "levels")
        return None
    return raw


TOO_DEEP = object()


def read_notebook(data: bytes, verdict: Verdict):
    """The notebook in ``data`` as nbformat v4, or None with the reason in ``verdict.problems``."""
    raw = _load_json(data, verdict)
    if verdict.problems:
        return None
    if not isinstance(raw, dict) or "nbformat" not in raw:
        verdict.problems.append("not a notebook: JSON without an nbformat version")
        return None
    if not isinstance(raw["nbformat"], int) or raw["nbformat"] < 4:
        verdict.problems.append(f"saved in the old notebook format {str(raw['nbformat'])[:20]}: "
                                "open it in JupyterLab and save it again")
        return None
    try:
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several kinds; all mean the same here
        first = (str(error).splitlines() or [type(error).__name__])[0][:200]
        verdict.problems.append(f"not a valid notebook: {first}")
        return None
    if not any(cell.cell_type == "code" and cell.source.strip() for cell in notebook.cells):
        verdict.problems.append("the notebook has no code")
        return None
    return notebook


# -- which checks: the instructor's choice, to which metadata can only add --------------------
def assignment_of(notebook, path: Path, chosen: str = "auto") -> tuple[str, str]:
    """(kind, how it was decided): kinds joined by "+", e.g. "backprop-tables"."""
    if chosen != "auto":
        kinds, source = {ASSIGNMENTS[chosen]}, "--assignment"
    elif "tutorial" in path.name:
        kinds, source = {ASSIGNMENTS["tutorial"]}, "file name"
    elif "backprop" in path.name and "intuition" not in path.name:  # not notebook 04
        kinds, source = {ASSIGNMENTS["tables"]}, "file name"
    else:
        kinds, source = {ASSIGNMENTS["plain"]}, "file name"
    course = notebook.metadata.get("course")
    declared = course.get("assignment") if isinstance(course, dict) else None
    if isinstance(declared, str) and declared in ASSIGNMENTS.values() and declared not in kinds \
            and declared != ASSIGNMENTS["plain"]:
        kinds = (kinds - {ASSIGNMENTS["plain"]}) | {declared}
        source += " + metadata"
    return "+".join(sorted(kinds)), source


# -- staging: the notebook and its own tables, nothing else ---------------------------------
def notebooks_beside(path: Path) -> int:
    try:
        with os.scandir(path.parent) as entries:
            return sum(entry.name.endswith(".ipynb") for entry in entries)
    except OSError:
        return 1


def own_tables(path: Path) -> list[str]:
    """The files (relative to the notebook's folder) that may hold this hand-in's tables."""
    own = [path.stem + ".md"]
    if notebooks_beside(path) == 1:  # the learner's own folder, not a flat folder of a class
        own += list(OWN_FOLDER_TABLES)
    return own


def staged_name(path: Path) -> str:
    """The notebook's name in the staging folder: its own if plain UTF-8 text, else handin."""
    name = path.name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "handin.ipynb"
    if any(unicodedata.category(c)[0] == "C" for c in name) or len(name) > 120:
        return "handin.ipynb"
    return name


def stage(path: Path, data: bytes, folder: Path, verdict: Verdict) -> str:
    """Write the notebook's bytes and copies of its own tables into ``folder``; returns the
    notebook's name there. Nothing else of the hand-in's folder is copied."""
    name = staged_name(path)
    (folder / name).write_bytes(data)
    if ASSIGNMENTS["tables"] not in verdict.kind:
        return name
    for relative in own_tables(path):
        source = path.parent / relative
        if relative.startswith("handin/") and os.path.islink(path.parent / "handin"):
            verdict.notes.append("handin/ is a symbolic link, not followed")
            continue
        if not os.path.lexists(source):
            continue
        try:
            data = read_regular(source, MAX_TABLES_BYTES)
        except HandinFileError as error:
            verdict.notes.append(f"{relative} {error}")
            continue
        if _decoded(data, relative, verdict) is not None:  # else not staged, and noted
            target = folder / relative
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(data)
    return name


INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: apt install bubblewrap) where user "
                "namespaces are allowed, or pass --no-sandbox to run hand-ins unisolated")
NOT_ISOLATED = ("run NOT isolated (--no-sandbox): the notebook could read and write "
                "anything this user can")


class NoIsolation(RuntimeError):
    """Hand-ins cannot be isolated here, and the instructor did not pass ``--no-sandbox``."""


STOPPING = threading.Event()  # set when the checker is told to stop: runs end, none start


def limits_of(options) -> sandbox.Limits:
    return sandbox.Limits(memory_mb=options.memory_mb, processes=options.max_processes,
                          disk_mb=options.disk_mb, tmp_mb=options.tmp_mb,
                          output_bytes=options.max_output, cell_seconds=options.cell_timeout,
                          notebook_seconds=options.timeout)


def isolation_problem(options) -> str | None:
    """Why hand-ins cannot run isolated here (None if they can, or if not asked to)."""
    return None if options.no_sandbox else sandbox.sandbox_problem()


def worker_arguments(work: Path, name: str, options, isolated: bool, graded: bool) -> list:
    """The worker's command line; paths as the worker sees them (inside the sandbox or not)."""
    if isolated:
        source, dest, given = sandbox.SOURCE_POINT, sandbox.MOUNT_POINT, sandbox.INPUT_POINT
    else:
        source, dest, given = work / "submitted", work / "handin", work / "input"
    return ["--notebook", f"{given}/{RUN_NAME}", "--source", str(source), "--dest", str(dest),
            "--name", name, "--cell-timeout", str(options.cell_timeout),
            "--max-output", str(options.max_output),
            "--file-limit", str(options.disk_mb * 2**20)] + (["--allow-errors"] if graded else [])


RUN_NAME = "notebook.ipynb"


def run_staged(work: Path, name: str, verdict: Verdict, options, notebook=None) -> dict:
    """Run the hand-in staged in ``work/submitted`` (the notebook ``name`` and its own tables)
    in its sandbox, with every limit; returns the worker's result (see helpers.run_notebook).

    ``notebook`` (an nbformat node) is run in place of the staged file, every cell to the end
    even past errors (grading); None runs the staged notebook as handed in, stopping at the
    first error. Raises NoIsolation where the run would not be isolated and
    ``options.no_sandbox`` is not set."""
    problem = isolation_problem(options)
    if problem:
        raise NoIsolation(problem)
    isolated = not options.no_sandbox
    given = work / "input"
    given.mkdir()
    if notebook is None:
        shutil.copyfile(work / "submitted" / name, given / RUN_NAME)
    else:
        nbformat.write(notebook, given / RUN_NAME)
    sandbox.write_identity(given)
    (work / "home").mkdir()
    limits = limits_of(options)
    run = sandbox.Run(work, limits, isolated, name=work.name)
    start = time.perf_counter()
    try:
        if STOPPING.is_set():
            return {"status": "stopped", "message": "the checker was stopped before this run"}
        run.start(worker_arguments(work, name, options, isolated, notebook is not None))
        raw = run.wait(STOPPING)
        reached = run.limit_reached()  # read before the cgroup goes
    finally:
        run.close()
        verdict.seconds = round(time.perf_counter() - start, 1)
        verdict.isolated = isolated
        verdict.limits = run.enforced()
    if raw is None:
        return {"status": "stopped" if STOPPING.is_set() else "limit", "message": run.reason}
    return worker_result(raw, reached, limits)


def worker_result(raw: bytes, reached: str | None, limits) -> dict:
    """The worker's JSON, or why there is none; a limit reached (``reached``) fails the run
    even where the notebook caught the error it caused."""
    try:
        result = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        result = None
    if not isinstance(result, dict):
        return {"status": "died", "message": "the run ended without a result (the kernel or "
                "the worker was killed, or ran out of memory)"}
    disk = result.get("disk_bytes")
    if reached is None and isinstance(disk, int) and disk >= 0.98 * limits.disk_mb * 2**20:
        reached = f"the copy reached the disk limit ({limits.disk_mb} MB)"
    if reached:
        result.update(status="limit", message=reached)
    return result


def _decoded(data: bytes, where: str, verdict: Verdict) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        verdict.notes.append(f"{where} is not UTF-8 text ({error.reason} at byte {error.start})")
        return None


def tables_text(folder: Path, path: Path, result: dict, verdict: Verdict) -> str | None:
    """The backprop hand-in's Markdown: written by the run, shown by it, or one of its own
    files (``own_tables``), as staged in ``folder``: never another learner's."""
    written = result.get("handin_markdown")
    if isinstance(written, dict) and isinstance(written.get("error"), str):
        verdict.notes.append(written["error"])
    elif isinstance(written, dict) and isinstance(written.get("text"), str) \
            and 0 < len(written["text"]) <= MAX_TABLES_BYTES:
        return written["text"]
    for text in result.get("markdown_outputs", []):
        if isinstance(text, str) and tables_handin.HEADER_TAG in text:
            return text[:MAX_TABLES_BYTES]
    for relative in own_tables(path):
        staged = folder / relative
        if staged.is_file():
            text = _decoded(staged.read_bytes(), relative, verdict)
            if text is not None and tables_handin.HEADER_TAG in text:
                return text
    return None


def _name_check(notebook, verdict: Verdict) -> None:
    report = check_cells(notebook.cells)
    shared = sorted({b.name for b in report.shared})
    verdict.names = "ok" if report.ok else f"{len(shared)} shared"
    if shared:
        verdict.problems.append("names shared with the original tutorial: " + ", ".join(shared))
    for cell, error in report.unparsable:
        verdict.problems.append(f"cell {cell} is not valid Python: {error}")


def _tables_check(text: str | None, verdict: Verdict) -> None:
    if text is None:
        verdict.tables = "missing"
        verdict.problems.append("no backprop tables found: run the hand-in cell of notebook 05, "
                                "or hand in its Markdown file as handin/backprop_tables.md in "
                                "your own folder, or as <notebook name>.md beside it")
        return
    check = tables_handin.verify_handin(text)
    verdict.tables = "ok" if check.ok else f"{len(check.problems)} problems"
    verdict.problems += [f"tables: {p}" for p in check.problems[:20]]


def _check(path: Path, data: bytes, verdict: Verdict, options) -> None:
    notebook = read_notebook(data, verdict)
    if notebook is None:
        return
    verdict.valid = True
    verdict.kind, verdict.assigned_by = assignment_of(notebook, path, options.assignment)
    if ASSIGNMENTS["tutorial"] in verdict.kind:
        _name_check(notebook, verdict)
    course = getattr(options, "course", None)
    stem = course.notebook_of(notebook, path.name) if course is not None else None
    graded = stem is not None and course.graded(stem)
    prepared = _prepared(course, stem, notebook, verdict) if graded else None
    work = Path(tempfile.mkdtemp(prefix="course-stage-"))
    try:
        staged = work / "submitted"
        staged.mkdir()
        name = stage(path, data, staged, verdict)
        result = run_staged(work, name, verdict, options, notebook=prepared)
        if prepared is not None:
            _grade(course, stem, notebook, result, verdict)
        verdict.runs = str(result.get("status", "died"))
        if isinstance(result.get("files_changed"), list):
            verdict.files_changed = [str(f) for f in result["files_changed"][:200]]
        if verdict.runs != "ok":
            message = ANSI_COLOUR.sub("", str(result.get("message")))  # traceback colours
            verdict.problems.append(f"does not run top to bottom: {message}")
        if ASSIGNMENTS["tables"] in verdict.kind:
            _tables_check(tables_text(staged, path, result, verdict), verdict)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _prepared(course, stem: str, notebook, verdict: Verdict):
    """The hand-in with the source's check cells put back, or None (then it runs as handed
    in, scored 0 and flagged) where nbgrader cannot place them: its exercise cells were
    deleted or renamed."""
    try:
        return course.prepare(notebook, stem)
    except Exception as error:  # nbgrader's KeyError, ValueError, ... on a mangled hand-in
        verdict.score = f"0/{grading.points_text(course.score(stem, {}).possible)}"
        verdict.flags.append(f"not graded (scored 0): the exercise cells of {stem} are not all "
                             f"in it, deleted or renamed ({type(error).__name__}: "
                             f"{str(error)[:100]}); it ran as handed in")
        return None


def _grade(course, stem: str, notebook, result: dict, verdict: Verdict) -> None:
    """Points per check cell of a graded run (every cell ran, past errors); a run that went
    through with cells raising is an error all the same."""
    outputs = result.get("check_outputs")
    grades = course.score(stem, outputs if isinstance(outputs, dict) else {}, notebook)
    verdict.score = grades.score
    verdict.points = {e.grade_id: {"earned": e.earned, "points": e.points, "status": e.status,
                                   "message": e.message} for e in grades.exercises}
    verdict.flags += grades.flags
    verdict.work = grading.work_of(notebook, course, stem)
    cells = result.get("cells") if isinstance(result.get("cells"), list) else []
    raised = [c for c in cells if isinstance(c, dict) and c.get("raised")]
    if result.get("status") == "ok" and raised:
        first = raised[0]
        result["status"] = "error"
        result["message"] = (f"{len(raised)} cell(s) raised; the first, cell {first.get('index')}: "
                             f"{first.get('error')}: {first.get('message')}")


def check_one(path: Path, options, name: str | None = None) -> Verdict:
    """Check one hand-in. Whatever it holds, this returns its verdict and never raises."""
    verdict = Verdict(file=str(path), name=name or path.name)
    before = fingerprint(path)
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except HandinFileError as error:
        verdict.problems.append(f"the notebook {error}")
        return verdict
    try:
        _check(path, data, verdict, options)
    except NoIsolation as error:
        verdict.runs = "not run"
        verdict.problems.append(f"not run: {error}; {INSTALL_HINT}")
    except Exception as error:  # one hand-in may fail only itself, whatever it breaks
        verdict.problems.append(f"the checker could not finish this hand-in "
                                f"({type(error).__name__}: {str(error)[:300]})")
    if options.no_sandbox:
        verdict.notes.append(NOT_ISOLATED)
    verdict.unchanged = fingerprint(path) == before
    if not verdict.unchanged:
        verdict.problems.append("the handed-in file changed while it was checked")
    return verdict


# -- finding hand-ins -----------------------------------------------------------------------
def _walk(root: Path, prefix: str = "") -> list[tuple[Path, str]]:
    """Every *.ipynb under ``root``, symbolic links listed (to be refused) but not followed;
    each named by its path under ``root`` after ``prefix``."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        here = Path(folder)
        linked = [d for d in dirs if os.path.islink(here / d)]
        for entry in sorted(files + linked):
            if entry.endswith(".ipynb"):
                path = here / entry
                found.append((path, prefix + str(path.relative_to(root))))
    return found


def find_notebooks(paths: list[str]) -> list[tuple[Path, str]]:
    """(path, name to show) for every notebook named or found in a folder, in a stable order.

    A notebook found in a folder is named by its path in it, after the folder's own name
    where several folders are given (two learners' folders may hold the same file names)."""
    found = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += _walk(path, f"{path.resolve().name}/" if len(paths) > 1 else "")
        elif os.path.lexists(path):
            found.append((path, path.name))
        else:
            print(f"warning: {visible(name)} does not exist; skipped", file=sys.stderr)
    return found


def check_all(found: list[tuple[Path, str]], options, progress=None) -> list[Verdict]:
    """Verdicts in the order of ``found``, ``options.jobs`` hand-ins at a time."""
    def one(item):
        verdict = check_one(item[0], options, item[1])
        if progress is not None:
            progress.update(1)
        return verdict

    if options.jobs <= 1:
        verdicts = [one(item) for item in found]
    else:
        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            verdicts = list(pool.map(one, found))
    shared = grading.shared_work({v.name: v.work for v in verdicts if v.work})
    for verdict in verdicts:
        verdict.flags += shared.get(verdict.name, [])
    return verdicts


# -- reports --------------------------------------------------------------------------------
def visible(text) -> str:
    """``text`` with every control, format and separator character (newlines, ANSI escapes,
    bidirectional overrides) and every undecodable byte of a file name written as an escape."""
    text = str(text)
    shown = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":  # a byte of a file name that is not UTF-8 (surrogateescape)
            code = ord(char)
            shown.append(f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF
                         else f"\\u{code:04x}")
        elif category in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn"):
            shown.append(repr(char)[1:-1] if char.isascii() else f"\\u{ord(char):04x}")
        else:
            shown.append(char)
    return "".join(shown)


MARKDOWN_SPECIAL = set("\\`*_{}[]()#!|~$")


def md_escape(text) -> str:
    """``text`` safe in a Markdown table cell, heading or list item: escapes shown, HTML
    escaped, every character Markdown could read as markup backslash-escaped."""
    escaped = html.escape(visible(text), quote=True)
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in escaped)


COLUMNS = ("file", "kind", "valid", "names", "tables", "runs", "score", "isolated", "seconds",
           "verdict")


def row(verdict: Verdict) -> list[str]:
    return [verdict.name, verdict.kind, "yes" if verdict.valid else "no",
            verdict.names, verdict.tables, verdict.runs, verdict.score,
            "yes" if verdict.isolated else "NO" if verdict.runs != "not run" else "-",
            f"{verdict.seconds:.1f}", "PASS" if verdict.passed else "FAIL"]


def limits_section(verdicts: list[Verdict]) -> list[str]:
    """The report's account of isolation and of each limit: its value and how it was held."""
    ran = [v for v in verdicts if v.limits]
    if not ran:
        return []
    lines = ["", "## Isolation and limits", ""]
    if not all(v.isolated for v in ran):
        lines += ["**Not isolated:** " + md_escape(NOT_ISOLATED) + ".", ""]
    else:
        lines += ["Every run was isolated: bubblewrap, as user nobody in a user namespace "
                  "without capabilities, seeing only the course's Python and helpers, its own "
                  "copy and a private /tmp; no network, no devices, no outside sockets.", ""]
    lines += ["| limit | value and how it was enforced |", "|---|---|"]
    lines += [f"| {md_escape(name)} | {md_escape(how)} |" for name, how in ran[0].limits.items()]
    return lines


def markdown_report(verdicts: list[Verdict]) -> str:
    lines = ["# Hand-in check", "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(md_escape(cell) for cell in row(v)) + " |" for v in verdicts]
    for verdict in verdicts:
        if verdict.problems or verdict.files_changed or verdict.notes or verdict.points \
                or verdict.flags:
            lines += ["", f"## {md_escape(verdict.name)}", ""]
            lines += [f"- flag for review: {md_escape(flag)}" for flag in verdict.flags]
            lines += [f"- {md_escape(problem)}" for problem in verdict.problems]
            lines += [f"- points {md_escape(grade_id)}: {grading.points_text(p['earned'])}/"
                      f"{grading.points_text(p['points'])} ({md_escape(p['status'])})"
                      for grade_id, p in verdict.points.items()]
            lines += [f"- note: {md_escape(note)}" for note in verdict.notes]
            if verdict.files_changed:
                lines.append("- files its run touched (in the temporary copy only): "
                             + ", ".join(md_escape(f) for f in verdict.files_changed[:20]))
    lines += limits_section(verdicts)
    return "\n".join(lines) + "\n"


def terminal_report(verdicts: list[Verdict]) -> str:
    rows = [[visible(cell) for cell in row(v)] for v in verdicts]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))]
    for verdict, cells in zip(verdicts, rows, strict=True):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)))
        lines += [f"    - {visible(problem)[:500]}" for problem in verdict.problems[:3]]
        lines += [f"    - note: {visible(note)[:500]}" for note in verdict.notes[:2]]
    return "\n".join(lines)


def json_report(verdicts: list[Verdict]) -> str:
    """Every verdict exactly (non-ASCII and undecodable bytes as JSON escapes)."""
    def exact(verdict):
        fields = asdict(verdict)
        del fields["work"]
        return {**fields, "passed": verdict.passed}

    return json.dumps([exact(v) for v in verdicts], indent=2, ensure_ascii=True)



def cpu_count() -> int:
    """The cores this process may use (Linux), else the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def parse_options(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m helpers.check",
                                     description="Check handed-in notebooks.")
    parser.add_argument("submissions", nargs="+", help=".ipynb files or folders")
    parser.add_argument("--assignment", choices=["auto", *ASSIGNMENTS], default="auto",
                        help="the assignment of every hand-in (auto: from each file name)")
    parser.add_argument("--jobs", type=int, default=cpu_count(),
                        help="hand-ins checked at once (default: the number of cores)")
    parser.add_argument("--md", default="check-report.md", help="Markdown report path")
    parser.add_argument("--json", default="check-report.json", help="JSON report path")
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per notebook")
    parser.add_argument("--max-output", type=int, default=2_000_000,
                        help="bytes of output a notebook may print")
    parser.add_argument("--memory-mb", type=int, default=4096,
                        help="memory of a run's whole process tree, private /tmp included")
    parser.add_argument("--max-processes", type=int, default=256,
                        help="processes and threads a run may have at once")
    parser.add_argument("--disk-mb", type=int, default=512, help="disk for the run's copy")
    parser.add_argument("--tmp-mb", type=int, default=256, help="size of the private /tmp")
    parser.add_argument("--no-grade", action="store_true",
                        help="do not score the course's exercises even where nbgrader is here")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run hand-ins without isolation (only for notebooks you trust)")
    return parser.parse_args(argv)


@contextlib.contextmanager
def stopped_cleanly():
    """While checking: the checker adopts orphans (a daemon a notebook starts comes back to
    it), and SIGTERM, SIGINT or SIGHUP stops every run's process tree, lets each hand-in's
    temporary folder be removed, and exits with 128 + the signal's number."""
    sandbox.prctl(sandbox.PR_SET_CHILD_SUBREAPER, 1)
    children_before = sandbox.children_of(os.getpid())

    def stop(signum, frame):
        STOPPING.set()
        sandbox.stop_everything()
        raise SystemExit(128 + signum)

    main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS} if main_thread else {}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sandbox.kill_orphans(keep=children_before)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PROJECT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def grading_course(options):
    """The course's notebooks made into an nbgrader course (``helpers.grading``) for the run,
    or None: with ``--no-grade``, or where nbgrader (an instructor's tool) is not installed."""
    if options.no_grade:
        yield None
        return
    with grading.course_for(PROJECT / "notebooks") as course:
        yield course


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    from tqdm.auto import tqdm

    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    found = find_notebooks(options.submissions)
    if not found:
        print("no .ipynb files found in " + ", ".join(map(visible, options.submissions)),
              file=sys.stderr)
        return 2
    problem = isolation_problem(options)
    if problem:
        print(f"refusing to run hand-ins: {problem}, so they cannot be isolated.\n"
              f"To check them, {INSTALL_HINT}.", file=sys.stderr)
        return 2
    if options.no_sandbox:
        print(f"warning: {NOT_ISOLATED}", file=sys.stderr)
    with stopped_cleanly(), grading_course(options) as options.course, \
            tqdm(total=len(found), desc="checking", unit="notebook") as progress:
        verdicts = check_all(found, options, progress)
    print(terminal_report(verdicts))
    Path(options.md).write_text(markdown_report(verdicts), encoding="utf-8")
    Path(options.json).write_text(json_report(verdicts), encoding="utf-8")
    print(f"reports: {visible(options.md)}, {visible(options.json)}")
    return 0 if all(v.passed for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
