"""Assignment 2, part 1, handed in: the tables as HTML and Markdown, read back and checked.

A hand-in is one Markdown file: the initial values recorded exactly (a JSON block), then one
wide table per step, every number written to ``digits`` significant digits. The instructor's
checker (``helpers.check``) reads it with ``read_handin`` and recomputes every number with
``verify_handin``, to the precision the file says it was written at.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.backprop_tables import (
    COLUMNS,
    LEARNING_RATE,
    N_ENTRIES,
    SHAPES,
    STEPS,
    InitialValuesError,
    Tables,
    check_initial_values,
    compute_tables,
    reused_entries,
)
from helpers.store import write_atomic

HEADER_TAG = "course-initial-values"
MARKDOWN_TITLE = "# Assignment 2, part 1: backpropagation tables"
DIGITS = 5  # significant digits: enough that every update of one pass shows (see the tests)
MIN_DIGITS = 3  # fewer hides mistakes


# -- rendering -------------------------------------------------------------------------------
def format_number(value: float, digits: int = DIGITS) -> str:
    """``value`` to ``digits`` significant digits ("0.00045110", "0.63696", "1", "-1.2e-05")."""
    return format(float(value) + 0.0, f".{digits}g")  # + 0.0 writes -0.0 as 0


def _check_digits(digits) -> None:
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 15:
        raise ValueError(f"digits must be a whole number from 1 to 15, got {digits!r}.")


def _cell(matrix, row: int, digits: int) -> str:
    if matrix is None or row >= matrix.shape[0]:
        return ""
    return " ".join(format_number(v, digits) for v in matrix[row])


def _rows(snapshot: dict) -> int:
    return max(value.shape[0] for value in snapshot.values())


def step_html(tables: Tables, step: int, digits: int = DIGITS) -> str:
    """One step's wide table as HTML: computed columns orange, columns read blue."""
    if step not in STEPS:
        raise ValueError(f"steps run from 0 to 11, got {step}.")
    _check_digits(digits)
    title, formula, computed, read = STEPS[step]
    snapshot = tables.snapshots[step]
    colours = {**{c: "#cfe0f7" for c in read}, **{c: "#ffd9b3" for c in computed}}
    head = "".join(f'<th style="background:{colours.get(c, "#f4f4f4")};padding:2px 6px">{c}</th>'
                   for c in COLUMNS)
    body = ""
    for row in range(_rows(snapshot)):
        cells = "".join(
            f'<td style="background:{colours.get(c, "white")};padding:2px 6px;'
            f'font-family:monospace;white-space:nowrap">'
            f"{_cell(snapshot.get(c), row, digits)}</td>"
            for c in COLUMNS)
        body += f"<tr>{cells}</tr>"
    legend = ('<span style="background:#ffd9b3;padding:0 6px">computed in this step</span> '
              '<span style="background:#cfe0f7;padding:0 6px">read by this step</span>')
    return (f"<b>Step {step}: {title}</b> &nbsp; <code>{formula}</code><br>{legend}"
            f'<div style="overflow-x:auto"><table style="border-collapse:collapse;font-size:11px">'
            f"<tr>{head}</tr>{body}</table></div>")


def all_steps_html(tables: Tables, digits: int = DIGITS) -> str:
    """Every step's table (``step_html``), one under the other."""
    return "<br>".join(step_html(tables, step, digits) for step in STEPS)


def to_markdown(tables: Tables, digits: int = DIGITS) -> str:
    """The hand-in: the initial values (exact, as JSON) then one wide table per step."""
    _check_digits(digits)
    record = {name: tables.initial[name].tolist() for name in SHAPES}
    record.update({"lr": tables.lr, "digits": digits})
    lines = [MARKDOWN_TITLE, "",
             "Initial values (recorded exactly so the tables can be recomputed):", "",
             f"```json {HEADER_TAG}", json.dumps(record), "```", ""]
    lines += ["In each table the columns in **bold** are computed by that step and those in "
              f"*italics* are read by it. Numbers have {digits} significant digits.", ""]
    for step, (title, formula, computed, read) in STEPS.items():
        snapshot = tables.snapshots[step]
        header = [f"**{c}**" if c in computed else f"*{c}*" if c in read else c for c in COLUMNS]
        lines += [f"## Step {step}: {title}", "", f"`{formula}`", "",
                  "| " + " | ".join(header) + " |", "|" + "---|" * len(COLUMNS)]
        for row in range(_rows(snapshot)):
            lines.append("| " + " | ".join(_cell(snapshot.get(c), row, digits)
                                           for c in COLUMNS) + " |")
        lines.append("")
    return "\n".join(lines)


# -- reading back ----------------------------------------------------------------------------
class HandinFormatError(ValueError):
    """A hand-in that cannot be read as the course's Markdown tables."""


