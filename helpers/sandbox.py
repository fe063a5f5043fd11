"""Isolation and limits for one hand-in's run (used by ``helpers.check``).

A run is the worker (``helpers.run_notebook``) and everything it starts: the kernel and any
process the notebook forks. Inside bubblewrap it sees only the Python it runs on, the course's
``helpers/``, a minimal ``/etc``, its own copy of the hand-in (``/handin``, a tmpfs the size of
the disk limit), a private ``/tmp`` and bwrap's minimal ``/dev`` and ``/proc``; it runs as
``nobody`` in a user namespace with no capabilities, no network, its own pid, ipc, uts and
cgroup namespaces. Memory and processes are limited for the whole tree with the kernel's
cgroups (v2 where delegated, else v1 ``memory`` and ``pids``); where no cgroup is writable the
tree is measured from ``/proc`` twice a second and stopped when over.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CGROUP_ROOT = Path("/sys/fs/cgroup")
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
MOUNT_POINT = "/handin"  # the writable copy, inside the sandbox
SOURCE_POINT = "/submitted"  # the staged hand-in, read-only, inside the sandbox
INPUT_POINT = "/course-check"  # the notebook to run as prepared by the checker, read-only


@dataclass
class Limits:
    """What one run may use: the whole process tree together."""

    memory_mb: int = 4096
    processes: int = 256
    disk_mb: int = 512
    tmp_mb: int = 256
    output_bytes: int = 2_000_000
    cell_seconds: int = 60
    notebook_seconds: int = 300


def prctl(option: int, value: int) -> bool:
    """Linux prctl(2) through libc; False where it is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


# -- bubblewrap --------------------------------------------------------------------------------
def _system_binds() -> list[str]:
    """The parts of / a Python and its shared libraries need, read-only (symlinks kept)."""
    args = []
    for name in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives",
                 "nsswitch.conf", "mime.types"):
        if os.path.lexists(f"/etc/{name}"):
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


def _python_binds() -> list[str]:
    """The Python the checker runs on (venv and base install) and the course's helpers/."""
    paths = {sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parents[1]),
             str(PROJECT / "helpers")}
    args = []
    for path in sorted(paths):
        if not path.startswith(("/usr/", "/bin/", "/lib")):
            args += ["--ro-bind", path, path]
    return args


def bwrap_command(work: Path, limits: Limits) -> list[str]:
    """The bubblewrap prefix for a run whose private files are in ``work`` (on the host):
    ``work/submitted`` (the staged hand-in), ``work/input`` (the notebook to run, passwd)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise FileNotFoundError("bwrap")
    return [bwrap, "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
            "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--hostname", "handin",
            *_system_binds(), *_python_binds(),
            "--ro-bind", str(work / "input" / "passwd"), "/etc/passwd",
            "--ro-bind", str(work / "input" / "group"), "/etc/group",
            "--dev", "/dev", "--proc", "/proc",
            "--size", str(limits.tmp_mb * 2**20), "--tmpfs", "/tmp",
            "--size", str(limits.disk_mb * 2**20), "--tmpfs", MOUNT_POINT,
            "--ro-bind", str(work / "submitted"), SOURCE_POINT,
            "--ro-bind", str(work / "input"), INPUT_POINT,
            "--remount-ro", "/", "--chdir", MOUNT_POINT]


def write_identity(folder: Path) -> None:
    """The minimal passwd and group the sandbox shows: the user nobody alone."""
    (folder / "passwd").write_text("nobody:x:65534:65534:nobody:/tmp/home:/usr/sbin/nologin\n")
    (folder / "group").write_text("nogroup:x:65534:\n")


_PROBE: dict = {}


def sandbox_problem() -> str | None:
    """None where bubblewrap runs the course's Python here, else what is wrong (cached)."""
    if "answer" not in _PROBE:
        _PROBE["answer"] = _probe()
    return _PROBE["answer"]


