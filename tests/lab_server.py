"""Start a command that runs JupyterLab (``make lab``, ``python -m mlpcourse start``) without a
browser on a free port, check that it serves the first lesson, and stop it again."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

LESSON = "notebooks/01_perceptron.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_env(tmp: Path, **extra) -> dict:
    """The environment with a throw-away Jupyter configuration under ``tmp``, so the developer's
    own settings play no part."""
    dirs = {name: tmp / name for name in ("config", "data", "runtime", "ipython")}
    for path in dirs.values():
        path.mkdir()
    return dict(os.environ, JUPYTER_CONFIG_DIR=str(dirs["config"]),
                JUPYTER_DATA_DIR=str(dirs["data"]), JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
                IPYTHONDIR=str(dirs["ipython"]), JUPYTER_PLATFORM_DIRS="1", **extra)


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


def serves_first_lesson(command, *, cwd, env, port: int, token: str, log: Path) -> str:
    """Run ``command``; within 120 s JupyterLab must serve the lab page and the first lesson's
    contents on ``port``; as root the command must say it added --allow-root. The process group
    is stopped afterwards. Returns what the command printed."""
    name = " ".join(map(str, command[:4]))
    with open(log, "w") as out:
        process = subprocess.Popen([str(c) for c in command], cwd=cwd, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, status = time.monotonic() + 120, None
        while status is None:
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{log.read_text()}")
            try:
                status, page = _get(f"http://127.0.0.1:{port}/lab/tree/{LESSON}", token)
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    pytest.fail(f"{name} did not serve within 120 s:\n{log.read_text()}")
                time.sleep(0.5)
        assert status == 200 and b"JupyterLab" in page
        _, body = _get(f"http://127.0.0.1:{port}/api/contents/{LESSON}?content=1", token)
        lesson = json.loads(body)
        assert lesson["type"] == "notebook"
        assert lesson["content"]["cells"][0]["source"].startswith("# Lesson 1")
        text = log.read_text()
        if os.geteuid() == 0:
            assert "running as root, so JupyterLab starts with --allow-root" in text
        return text
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
