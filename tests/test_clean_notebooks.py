"""tools/clean_notebooks.py (run by `make notebooks`): committed notebooks keep what a reader
needs and lose what only churns: widget views, execution timestamps, the kernel's splitting of
printed text into messages."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDGET = "application/vnd.jupyter.widget-view+json"


def stream(text, name="stdout"):
    return {"name": name, "output_type": "stream", "text": text}


def notebook(outputs):
    return {"cells": [{"cell_type": "code", "execution_count": 1, "id": "a", "source": "x",
                       "metadata": {"execution": {"iopub.status.busy": "2026-11-28T10:00"}},
                       "outputs": outputs}],
            "metadata": {"widgets": {"state": {}}}, "nbformat": 4, "nbformat_minor": 5}


def run(tmp_path, outputs):
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps(notebook(outputs), indent=1))
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "clean_notebooks.py"), str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(path.read_text()), done.stdout, path


def test_prints_split_by_the_kernel_become_one_output_per_stream(tmp_path):
    outputs = [stream(["line 1\n"]), stream(["line 2\n", "line 3\n"]), stream("warn\n", "stderr"),
               stream(["line 4\n"]), {"output_type": "display_data", "data": {"text/plain": "p"},
                                      "metadata": {}}, stream(["line 5\n"])]
    nb, _, _ = run(tmp_path, outputs)
    got = nb["cells"][0]["outputs"]
    assert [o.get("name") for o in got] == ["stdout", "stderr", "stdout", None, "stdout"]
    assert got[0]["text"] == ["line 1\n", "line 2\n", "line 3\n"]
    assert got[2]["text"] == ["line 4\n"] and got[4]["text"] == ["line 5\n"]


def test_widget_views_and_timestamps_go_and_a_second_run_changes_nothing(tmp_path):
    outputs = [{"output_type": "display_data", "metadata": {},
                "data": {WIDGET: {"model_id": "m"}, "text/plain": "VBox(...)"}},
               {"output_type": "display_data", "metadata": {},
                "data": {WIDGET: {"model_id": "q"}, "text/markdown": "**Quiz**"}}]
    nb, said, path = run(tmp_path, outputs)
    assert said.startswith("cleaned 1 of 1")
    assert "widgets" not in nb["metadata"] and "execution" not in nb["cells"][0]["metadata"]
    assert nb["cells"][0]["outputs"] == [{"output_type": "display_data", "metadata": {},
                                          "data": {"text/markdown": "**Quiz**"}}]
    again = subprocess.run([sys.executable, str(ROOT / "tools" / "clean_notebooks.py"),
                            str(path)], capture_output=True, text=True, check=True)
    assert again.stdout.startswith("cleaned 0 of 1")
