"""The README's first command works: `make lab` starts JupyterLab on the first lesson, also as root
(containers, cloud VMs and CI run as root, where JupyterLab refuses to start without
--allow-root). Started without a browser on a free port; the lesson is fetched, then the server
is stopped."""

import secrets
import shutil
from pathlib import Path

import pytest
from lab_server import free_port, jupyter_env, serves_first_lesson

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_the_first_lesson(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --port-retries=0 "
            f"--IdentityProvider.token={token} --ServerApp.open_browser=False")
    serves_first_lesson(["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"], cwd=REPO,
                        env=jupyter_env(tmp_path), port=port, token=token,
                        log=tmp_path / "make-lab.log")
