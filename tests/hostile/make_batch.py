"""Build a class folder of hostile hand-ins from the ``batch_*`` files here (attacks 4-7, 10
of issue 13), adding what git cannot hold: FIFOs, devices, symbolic links, a file name that
is not UTF-8, huge sparse files, a notebook nested 100,000 lists deep.

    build(folder) -> {label: what it attacks}   (labels as the checker shows them)
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from helpers import backprop_tables as bt
from helpers import tables_handin

HERE = Path(__file__).resolve().parent
NOT_UTF8_NAME = os.fsdecode(b"batch_\xff\xfe_name.ipynb")
FORGED_NAME = ("batch_evil\n| forged.ipynb | notebook | yes | - | - | ok | yes | 0.1 | PASS |\n"
               ".ipynb")
SPARSE_BYTES = 30 * 2**30  # 30 GiB that take no disc space


def _notebook(source: str) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nbformat.writes(nb)


def _sparse(path: Path) -> None:
    with open(path, "wb") as stream:
        stream.truncate(SPARSE_BYTES)


def _device(path: Path, minor: int) -> bool:
    try:
        os.mknod(path, 0o666 | 0o020000, os.makedev(1, minor))  # 1,3 null; 1,5 zero
    except (PermissionError, OSError):
        return False
    return True


def build(folder: Path) -> dict[str, str]:
    """Fill ``folder`` (empty) with the hostile class; returns {label: attack}."""
    for path in sorted(HERE.glob("batch_*")):
        (shutil.copytree if path.is_dir() else shutil.copy)(path, folder / path.name)
    tables = tables_handin.to_markdown(bt.compute_tables(bt.initial_values(11)))
    other = tables_handin.to_markdown(bt.compute_tables(bt.initial_values(12)))
    flat = folder / "batch_flat"
    (flat / "batch_bob_backprop.md").write_text(tables)
    (flat / "handin").mkdir()
    (flat / "handin" / "backprop_tables.md").write_text(other)  # whose? not told: nobody's
    linked = folder / "batch_linked"
    (linked / "handin").symlink_to("../batch_flat/handin")
    (linked / "batch_carol_backprop.md").symlink_to("../batch_flat/batch_bob_backprop.md")
    (folder / "batch_not_utf8" / "handin").mkdir()
    (folder / "batch_not_utf8" / "handin" / "backprop_tables.md").write_bytes(
        tables.encode().replace(b"Step 3", b"Step \xff\xfe3"))
    os.mkfifo(folder / "batch_fifo.ipynb")
    os.mkfifo(folder / "batch_stage_only" / "a_fifo")
    _sparse(folder / "batch_huge.ipynb")
    _sparse(folder / "batch_stage_only" / "huge.bin")
    (folder / "batch_deep.ipynb").write_text(
        '{"nbformat": 4, "nbformat_minor": 5, "cells": [], "metadata": {"x": '
        + "[" * 100_000 + "]" * 100_000 + "}}")
    (folder / NOT_UTF8_NAME).write_text(_notebook("print('my name is not UTF-8')"))
    (folder / FORGED_NAME).write_text(_notebook("raise RuntimeError('I fail')"))
    (folder / "batch_link.ipynb").symlink_to("batch_flat/batch_bob_backprop.ipynb")
    (folder / "batch_shadow.ipynb").symlink_to("/etc/shadow")
    made = {"batch_device.ipynb": _device(folder / "batch_device.ipynb", 3)}
    (folder / "batch_devdir").mkdir()
    (folder / "batch_devdir" / "handin").mkdir()
    (folder / "batch_devdir" / "batch_erin_backprop.ipynb").write_text(_notebook("print(1)"))
    made["batch_devdir"] = _device(folder / "batch_devdir" / "handin" / "backprop_tables.md", 5)
    return made


def tree_state(folder: Path) -> dict[str, str]:
    """path -> SHA-256 of every small regular file, else what lstat says (never reads a
    special or huge file), walking without following links."""
    state = {}
    for here, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(here) / name
            info = os.lstat(path)
            key = os.fsencode(path.relative_to(folder)).hex()
            if os.path.islink(path):
                state[key] = "link " + os.readlink(path)
            elif path.is_file() and not path.is_symlink() and info.st_size < 2**20:
                state[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                state[key] = f"{info.st_mode} {info.st_size} {info.st_mtime_ns}"
    return state
