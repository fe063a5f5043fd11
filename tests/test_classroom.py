"""The learner's workflow (classroom/check-handin.yml): its commands, run here as CI would."""

import os
import re
import subprocess
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "classroom" / "check-handin.yml"


def run_steps() -> list[str]:
    """The `run:` commands of the workflow (one line each, or a `|` block), without YAML."""
    lines, steps = WORKFLOW.read_text().splitlines(), []
    for i, line in enumerate(lines):
        match = re.match(r"^(\s*)(?:- )?run: (.*)$", line)
        if not match:
            continue
        if match.group(2).strip() != "|":
            steps.append(match.group(2).strip())
            continue
        indent, block = len(match.group(1)), []
        for following in lines[i + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            block.append(following.strip())
        steps.append("\n".join(block).strip())
    return steps


def test_the_workflow_runs_the_script_and_publishes_the_summary():
    steps = run_steps()
    assert "bash classroom/check_handin.sh" in steps
    assert any("apt-get install -y -q bubblewrap" in step for step in steps)
    assert "GITHUB_STEP_SUMMARY" in (ROOT / "classroom" / "check_handin.sh").read_text()
    assert "actions/checkout@v4" in WORKFLOW.read_text()


def hand_in(path: Path, source: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path.write_text(nbformat.writes(nb))


def test_the_script_checks_the_hand_in_and_writes_the_job_summary(tmp_path):
    good, bad = tmp_path / "mine" / "06_tutorial.ipynb", tmp_path / "06_tutorial_bad.ipynb"
    good.parent.mkdir()
    hand_in(good, "values = [3, 4]\nprint(sum(values))")
    hand_in(bad, "nums = [1, 2]\nprint(nums)")  # binds the original tutorial's name
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps' summary\n")
    env = {**os.environ, "HANDIN": f"{good} {bad}", "REPORT": str(tmp_path / "report.md"),
           "GITHUB_STEP_SUMMARY": str(summary), "CHECK_FLAGS": "--jobs 2 --cell-timeout 20"}
    step = next(s for s in run_steps() if "check_handin.sh" in s)
    done = subprocess.run(step, shell=True, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr  # one hand-in fails
    text = summary.read_text()
    assert text.startswith("earlier steps' summary\n# Hand-in check")
    assert "| 06\\_tutorial.ipynb | python-numpy-tutorial | yes | ok |" in text
    assert text.count("| PASS |") == 1 and text.count("| FAIL |") == 1
    assert "names shared with the original tutorial: nums" in text
    assert (tmp_path / "report.json").is_file()
