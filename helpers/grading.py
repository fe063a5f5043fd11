"""Grading hand-ins with nbgrader: the learner edition, restored check cells, points.

The notebooks in ``notebooks/`` are the instructor's source (nbgrader solution cells and
autograded check cells, some with hidden tests). ``make_course`` runs nbgrader's
``generate_assignment`` on them in a course folder: it writes the learner edition (what
``make release`` publishes) and a gradebook holding every check cell as the source has it,
hidden tests included. Grading a hand-in is then three steps, the middle one the checker's:

1. ``course.prepare(handin)``: nbgrader's own sanitizing preprocessors (ClearOutput,
   DeduplicateIds, OverwriteKernelspec, OverwriteCells with missing cells added back,
   CheckCellMetadata) put back every check cell from the gradebook by its grade_id, so a test
   the learner edited, deleted or emptied is the source's again, hidden tests and all;
2. the checker runs the prepared notebook top to bottom with errors allowed (every check cell
   must run even when an earlier one fails), in its sandbox;
3. ``course.score(prepared_id, cell_results(executed))``: each check cell's outputs scored by
   ``nbgrader.utils.determine_grade`` (an error or anything on stderr: 0 points; otherwise its
   points), and a hand-in whose exercise cells are still the release's scores 0.

``work_of(handin, course, stem)`` gives what ``shared_work`` compares: a hand-in's exercise code
and, for notebook 05, the initial values it records. ``shared_work`` flags hand-ins of one run
that share their exercise code or their initial values, for the instructor to look at.
nbgrader is an instructor's tool (the ``instructor`` extra), so it is imported only inside the
functions that use it.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path

import nbformat
import numpy as np

from helpers import backprop_tables as bt

ASSIGNMENT = "session2"
PLACEHOLDER = "raise NotImplementedError()"
# Notebook 05's cell where the learner picks the initial values (a seed); a notebook whose
# source holds it records initial values, which hand-ins must not share.
INITIAL_VALUES_CELL = "05-initial-values"
# Initial values are "the same" at the 3 decimal places notebook 05 prints them to (as its
# refusal of the course's and the article's values): compared rounded to that.
INITIAL_DECIMALS = 3


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_check(cell) -> bool:
    """An autograded check cell: a graded code cell the learner does not write in."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def is_exercise(cell) -> bool:
    """A solution cell: where the learner writes the lesson's code."""
    return bool(nbgrader_meta(cell).get("solution")) and cell.cell_type == "code"


def grade_ids(notebook, which=is_check) -> list[str]:
    return [nbgrader_meta(c)["grade_id"] for c in notebook.cells
            if which(c) and nbgrader_meta(c).get("grade_id")]


@contextlib.contextmanager
def _tools_on_path():
    """nbgrader's gradebook runs the ``alembic`` command it installed beside this Python;
    find it there even when that folder is not on PATH (make, the checker)."""
    before = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), before])
    try:
        yield
    finally:
        os.environ["PATH"] = before


def _config(root: Path):
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = ASSIGNMENT
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    config.CourseDirectory.assignment_id = ASSIGNMENT
    config.CourseDirectory.notebook_id = "*"
    # The learner edition holds no outputs at all (nbgrader's default ClearOutput): every
    # saved output of the source was made by the solutions, even the figures after them.
    config.GenerateAssignment.force = True
    config.Exchange.root = str(root / "exchange")  # never used; keeps nbgrader off /srv
    return config


@dataclass
class Exercise:
    """One check cell's result: its grade_id, the points it earned of its points."""

    grade_id: str
    points: float
    earned: float = 0.0
    status: str = "not run"  # "ok", "wrong", "not done", "not run"
    message: str = ""


