"""The checker against hand-ins that attack its sandbox (tests/hostile/sandbox_*, issue 13
attacks 1, 2, 3, 8 and 9), run as CI runs it: as root, with bubblewrap.

Each hostile notebook is written so that it would PASS only if its attack worked; every one
must FAIL, and nothing outside the run's copy (the course, the hand-ins, a file and a socket
beside them, the machine's processes, the temporary folder) may change.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

from helpers import check, sandbox

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).parent / "hostile"
TOKEN_NAME = "COURSE_CHECK_TEST_TOKEN"

pytestmark = pytest.mark.skipif(
    bool(sandbox.sandbox_problem()) and not os.environ.get("CI"),  # CI installs bubblewrap
    reason=str(sandbox.sandbox_problem()))


def fill(name: str, folder: Path, **values) -> Path:
    """Copy the hostile template ``name`` into ``folder`` with @KEY@ replaced by values."""
    text = (HOSTILE / name).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", json.dumps(str(value))[1:-1])
    target = folder / Path(name).name
    target.write_text(text)
    return target


def processes_holding(word: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and word.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def state(*folders: Path) -> dict:
    """path -> bytes of every file under ``folders`` (what must not change)."""
    return {str(p): p.read_bytes() for folder in folders for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_socket()}


def run_checker(paths, tmp_path, *extra, env=None) -> tuple[int, list, str]:
    md, js = tmp_path / "report.md", tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "helpers.check", *map(str, paths), "--md", str(md),
         "--json", str(js), "--cell-timeout", "30", "--timeout", "90", *extra],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    verdicts = json.loads(js.read_text()) if js.exists() else []
    report = md.read_text() if md.exists() else ""
    return done.returncode, verdicts, report + done.stdout + done.stderr


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """One class of hostile hand-ins, checked at once; what was beside them, before and after."""
    base = tmp_path_factory.mktemp("attacks")
    handins, outside = base / "handins", Path(tempfile.mkdtemp(prefix="course-outside-",
                                                                dir="/var/tmp"))
    handins.mkdir()
    (outside / "victim.txt").write_text("the instructor's file\n")
    secret = outside / "answer_key.txt"
    secret.write_text("SECRET-ANSWER-KEY-41")
    other = base / "other_learner"
    other.mkdir()
    (other / "their_work.txt").write_text("OTHER-LEARNERS-WORK-17")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(outside / "agent.sock"))
    listener.listen(5)
    listener.settimeout(0.2)
    connections = []

    def accept():
        while not stop.is_set():
            try:
                connections.append(listener.accept())
            except OSError:
                pass

    stop = threading.Event()
    threading.Thread(target=accept, daemon=True).start()
    fill("sandbox_forge_result.ipynb", handins)
    shadow = handins / "sandbox_shadow"
    shadow.mkdir()
    fill("sandbox_shadow/sandbox_shadow.ipynb", shadow)
    for path in (HOSTILE / "sandbox_shadow").rglob("*.py"):
        target = shadow / path.relative_to(HOSTILE / "sandbox_shadow")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text())
    fill("sandbox_escape.ipynb", handins, COURSE=ROOT, OUTSIDE=outside,
         SOCKET=outside / "agent.sock")
    fill("sandbox_reads.ipynb", handins, SECRET=secret, OTHER=other, TOKEN_NAME=TOKEN_NAME)
    fill("sandbox_daemon.ipynb", handins, TOKEN="8117.5", SLEEP=0)
    before = state(ROOT / "helpers", handins, outside, other)
    env = {**os.environ, TOKEN_NAME: "TOKEN-VALUE-93"}
    code, verdicts, text = run_checker([handins], base, "--jobs", "2", env=env)
    time.sleep(1)
    result = {"code": code, "by_name": {v["name"]: v for v in verdicts}, "text": text,
              "changed": before != state(ROOT / "helpers", handins, outside, other),
              "connections": len(connections), "daemons": processes_holding("8117.5")}
    stop.set()
    listener.close()
    yield result
    for path in sorted(outside.iterdir()):
        path.unlink()
    outside.rmdir()


def verdict_of(attacked, name: str) -> dict:
    verdict = attacked["by_name"][name]
    assert verdict["isolated"], verdict
    return verdict


def test_a_forged_result_and_a_killed_worker_fail(attacked):
    verdict = verdict_of(attacked, "sandbox_forge_result.ipynb")
    assert not verdict["passed"] and verdict["runs"] in ("died", "limit"), verdict


def test_libraries_handed_in_beside_the_notebook_replace_nothing(attacked):
    verdict = verdict_of(attacked, "sandbox_shadow/sandbox_shadow.ipynb")
    assert not verdict["passed"]
    assert "RuntimeError: the hand-in itself ran, and failed" in " ".join(verdict["problems"])


def test_root_gets_no_capabilities_no_remount_no_outside_socket(attacked):
    verdict = verdict_of(attacked, "sandbox_escape.ipynb")
    assert not verdict["passed"]
    assert "the attack did nothing: the sandbox held" in " ".join(verdict["problems"])
    assert attacked["connections"] == 0
    assert not (ROOT / "helpers" / "escaped.txt").exists()


def test_nothing_outside_the_hand_in_can_be_read_or_reported(attacked):
    verdict = verdict_of(attacked, "sandbox_reads.ipynb")
    assert not verdict["passed"]
    assert "nothing could be read" in " ".join(verdict["problems"])
    for secret in ("SECRET-ANSWER-KEY-41", "OTHER-LEARNERS-WORK-17", "TOKEN-VALUE-93",
                   "their_work", "root:"):
        assert secret not in attacked["text"]


def test_nothing_outside_the_copy_changed_and_no_daemon_is_left(attacked):
    assert not attacked["changed"]
    assert attacked["daemons"] == []
    assert attacked["code"] == 1
    assert attacked["by_name"]["sandbox_daemon.ipynb"]["passed"]  # harmless once contained


def test_the_report_says_which_limits_held_and_how(attacked):
    text = attacked["text"]
    assert "## Isolation and limits" in text and "Every run was isolated" in text
    how = next(iter(attacked["by_name"].values()))["limits"]
    assert set(how) == {"memory", "processes", "disk", "private /tmp", "output",
                        "time per cell", "time per notebook"}
    if sandbox.Cgroup("course-check-probe", sandbox.Limits()).dirs:
        assert "cgroup" in how["memory"] and "cgroup" in how["processes"]


# -- attack 8: limits for the whole process tree -----------------------------------------------
@pytest.mark.parametrize("name, options, words", [
    ("sandbox_memory.ipynb", ["--memory-mb", "1024", "--tmp-mb", "512"], "memory limit"),
    ("sandbox_forkbomb.ipynb", ["--max-processes", "64"], "limit of 64 processes"),
    ("sandbox_disk.ipynb", ["--disk-mb", "64"], "disk limit (64 MB)"),
])
def test_limits_hold_for_the_whole_tree_even_when_the_notebook_swallows_errors(
        name, options, words, tmp_path):
    folder = tmp_path / "handins"
    folder.mkdir()
    fill(name, folder)
    code, verdicts, _ = run_checker([folder], tmp_path, *options)
    (verdict,) = verdicts
    assert code == 1 and not verdict["passed"] and verdict["runs"] == "limit", verdict
    assert any(words in p for p in verdict["problems"]), verdict["problems"]


# -- attack 9: no isolation, no run; daemons and signals ------------------------------------------
def test_without_bubblewrap_nothing_is_executed(tmp_path):
    folder = tmp_path / "handins"
    folder.mkdir()
    fill("sandbox_writes_outside.ipynb", folder, OUTSIDE=tmp_path)
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}  # no bwrap on it
    code, verdicts, text = run_checker([folder], tmp_path, env=env)
    assert code == 2 and verdicts == []
    assert "refusing to run hand-ins: bubblewrap (bwrap) is not installed" in text
    assert "apt install bubblewrap" in text and "--no-sandbox" in text
    assert not (tmp_path / "victim.txt").exists()


def test_a_library_caller_without_isolation_gets_a_failed_row(tmp_path, monkeypatch):
    path = fill("sandbox_writes_outside.ipynb", tmp_path, OUTSIDE=tmp_path)
    monkeypatch.setattr(sandbox, "sandbox_problem", lambda: "bubblewrap (bwrap) is not installed")
    verdict = check.check_one(path, check.parse_options([str(path)]))
    assert not verdict.passed and verdict.runs == "not run"
    assert "not run: bubblewrap (bwrap) is not installed" in verdict.problems[0]
    assert not (tmp_path / "victim.txt").exists()


def test_no_sandbox_runs_but_says_so_on_every_row_and_leaves_no_daemon(tmp_path):
    folder = tmp_path / "handins"
    folder.mkdir()
    fill("sandbox_daemon.ipynb", folder, TOKEN="8221.5", SLEEP=0)
    code, verdicts, text = run_checker([folder], tmp_path, "--no-sandbox")
    (verdict,) = verdicts
    assert not verdict["isolated"] and check.NOT_ISOLATED in verdict["notes"]
    assert "**Not isolated:**" in text and "| NO |" in text
    time.sleep(1)
    assert processes_holding("8221.5") == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_stopped_checker_leaves_no_process_and_no_folder(sig, tmp_path):
    folder, scratch = tmp_path / "handins", tmp_path / "scratch"
    folder.mkdir()
    scratch.mkdir()
    token = f"83{sig:02d}.5"
    fill("sandbox_daemon.ipynb", folder, TOKEN=token, SLEEP=120)
    env = {**os.environ, "TMPDIR": str(scratch)}
    checker = subprocess.Popen([sys.executable, "-m", "helpers.check", str(folder),
                                "--md", str(tmp_path / "r.md"), "--json", str(tmp_path / "r.json")],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not processes_holding(token) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_holding(token), "the daemon never started"
    checker.send_signal(sig)
    code = checker.wait(timeout=60)
    time.sleep(1)
    assert processes_holding(token) == []
    if sig != signal.SIGKILL:  # a killed checker cannot clean up; its runs still die with it
        assert code == 128 + sig
        assert list(scratch.iterdir()) == []


# -- where no cgroup is writable: the tree measured from /proc ---------------------------------
@pytest.mark.parametrize("source, options, words", [
    ("import subprocess, sys\n"
     "children = [subprocess.Popen([sys.executable, '-c', "
     "'import time; block = bytearray(700 * 2**20); time.sleep(6)']) for _ in range(3)]\n"
     "print([child.wait() for child in children])",
     ["--memory-mb", "1024"], "memory limit (1024 MB)"),
    ("import subprocess\n"
     "children = [subprocess.Popen(['sleep', '6']) for _ in range(80)]\n"
     "print([child.wait() for child in children])",
     ["--max-processes", "64"], "more than 64 processes"),
])
def test_without_cgroups_the_whole_tree_is_measured_and_stopped(source, options, words, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setattr(sandbox.Cgroup, "_try_v2", lambda *a: False)
    monkeypatch.setattr(sandbox.Cgroup, "_try_v1", lambda *a: False)
    path = tmp_path / "greedy.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    verdict = check.check_one(path, check.parse_options([str(path), "--no-grade", *options]))
    assert not verdict.passed and verdict.runs == "limit", verdict
    assert any(words in p for p in verdict.problems), verdict.problems
    assert "measured from /proc" in verdict.limits["memory"]