def _first_table(block: str) -> list[str]:
    """The lines of the first Markdown table in ``block`` (consecutive lines starting '|')."""
    lines = block.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), len(lines))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return lines[start:end]


def _read_record(text: str) -> tuple[dict, dict]:
    """The recorded initial values and settings {"lr", and "digits" or "decimals"}."""
    match = re.search(rf"```json {HEADER_TAG}\n(.*?)\n```", text, re.S)
    if not match:
        raise HandinFormatError("no recorded initial values found: the hand-in must start with "
                                f"the ```json {HEADER_TAG} block that write_handin() writes.")
    try:
        record = json.loads(match.group(1))
    except json.JSONDecodeError as error:
        raise HandinFormatError(
            f"the recorded initial values are not valid JSON ({error}).") from None
    except RecursionError:
        raise HandinFormatError("the recorded initial values are nested too deeply to be "
                                "the four weight arrays.") from None
    if not isinstance(record, dict):
        raise HandinFormatError("the recorded initial values must be a JSON object.")
    # Hand-ins written before significant digits recorded fixed "decimals" instead.
    precision = "decimals" if "decimals" in record and "digits" not in record else "digits"
    try:
        settings = {"lr": float(record.pop("lr", LEARNING_RATE)),
                    precision: int(record.pop(precision, DIGITS))}
    except (TypeError, ValueError, OverflowError):
        raise HandinFormatError(f"the recorded lr and {precision} must be numbers.") from None
    if not 0 <= settings[precision] <= 17:
        raise HandinFormatError(f"the recorded {precision} ({str(settings[precision])[:20]}) is "
                                "out of range: a float64 "
                                "has at most 17 significant digits; write_handin records 5.")
    return check_initial_values(record), settings


def _read_table(step: int, rows: list[str]) -> dict:
    """One step's table: {column: list of rows of floats}, empty columns left out."""
    if len(rows) < 2:
        raise HandinFormatError(f"step {step} has no table.")
    header = [h.strip().strip("*") for h in rows[0].strip().strip("|").split("|")]
    columns: dict = {name: [] for name in header}
    for line in rows[2:]:
        for name, cell in zip(header, line.strip().strip("|").split("|"), strict=False):
            if cell.strip():
                try:
                    columns[name].append([float(v) for v in cell.replace(",", " ").split()])
                except ValueError:
                    raise HandinFormatError(f"step {step}, column {name}: {cell.strip()!r} "
                                            "is not a row of numbers.") from None
    return {name: rows_ for name, rows_ in columns.items() if rows_}


def read_handin(text: str) -> tuple[dict, dict, dict]:
    """Read a hand-in back: (initial values, settings {"lr", "digits"}, tables).

    tables[step][column] is a list of rows, each a list of floats (empty cells skipped).
    Raises ``HandinFormatError`` (or ``InitialValuesError``) naming what cannot be read.
    """
    if not isinstance(text, str):
        raise HandinFormatError(f"a hand-in is Markdown text (str), got {type(text).__name__}.")
    init, settings = _read_record(text)
    tables: dict = {}
    for block in re.split(r"^## Step ", text, flags=re.M)[1:]:
        heading = block.split(":", 1)[0].strip()
        if not re.fullmatch(r"[0-9]{1,3}", heading):  # not str.isdigit: "²" is a digit to it
            raise HandinFormatError(f"a heading '## Step {heading[:20]}' does not give a step "
                                    "number: write '## Step 7: ...'.")
        step = int(heading)
        if step in tables:
            raise HandinFormatError(f"step {step} appears twice.")
        tables[step] = _read_table(step, _first_table(block))
    return init, settings, tables


# -- checking --------------------------------------------------------------------------------
@dataclass
class HandinCheck:
    """The verdict on a hand-in: ok, the problems found, and the initial values read."""

    ok: bool
    problems: list
    initial: dict | None
    steps_checked: int = 0


def tolerance(truth: float, settings: dict) -> float:
    """How far a written number may be from ``truth``: half a unit in the last place written.

    settings: {"digits": significant digits} or, for older hand-ins, {"decimals": places}.
    """
    if "decimals" in settings:
        return 0.5 * 10.0 ** -settings["decimals"] + 1e-12
    if truth == 0 or not math.isfinite(truth):
        return 1e-12
    last_place = math.floor(math.log10(abs(truth))) - settings["digits"] + 1
    return 0.5 * 10.0 ** last_place * (1 + 1e-9) + 1e-15


