"""`make lab` serves JupyterLab on 127.0.0.1 only, and only to a client with the token."""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser import free_port, http_status

ROOT = Path(__file__).resolve().parents[1]


def other_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("10.255.255.255", 1))  # UDP: nothing is sent
            address = sock.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


@pytest.fixture
def lab(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_TOKEN=token, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}", "LAB_FLAGS=--no-browser"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while http_status(f"{base}/api/status?token={token}") != 200:
            assert process.poll() is None, "make lab exited before serving"
            assert time.monotonic() < deadline, "JupyterLab did not answer within 60 s"
            time.sleep(0.3)
        yield base, token, port
    finally:
        request = urllib.request.Request(f"{base}/api/shutdown", method="POST",
                                         headers={"Authorization": f"token {token}"})
        try:
            urllib.request.urlopen(request, timeout=5)
            process.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)


def test_make_lab_needs_the_token_and_listens_on_loopback_only(lab):
    base, token, port = lab
    assert http_status(f"{base}/api/contents/notebooks?token={token}") == 200
    assert http_status(f"{base}/api/contents/notebooks") == 403
    assert http_status(f"{base}/api/contents/notebooks?token=wrong") == 403
    address = other_address()
    if address:
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=2).close()
