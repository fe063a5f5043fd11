"""Check that the course's environment is the one it was built for."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import metadata

from packaging.requirements import Requirement

DISTRIBUTION = "dnn-course-helpers"
MIN_PYTHON = (3, 11)


@dataclass(frozen=True)
class PackageCheck:
    """One dependency: its name, installed version (or None), the range asked for, and a verdict."""

    name: str
    installed: str | None
    wanted: str
    ok: bool


def package_checks(extra: str | None = None) -> list[PackageCheck]:
    """Check the learner's set the course declares (``extra="dev"``: the test tools too)."""
    checks = []
    for text in metadata.requires(DISTRIBUTION) or []:
        requirement = Requirement(text)
        in_extra = requirement.marker is not None and "extra" in str(requirement.marker)
        if in_extra and (extra is None or not requirement.marker.evaluate({"extra": extra})):
            continue
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            installed = None
        ok = installed is not None and requirement.specifier.contains(installed, prereleases=True)
        checks.append(PackageCheck(requirement.name, installed, str(requirement.specifier), ok))
    return checks


def report(extra: str | None = None) -> str:
    """A small text table of the checks, ending with one line that says whether all is well."""
    python_ok = sys.version_info[:2] >= MIN_PYTHON
    lines = [f"{'Python':<14} {'>= %d.%d' % MIN_PYTHON:<18} {'ok' if python_ok else 'TOO OLD'}"]
    checks = package_checks(extra)
    fix = "make dev-venv" if extra else "make venv"
    for check in checks:
        shown = check.installed or "missing"
        verdict = "ok" if check.ok else f"PROBLEM: run `{fix}` again"
        lines.append(f"{check.name:<14} {shown:<18} {verdict}")
    all_ok = python_ok and all(check.ok for check in checks)
    lines.append("All set." if all_ok else "Something is off: see the lines above.")
    return "\n".join(lines)