def _settings_problems(init: dict, settings: dict) -> list[str]:
    problems = []
    reused = reused_entries(init)
    if reused:
        problems.append(f"{len(reused)} of {N_ENTRIES} initial values equal the course "
                        "defaults or the article's values in the same place (the assignment "
                        "asks for your own; pick another seed or type your values): "
                        + "; ".join(reused))
    if not math.isclose(settings["lr"], LEARNING_RATE):
        problems.append(f"learning rate {settings['lr']:g}: the article's is {LEARNING_RATE:g}")
    if settings.get("digits", MIN_DIGITS) < MIN_DIGITS:
        problems.append(f"values written to {settings['digits']} significant digits: use at "
                        f"least {MIN_DIGITS}")
        settings["digits"] = MIN_DIGITS
    if settings.get("decimals", 2) < 2:
        problems.append(f"values rounded to {settings['decimals']} places: use at least 2")
        settings["decimals"] = 2
    return problems


def _column_problems(where: str, rows: list, truth: np.ndarray, settings: dict) -> list[str]:
    """Compare one column's rows (lists of floats) with the recomputed ``truth`` (r, c)."""
    problems = []
    if len(rows) < truth.shape[0]:
        problems.append(f"{where}: {len(rows)} rows, expected {truth.shape[0]}")
    for r, row in enumerate(rows):
        if r >= truth.shape[0] or len(row) != truth.shape[1]:
            problems.append(f"{where} row {r}: wrong number of values")
            continue
        for c, value in enumerate(row):
            if not abs(value - truth[r, c]) <= tolerance(truth[r, c], settings):  # NaN fails
                problems.append(f"{where} row {r}: {value:g} vs recomputed "
                                f"{format_number(truth[r, c], 8)}")
    return problems


def _step_problems(step: int, columns: dict, snapshot: dict, settings: dict) -> list[str]:
    problems = []
    absent = [name for name in snapshot if name not in columns]
    if absent:
        problems.append(f"step {step}: no values for {', '.join(absent)}")
    for name, rows in columns.items():
        if name not in snapshot:
            problems.append(f"step {step}: column {name} should be empty at this step")
        else:
            problems += _column_problems(f"step {step}, {name}", rows, snapshot[name], settings)
    return problems


def verify_handin(text: str) -> HandinCheck:
    """Recompute every table from the hand-in's own initial values and compare.

    A number passes if it equals the recomputed one to the precision the hand-in records
    (at least ``MIN_DIGITS`` significant digits). An initial value equal (to 3 decimal places)
    to the course default or the article's published value in the same place is a problem:
    the assignment is to change all 19. So are a learning rate other
    than the article's, a missing step, column or row, and a cell that should still be empty.
    """
    try:
        init, settings, tables = read_handin(text)
    except (HandinFormatError, InitialValuesError) as error:
        return HandinCheck(False, [str(error)], None)
    problems = _settings_problems(init, settings)
    if not math.isfinite(settings["lr"]):
        return HandinCheck(False, problems, init, 0)
    expected = compute_tables(init, settings["lr"])
    missing = sorted(set(STEPS) - set(tables))
    if missing:
        problems.append(f"steps {missing} are missing")
    for step, columns in sorted(tables.items()):
        if step not in STEPS:
            problems.append(f"step {step}: there is no such step (steps run from 0 to 11)")
        else:
            problems += _step_problems(step, columns, expected.snapshots[step], settings)
    return HandinCheck(not problems, problems, init, len(tables))


# -- writing ---------------------------------------------------------------------------------
class HandinWriteError(ValueError):
    """A hand-in file could not be written without replacing something that is not ours."""


def _ours(path: Path) -> bool:
    """True if ``path`` is a hand-in file this module wrote (so it may be replaced)."""
    try:
        with path.open(encoding="utf-8") as stream:
            start = stream.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return start.startswith(MARKDOWN_TITLE) and f"```json {HEADER_TAG}" in start


def write_handin(tables: Tables, folder: str | os.PathLike = "handin", digits: int = DIGITS,
                 name: str = "backprop_tables") -> Path:
    """Write ``<folder>/<name>.md`` atomically; returns its path (relative if ``folder`` is).

    An existing file is replaced only if this function wrote it (it starts the way a hand-in
    does); anything else at that path raises ``HandinWriteError`` and is left untouched.
    """
    if not isinstance(tables, Tables):
        raise TypeError("write_handin needs the result of compute_tables(...).")
    _check_digits(digits)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name.startswith("."):
        raise ValueError(f"name {name!r}: use letters, digits, '_', '-' or '.', no folders.")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise HandinWriteError(f"{folder.as_posix()} exists and is not a folder; "
                               "choose another folder for the hand-in.")
    path = folder / f"{name}.md"
    if path.exists() and (not path.is_file() or not _ours(path)):
        raise HandinWriteError(
            f"{path.as_posix()} exists and was not written by write_handin; it was left "
            "as it is. Move it away, or pass another folder= or name=.")
    text = to_markdown(tables, digits)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return path
