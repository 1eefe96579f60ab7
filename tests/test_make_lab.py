"""The README's first command works: `make lab` starts JupyterLab on the first lesson, also as root
(containers, cloud VMs and CI run as root, where JupyterLab refuses to start without
--allow-root). Started without a browser on a free port; the lesson is fetched, then the server
is stopped."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LESSON = "notebooks/01_perceptron.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_the_first_lesson(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    dirs = {name: tmp_path / name for name in ("config", "data", "runtime", "ipython")}
    for path in dirs.values():
        path.mkdir()
    # a throw-away Jupyter configuration, so the developer's own settings play no part
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(dirs["config"]),
               JUPYTER_DATA_DIR=str(dirs["data"]), JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
               IPYTHONDIR=str(dirs["ipython"]), JUPYTER_PLATFORM_DIRS="1")
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --port-retries=0 "
            f"--IdentityProvider.token={token} --ServerApp.open_browser=False")
    log = tmp_path / "make-lab.log"
    with open(log, "w") as out:
        process = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
                                   cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline, status = time.monotonic() + 120, None
        while status is None:
            if process.poll() is not None:
                pytest.fail(f"make lab exited with {process.returncode}:\n{log.read_text()}")
            try:
                status, page = _get(f"http://127.0.0.1:{port}/lab/tree/{LESSON}", token)
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    pytest.fail(f"make lab did not serve within 120 s:\n{log.read_text()}")
                time.sleep(0.5)
        assert status == 200 and b"JupyterLab" in page
        _, body = _get(f"http://127.0.0.1:{port}/api/contents/{LESSON}?content=1", token)
        lesson = json.loads(body)
        assert lesson["type"] == "notebook"
        assert lesson["content"]["cells"][0]["source"].startswith("# Lesson 1")
        if os.geteuid() == 0:
            assert "running as root, so JupyterLab starts with --allow-root" in log.read_text()
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