def _probe() -> str | None:
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    import tempfile
    with tempfile.TemporaryDirectory(prefix="course-check-probe-") as name:
        work = Path(name)
        (work / "submitted").mkdir()
        (work / "input").mkdir()
        write_identity(work / "input")
        command = bwrap_command(work, Limits()) + [
            sys.executable, "-I", "-c",
            "import os, nbclient; open('/handin/x', 'w').write('ok'); print(os.getuid())"]
        try:
            done = subprocess.run(command, capture_output=True, timeout=60,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap did not start ({error})"
    if done.returncode != 0 or done.stdout.strip() != b"65534":
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        return f"bubblewrap cannot create the sandbox here ({why[0][:200]})"
    return None


# -- cgroups -------------------------------------------------------------------------------------
def _own_cgroup(controller: str) -> str | None:
    """This process's cgroup path in the v1 hierarchy of ``controller`` ('' for v2)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            return path
    return None


class Cgroup:
    """One run's cgroup(s): v2 with memory and pids, else v1 memory and pids, else none.

    ``enforced`` maps a limit to how it is enforced; ``procs_files`` are the cgroup.procs files
    a process joins."""

    def __init__(self, name: str, limits: Limits):
        self.dirs: list[Path] = []
        self.enforced: dict[str, str] = {}
        self.version = None
        memory = limits.memory_mb * 2**20
        if self._try_v2(name, memory, limits.processes) or self._try_v1(name, memory,
                                                                         limits.processes):
            return
        self.remove()
        self.dirs = []

    def _make(self, parent: Path, name: str) -> Path:
        path = parent / name
        path.mkdir()
        self.dirs.append(path)
        return path

    def _try_v2(self, name: str, memory: int, processes: int) -> bool:
        own = _own_cgroup("")
        base = CGROUP_ROOT if (CGROUP_ROOT / "cgroup.controllers").exists() else None
        if own is None or base is None:
            return False
        parent = base / own.lstrip("/")
        try:
            if not {"memory", "pids"} <= set((parent / "cgroup.subtree_control").read_text()
                                             .split()):
                return False
            group = self._make(parent, name)
            (group / "memory.max").write_text(str(memory))
            if (group / "memory.swap.max").exists():
                (group / "memory.swap.max").write_text("0")
            (group / "pids.max").write_text(str(processes))
        except OSError:
            return False
        self.version = "v2"
        self.enforced = {"memory": "cgroup v2 memory.max (all processes and the private /tmp)",
                         "processes": "cgroup v2 pids.max"}
        return True

    def _try_v1(self, name: str, memory: int, processes: int) -> bool:
        try:
            mem = self._make(CGROUP_ROOT / "memory" / (_own_cgroup("memory") or "/").lstrip("/"),
                             name)
            (mem / "memory.limit_in_bytes").write_text(str(memory))
            if (mem / "memory.memsw.limit_in_bytes").exists():
                (mem / "memory.memsw.limit_in_bytes").write_text(str(memory))
            pids = self._make(CGROUP_ROOT / "pids" / (_own_cgroup("pids") or "/").lstrip("/"),
                              name)
            (pids / "pids.max").write_text(str(processes))
        except OSError:
            return False
        self.version = "v1"
        self.enforced = {"memory": "cgroup v1 memory.limit_in_bytes and memsw (all processes "
                                   "and the private /tmp)",
                         "processes": "cgroup v1 pids.max"}
        return True

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` started inside the cgroup(s): a shell joins them, then execs it."""
        if not self.dirs:
            return command
        joins = " && ".join(f"echo $$ > '{d}/cgroup.procs'" for d in self.dirs)
        return ["/bin/sh", "-c", f'{joins} && exec "$@"', "sh", *command]

    def pids(self) -> set[int]:
        found = set()
        for folder in self.dirs:
            try:
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                pass
        return found

    def out_of_memory(self) -> bool:
        """True if the memory limit was reached (the kernel then refuses or kills)."""
        for folder in self.dirs:
            for name in ("memory.failcnt", "memory.memsw.failcnt"):
                try:
                    if int((folder / name).read_text()) > 0:
                        return True
                except (OSError, ValueError):
                    pass
            for name in ("memory.events", "memory.oom_control"):  # v2, v1: "oom_kill N"
                try:
                    pairs = [line.split() for line in (folder / name).read_text().splitlines()]
                    if any(len(p) == 2 and p[0] in ("oom", "oom_kill", "max") and int(p[1])
                           for p in pairs):
                        return True
                except (OSError, ValueError):
                    pass
        return False

    def process_limit_hit(self) -> bool:
        """True if a fork or a thread was refused because the run had its maximum."""
        for folder in self.dirs:
            try:
                events = (folder / "pids.events").read_text().split()
            except OSError:
                continue
            if len(events) >= 2 and events[0] == "max" and events[1] != "0":
                return True
        return False

    def kill(self) -> None:
        for _ in range(50):
            alive = self.pids()
            if not alive:
                return
            for pid in alive:
                _signal(pid, signal.SIGKILL)
            time.sleep(0.02)

    def remove(self) -> None:
        for folder in reversed(self.dirs):
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    self.kill()
                    time.sleep(0.05)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# -- the process tree, measured from /proc where no cgroup is writable ---------------------------
def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree(root: int) -> list[int]:
    """``root`` and every process below it (through /proc's parent links)."""
    children, found, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def resident_bytes(pids: list[int]) -> int:
    page, total = os.sysconf("SC_PAGE_SIZE"), 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, ValueError, IndexError):
            pass
    return total


