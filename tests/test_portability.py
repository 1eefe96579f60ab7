"""tools/portability.py, which proves that the committed outputs hold on other machines: it must
find BLAS configurations that really differ, compare text outputs the way nbval does, and catch a
notebook that prints rounding noise."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("portability", ROOT / "tools" / "portability.py")
portability = importlib.util.module_from_spec(spec)
spec.loader.exec_module(portability)

OPENBLAS = portability.blas_info().get("internal_api") == "openblas"
# a product whose last bits depend on the BLAS kernel and thread count, printed in full
NOISY = ("import numpy as np\n"
         "a = np.random.default_rng(0).standard_normal((300, 300))\n"
         "print((a @ a).sum().hex())")


def test_text_outputs_joins_streams_and_leaves_out_images(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\n"),
                    nbformat.v4.new_output("display_data", data={"image/png": "AAAA",
                                                                 "text/plain": "<Figure>"}),
                    nbformat.v4.new_output("stream", name="stdout", text="b\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), cell]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    [(index, text)] = portability.text_outputs(path)
    assert index == 1
    assert text == "[text/plain] <Figure>\n[stdout] a\nb\n"
    cell.outputs[1]["data"]["image/png"] = "BBBB"  # another PNG: no difference
    nbformat.write(nb, path)
    assert portability.text_outputs(path) == [(1, text)]


@pytest.mark.skipif(not OPENBLAS, reason="numpy does not use OpenBLAS here")
def test_configs_really_change_the_blas_kernel_or_threads():
    default = portability.blas_info({"OPENBLAS_NUM_THREADS": "1"})
    found = portability.configs()
    assert len(found) >= 2, "make test needs two other configurations"
    for description, env in found:
        info = portability.blas_info(env)
        assert info["architecture"] != default["architecture"], description
        assert str(info["num_threads"]) == env["OPENBLAS_NUM_THREADS"]
    assert any(env["OPENBLAS_NUM_THREADS"] != "1" for _, env in found[:2]), \
        "one of the two configurations make test uses must run more than one BLAS thread"


def _noise_under(env: dict) -> str:
    out = subprocess.run([sys.executable, "-c", NOISY], capture_output=True, text=True,
                         check=True, env={**portability.os.environ, **env})
    return out.stdout


@pytest.mark.skipif(not OPENBLAS, reason="numpy does not use OpenBLAS here")
def test_reexecute_catches_a_notebook_that_prints_rounding_noise(tmp_path):
    """A notebook committed with the noise of the default kernel differs when re-executed under
    another one: the check reports that cell (and passes the cell that prints a bound)."""
    description, env = portability.configs()[0]
    committed = _noise_under({"OPENBLAS_NUM_THREADS": "1"})
    if committed == _noise_under(env):
        pytest.skip(f"this product happens to agree under {description}")
    nb = nbformat.v4.new_notebook()
    noisy = nbformat.v4.new_code_cell(NOISY, execution_count=1)
    noisy.outputs = [nbformat.v4.new_output("stream", name="stdout", text=committed)]
    bounded = nbformat.v4.new_code_cell("print('agree to better than 1e-12')", execution_count=2)
    bounded.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                              text="agree to better than 1e-12\n")]
    nb.cells = [noisy, bounded]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    folder = tmp_path / "course"
    folder.mkdir()
    path = folder / "noisy.ipynb"
    path.write_text(json.dumps(nb, indent=1) + "\n")
    problems = portability.reexecute([str(path)], env)
    assert len(problems) == 1, problems
    assert problems[0].startswith("course/noisy.ipynb, cell 0:")
    assert committed.strip() in problems[0]