@dataclass
class Grades:
    """A hand-in's points per exercise, its score and the flags for the instructor."""

    notebook: str
    exercises: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    no_work: bool = False

    @property
    def earned(self) -> float:
        return 0.0 if self.no_work else sum(e.earned for e in self.exercises)

    @property
    def possible(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def score(self) -> str:
        return f"{points_text(self.earned)}/{points_text(self.possible)}"

    def as_dict(self) -> dict:
        return {"notebook": self.notebook, "score": self.score, "earned": self.earned,
                "possible": self.possible, "no_work": self.no_work, "flags": self.flags,
                "exercises": [asdict(e) for e in self.exercises]}


def points_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class Course:
    """The instructor's source run through nbgrader once: the learner edition and a gradebook.

    ``root`` is a scratch course folder (``source/session2/`` the copied notebooks,
    ``release/session2/`` the learner edition, ``gradebook.db``)."""

    def __init__(self, notebooks: Path, root: Path):
        from nbgrader.converters import GenerateAssignment
        from nbgrader.coursedir import CourseDirectory

        self.root = Path(root)
        source = self.root / "source" / ASSIGNMENT
        source.mkdir(parents=True, exist_ok=True)
        paths = sorted(Path(notebooks).glob("*.ipynb"))
        if not paths:
            raise FileNotFoundError(f"no .ipynb files in {notebooks}: give the folder of the "
                                    "instructor's notebooks (notebooks/).")
        for path in paths:
            shutil.copy2(path, source / path.name)
        config = _config(self.root)
        converter = GenerateAssignment(coursedir=CourseDirectory(config=config), config=config)
        with _tools_on_path():
            converter.start()
        self.config = config
        self.release_dir = self.root / "release" / ASSIGNMENT
        self.source = {p.stem: nbformat.read(p, as_version=4) for p in paths}
        self.release = {stem: nbformat.read(self.release_dir / f"{stem}.ipynb", as_version=4)
                        for stem in self.source}

    # -- which notebook a hand-in is ---------------------------------------------------------
    def notebook_of(self, handin, name: str = "") -> str | None:
        """The source notebook a hand-in comes from: the one sharing most grade_ids with it,
        else the one whose number its file name starts with ("05_..."), else None."""
        ids = set(grade_ids(handin, lambda c: bool(nbgrader_meta(c))))
        overlap = {stem: len(ids & set(grade_ids(nb, lambda c: bool(nbgrader_meta(c)))))
                   for stem, nb in self.source.items()}
        best = max(overlap, key=overlap.get, default=None)
        if best is not None and overlap[best] > 0:
            return best
        prefix = Path(name).name[:3]
        return next((stem for stem in self.source if stem[:3] == prefix and prefix[:2].isdigit()),
                    None)

    def graded(self, stem: str) -> bool:
        return bool(grade_ids(self.source[stem]))

    # -- step 1: put the source's check cells back --------------------------------------------
    def prepare(self, handin, stem: str):
        """A copy of ``handin`` with every check cell as the source has it (hidden tests
        included, points and locks restored, deleted ones added back) and no outputs."""
        from nbgrader.preprocessors import (
            CheckCellMetadata,
            ClearOutput,
            DeduplicateIds,
            OverwriteCells,
            OverwriteKernelspec,
        )

        notebook = nbformat.from_dict(handin)
        resources = {"nbgrader": {"notebook": stem, "assignment": ASSIGNMENT,
                                  "db_url": self.config.CourseDirectory.db_url}}
        for preprocessor in (ClearOutput(), DeduplicateIds(), OverwriteKernelspec(),
                             OverwriteCells(add_missing_cells=True), CheckCellMetadata()):
            preprocessor.log.setLevel("ERROR")
            with _tools_on_path():
                notebook, resources = preprocessor.preprocess(notebook, resources)
        return notebook

    # -- step 3: points -------------------------------------------------------------------------
    def untouched(self, handin, stem: str) -> bool:
        """Every exercise cell still as the release has it (or deleted): no work done."""
        released = {nbgrader_meta(c)["grade_id"]: c.source.strip()
                    for c in self.release[stem].cells if is_exercise(c)}
        for cell in handin.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if is_exercise(cell) and grade_id in released \
                    and cell.source.strip() != released[grade_id]:
                return False
        return True

    def score(self, stem: str, results: dict, handin=None) -> Grades:
        """Points per check cell of notebook ``stem`` from ``results`` (grade_id -> the
        outputs that cell gave when the prepared notebook ran; see ``cell_results``).
        With ``handin`` given, a hand-in whose exercise cells are the release's scores 0."""
        from nbgrader.utils import determine_grade

        grades = Grades(notebook=stem)
        for cell in self.source[stem].cells:
            if not is_check(cell):
                continue
            meta = nbgrader_meta(cell)
            exercise = Exercise(grade_id=meta["grade_id"], points=float(meta.get("points", 0)))
            outputs = results.get(exercise.grade_id)
            if outputs is not None:
                ran = nbformat.v4.new_code_cell(cell.source, metadata=cell.metadata)
                ran.outputs = [nbformat.from_dict(o) for o in outputs]
                earned, _ = determine_grade(ran)
                exercise.earned = float(earned or 0)
                exercise.status, exercise.message = _status(ran.outputs, exercise)
            grades.exercises.append(exercise)
        if handin is not None and self.untouched(handin, stem):
            grades.no_work = True
            grades.flags.append("no work: every exercise cell is as the release has it "
                                "(scored 0)")
        return grades


@contextlib.contextmanager
def course_for(notebooks: Path):
    """``Course`` of the notebooks in ``notebooks`` in a scratch folder removed afterwards;
    None where nbgrader is not installed (a learner's repository) or none of them has a
    check cell (nothing to grade)."""
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        yield None
        return
    if not any(grade_ids(nbformat.read(p, as_version=4))
               for p in sorted(Path(notebooks).glob("*.ipynb"))):
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="course-grading-"))
    try:
        yield Course(notebooks, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _status(outputs, exercise: Exercise) -> tuple[str, str]:
    for output in outputs:
        if output.output_type == "error":
            done = output.ename not in ("NotImplementedError", "NotDoneYet")
            return ("wrong" if done else "not done"), f"{output.ename}: {output.evalue}"[:300]
        if output.output_type == "stream" and output.name == "stderr":
            return "wrong", "wrote to stderr: " + output.text.strip()[:200]
    return ("ok" if exercise.earned == exercise.points else "partly"), ""


def cell_results(executed) -> dict:
    """grade_id -> outputs of every check cell of an executed notebook (JSON-ready): what the
    checker's worker hands back for ``Course.score``."""
    results = {}
    for cell in executed.cells:
        if is_check(cell):
            results[nbgrader_meta(cell)["grade_id"]] = [dict(o) for o in cell.get("outputs", [])]
    return results


def exercise_code(notebook, release) -> dict:
    """grade_id -> the learner's code in each exercise cell that differs from the release,
    normalized (comments and layout dropped where it parses) to compare hand-ins."""
    released = {nbgrader_meta(c)["grade_id"]: c.source.strip() for c in release.cells
                if is_exercise(c)}
    code = {}
    for cell in notebook.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if not is_exercise(cell) or released.get(grade_id) == cell.source.strip():
            continue
        try:
            code[grade_id] = ast.dump(ast.parse(cell.source))
        except SyntaxError:
            code[grade_id] = " ".join(cell.source.split())
    return code


def shared_work(handins: dict, min_shared: int = 2) -> dict:
    """Flags for hand-ins that share work with another in the same run.

    ``handins`` maps a name to {"code": exercise_code(...), "initial": the recorded initial
    values (dict of name -> list of numbers) or None}. Two hand-ins are flagged when they
    have the same initial values, or the same code in ``min_shared`` or more exercise cells
    (or in every one, when fewer were written). Returns name -> list of sentences."""
    flags: dict = {name: [] for name in handins}
    for a, b in combinations(sorted(handins), 2):
        first, second = handins[a], handins[b]
        if first.get("initial") and first.get("initial") == second.get("initial"):
            flags[a].append(f"same initial values as {b}")
            flags[b].append(f"same initial values as {a}")
        code_a, code_b = first.get("code", {}), second.get("code", {})
        same = sorted(g for g in code_a.keys() & code_b.keys() if code_a[g] == code_b[g])
        written = min(len(code_a), len(code_b))
        if same and (len(same) >= min_shared or len(same) == written):
            cells = ", ".join(same)
            flags[a].append(f"same code as {b} in {len(same)} exercise cells ({cells})")
            flags[b].append(f"same code as {a} in {len(same)} exercise cells ({cells})")
    return flags


# -- what a hand-in shares with others: its code and its initial values -------------------------
def work_of(handin, course: Course, stem: str) -> dict:
    """What ``shared_work`` compares of one hand-in of notebook ``stem``: {"code":
    ``exercise_code`` against the release, "initial": ``initial_values_in(handin)`` where the
    source picks initial values in an ``INITIAL_VALUES_CELL`` (notebook 05), else None}."""
    picks_values = INITIAL_VALUES_CELL in grade_ids(course.source[stem],
                                                    lambda c: bool(nbgrader_meta(c)))
    return {"code": exercise_code(handin, course.release[stem]),
            "initial": initial_values_in(handin) if picks_values else None}


def initial_values_in(notebook) -> dict | None:
    """The initial values a notebook 05 hand-in records: {"wh": 4 rows of 3, "bh": 1 of 3,
    "wout": 3 of 1, "bout": 1 of 1} as lists of rows of floats rounded to
    ``INITIAL_DECIMALS``, or None where it records none (the release, an unanswered cell).

    Read without running the hand-in: from its code where that is plain literals
    (``MY_SEED = 7``, or ``USE_MY_VALUES = True`` with ``my_values = {...}``), else from
    what its step 1 printed when it last ran (``wh (4, 3):`` and the rounded array)."""
    notebook = nbformat.from_dict(notebook)
    values = _initial_from_code(notebook) or _initial_from_outputs(notebook)
    if values is None:
        return None
    try:
        checked = bt.check_initial_values(values)
    except bt.InitialValuesError:
        return None
    return {name: np.round(array, INITIAL_DECIMALS).tolist() for name, array in checked.items()}


def _literal_assignments(notebook, names: set) -> dict:
    """name -> value of the last top-level ``name = <literal>`` of each of ``names`` in the
    code cells, in cell order (cells that do not parse, e.g. with IPython magics, skipped)."""
    found = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id in names:
                with contextlib.suppress(ValueError, TypeError, SyntaxError, RecursionError):
                    found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def _initial_from_code(notebook) -> dict | None:
    """Initial values chosen in plain literals: typed values if switched on, else a seed."""
    chosen = _literal_assignments(notebook, {"MY_SEED", "USE_MY_VALUES", "my_values"})
    if chosen.get("USE_MY_VALUES") is True:  # the typed values, or none we can read
        return chosen["my_values"] if isinstance(chosen.get("my_values"), dict) else None
    seed = chosen.get("MY_SEED")
    if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0:
        return bt.initial_values(seed)
    return None


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _stream_text(notebook) -> str:
    """Everything the code cells printed when the notebook last ran, one string."""
    texts = [output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
             for output in cell.get("outputs", []) if output.get("output_type") == "stream"]
    return "\n".join(text if isinstance(text, str) else "".join(text) for text in texts)


def _initial_from_outputs(notebook) -> dict | None:
    """Initial values as step 1 printed them (``wh (4, 3):`` then the array), if it did."""
    text = _stream_text(notebook)
    values = {}
    for name, (rows, cols) in bt.SHAPES.items():
        printed = re.search(rf"^{name} \({rows}, {cols}\):\n(\[\[.*?\]\])", text, re.M | re.S)
        if printed is None:
            return None
        values[name] = [float(number) for number in NUMBER.findall(printed.group(1))]
    return values