def children_of(pid: int) -> set[int]:
    return set(_children_map().get(pid, []))


def kill_orphans(keep: set[int]) -> None:
    """SIGKILL every child of the checker (and all below it) that is not in ``keep``: with
    the checker a child subreaper, a daemon a notebook started outside a sandbox ends up
    here once its run is over."""
    me = os.getpid()
    for pid in _children_map().get(me, []):
        if pid not in keep:
            for below in tree(pid):
                _signal(below, signal.SIGKILL)


# -- every run still alive, so a signal to the checker can stop them all -------------------------
ACTIVE: set = set()
ACTIVE_LOCK = threading.Lock()


def stop_everything() -> None:
    with ACTIVE_LOCK:
        runs = list(ACTIVE)
    for run in runs:
        run.stop()


def run_environment(home: str) -> dict[str, str]:
    """The whole environment a run gets: nothing of the checker's (no tokens, no PYTHON*)."""
    return {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": home, "JUPYTER_RUNTIME_DIR": f"{home}/runtime",
            "IPYTHONDIR": f"{home}/ipython", "MPLCONFIGDIR": f"{home}/mpl",
            "JUPYTER_PLATFORM_DIRS": "1", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8",
            "MPLBACKEND": "agg",
            # the kernel imports the course's helpers from the copy bound in, whatever
            # the virtual environment's editable install points at
            "PYTHONPATH": str(PROJECT)}


