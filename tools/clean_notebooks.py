"""Keep committed notebooks lean and stable after execution (``make notebooks`` runs this).

- Widget views are dropped from cell outputs, with the saved widget state: without a kernel they
  cannot work anyway (JupyterLab would show "model not found"), and every widget cell has a static
  twin that shows the same plot at the default values. Other representations an output carries
  (a quiz's Markdown copy of its question) are kept.
- Volatile metadata (execution timestamps) is removed, so re-running changes only real outputs.
- Consecutive prints to the same stream become one output: how the kernel happened to split them
  into messages depends on timing, so without this a re-run reshuffles unchanged text (nbval
  compares the streams joined, so it does not mind either way).

Usage: python tools/clean_notebooks.py NOTEBOOK...
"""

import json
import sys
from pathlib import Path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _without_widget_view(output: dict) -> dict | None:
    """The output without its widget view; None if nothing but the widget's repr would remain
    (a quiz keeps its Markdown copy of the question, so static pages still show it)."""
    data = output.get("data", {})
    if WIDGET_VIEW not in data:
        return output
    rest = {k: v for k, v in data.items() if k != WIDGET_VIEW}
    if set(rest) <= {"text/plain"}:
        return None
    return {**output, "data": rest}


def _joined_streams(outputs: list[dict]) -> list[dict]:
    """Consecutive stream outputs with the same name (stdout, stderr) merged into one."""
    joined = []
    for output in outputs:
        last = joined[-1] if joined else None
        if (output.get("output_type") == "stream" and last is not None
                and last.get("output_type") == "stream" and last["name"] == output["name"]):
            text = "".join(_lines(last["text"]) + _lines(output["text"]))
            joined[-1] = {**last, "text": text.splitlines(keepends=True)}
        else:
            joined.append(output)
    return joined


def _lines(text) -> list[str]:
    return [text] if isinstance(text, str) else list(text)


def clean(path: Path) -> bool:
    """Clean one notebook in place; return True if it changed."""
    text = path.read_text()
    nb = json.loads(text)
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        if cell["cell_type"] == "code":
            outputs = [o for o in map(_without_widget_view, cell.get("outputs", [])) if o]
            cell["outputs"] = _joined_streams(outputs)
    new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if new != text:
        path.write_text(new)
        return True
    return False


if __name__ == "__main__":
    changed = [p for p in map(Path, sys.argv[1:]) if clean(p)]
    print(f"cleaned {len(changed)} of {len(sys.argv) - 1} notebooks")