class Run:
    """One worker process tree: started, watched against the limits, and stopped for good.

    The worker's result comes back on a pipe only the worker holds (``result_fd``); the
    notebook's kernel never inherits it and cannot open it through /proc (see run_notebook).
    """

    MAX_RESULT = 64 * 2**20

    def __init__(self, work: Path, limits: Limits, isolated: bool, name: str):
        self.work, self.limits, self.isolated = work, limits, isolated
        self.cgroup = Cgroup(name, limits)
        self.process: subprocess.Popen | None = None
        self.chunks: list[bytes] = []
        self.reason: str | None = None

    def enforced(self) -> dict[str, str]:
        """limit -> its value and how this run enforces it."""
        limits, watch = self.limits, ("measured from /proc twice a second over the whole "
                                      "process tree, which is stopped when over")
        how = {"memory": watch, "processes": watch, **self.cgroup.enforced,
               "output": "counted by the worker; the cell is interrupted past the cap",
               "time per cell": "nbclient's cell timeout",
               "time per notebook": "the checker kills the whole process tree"}
        if self.isolated:
            how["disk"] = "the copy is a tmpfs of that size inside the sandbox"
            how["private /tmp"] = "a tmpfs of that size inside the sandbox"
        else:
            how["disk"] = "RLIMIT_FSIZE per file, and the copy measured twice a second"
        values = {"memory": f"{limits.memory_mb} MB", "processes": str(limits.processes),
                  "output": f"{limits.output_bytes:,} bytes",
                  "time per cell": f"{limits.cell_seconds} s",
                  "time per notebook": f"{limits.notebook_seconds} s",
                  "disk": f"{limits.disk_mb} MB", "private /tmp": f"{limits.tmp_mb} MB"}
        return {name: f"{values[name]}: {text}" for name, text in how.items()}

    def command(self, worker_args: list[str]) -> list[str]:
        code = (f"import sys; sys.path.insert(0, {str(PROJECT)!r}); "
                "from helpers.run_notebook import main; sys.exit(main())")
        worker = [sys.executable, "-I", "-c", code, *worker_args]
        if self.isolated:
            worker = bwrap_command(self.work, self.limits) + worker
        return self.cgroup.wrap(worker)

    def start(self, worker_args: list[str]) -> None:
        read_end, write_end = os.pipe()
        home = "/tmp/home" if self.isolated else str(self.work / "home")
        args = worker_args + ["--result-fd", str(write_end)]
        try:
            self.process = subprocess.Popen(
                self.command(args), env=run_environment(home),
                cwd=self.work if not self.isolated else "/", stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_end,),
                start_new_session=True)
        finally:
            os.close(write_end)
        with ACTIVE_LOCK:
            ACTIVE.add(self)
        self.reader = threading.Thread(target=self._read, args=(read_end,), daemon=True)
        self.reader.start()

    def _read(self, fd: int) -> None:
        total = 0
        with os.fdopen(fd, "rb", buffering=0) as stream:
            while chunk := stream.read(1 << 16):
                total += len(chunk)
                if total <= self.MAX_RESULT:
                    self.chunks.append(chunk)

    def wait(self, stopping: threading.Event) -> bytes | None:
        """The worker's result (bytes), or None with ``self.reason`` saying why."""
        deadline = time.monotonic() + self.limits.notebook_seconds
        while self.process.poll() is None:
            if stopping.is_set():
                self.reason = "the checker was stopped"
            elif time.monotonic() > deadline:
                self.reason = (f"the whole notebook took longer than "
                               f"{self.limits.notebook_seconds} s")
            else:
                self.reason = self._over_limits()
            if self.reason:
                self.stop()
                break
            time.sleep(0.5 if not self.cgroup.dirs else 0.2)
        self.stop()
        self.reader.join(timeout=10)
        if self.reason is None and self.cgroup.out_of_memory():
            self.reason = f"the run reached the memory limit ({self.limits.memory_mb} MB)"
        return None if self.reason else b"".join(self.chunks)

    def limit_reached(self) -> str | None:
        """A limit the run reached even though it ended normally (the notebook may have
        caught the MemoryError or the refused fork): it fails the hand-in all the same."""
        if self.cgroup.out_of_memory():
            return f"the run reached the memory limit ({self.limits.memory_mb} MB)"
        if self.cgroup.process_limit_hit():
            return f"the run reached the limit of {self.limits.processes} processes"
        return None

    def _over_limits(self) -> str | None:
        if not self.isolated and disk_bytes(self.work / "handin") > self.limits.disk_mb * 2**20:
            return f"the copy grew past the disk limit ({self.limits.disk_mb} MB)"
        if self.cgroup.dirs:
            return None
        pids = tree(self.process.pid)
        if resident_bytes(pids) > self.limits.memory_mb * 2**20:
            return f"the run reached the memory limit ({self.limits.memory_mb} MB)"
        if len(pids) > self.limits.processes:
            return f"the run started more than {self.limits.processes} processes"
        return None

    def stop(self) -> None:
        """Kill the whole tree: its session, its cgroup, every process below it."""
        if self.process is None:
            return
        pids = tree(self.process.pid) if self.process.poll() is None else []
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for pid in pids:
            _signal(pid, signal.SIGKILL)
        self.cgroup.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        self.stop()
        self.cgroup.remove()
        with ACTIVE_LOCK:
            ACTIVE.discard(self)


def disk_bytes(folder: Path) -> int:
    """Bytes allocated under ``folder`` (st_blocks, so sparse files count what they use)."""
    total = 0
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total
