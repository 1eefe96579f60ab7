"""The student's working folder (mlpcourse/student.py): `start` copies the lessons and exercises
once and records them, `update` brings new versions and never overwrites a file the student
changed, and every folder problem is a clear error. Fast: a small fake course, no JupyterLab (the
built wheel is tested in test_wheel.py)."""

import json
import os
from pathlib import Path

import pytest

from mlpcourse import student
from mlpcourse.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


def write_course(base: Path, texts: dict) -> dict:
    """A fake course under ``base`` with the given relative path -> text; its file mapping."""
    for rel, text in texts.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text)
    for folder in student.FOLDERS:
        (base / folder).mkdir(parents=True, exist_ok=True)
    return student.course_files(base)


V1 = {"notebooks/01_a.ipynb": '{"lesson": 1}', "notebooks/02_b.ipynb": '{"lesson": 2}',
      "exercises/01_a.ipynb": '{"exercise": 1}'}


@pytest.fixture
def work(tmp_path):
    """A working folder made from version 1, and a version 2 of the course in which every file
    changed and a lesson was added."""
    folder = tmp_path / "work"
    folder.mkdir()
    v1 = write_course(tmp_path / "v1", V1)
    student.sync(folder, v1, "1")
    v2 = write_course(tmp_path / "v2", {**{k: v.replace("}", ', "v": 2}') for k, v in V1.items()},
                                        "notebooks/03_c.ipynb": '{"lesson": 3}'})
    return folder, v2


def test_the_installed_course_is_the_lessons_and_exercises_and_never_the_solutions():
    files = student.course_files()
    assert student.course_dir() == ROOT  # an editable install reads the repository
    lessons = sorted(f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb"))
    exercises = sorted(f"exercises/{p.name}" for p in (ROOT / "exercises").glob("*.ipynb"))
    assert sorted(files) == sorted(lessons + exercises) and len(lessons) >= 9
    assert not any("solutions" in str(p) for p in files.values())
    assert student.FIRST_LESSON in files


def test_sync_copies_and_records_every_file(tmp_path):
    files = write_course(tmp_path / "course", V1)
    report = student.sync(tmp_path / "work", files, "1")
    assert sorted(report.added) == sorted(V1) and not report.kept
    manifest = json.loads((tmp_path / "work" / student.MANIFEST).read_text())
    assert manifest["version"] == "1"
    for rel, text in V1.items():
        assert (tmp_path / "work" / rel).read_text() == text
        assert manifest["files"][rel] == {"sha256": student.digest(text.encode()), "version": "1"}


def test_update_replaces_untouched_files_and_keeps_edited_ones_beside_the_new_version(work):
    folder, v2 = work
    mine = '{"lesson": 2, "my notes": "keep me"}'
    (folder / "notebooks/02_b.ipynb").write_text(mine)
    (folder / "exercises/01_a.ipynb").unlink()  # deleted by the student: it comes back
    report = student.sync(folder, v2, "2")
    assert report.updated == ["notebooks/01_a.ipynb"]
    assert report.added == ["notebooks/03_c.ipynb"] and report.restored == ["exercises/01_a.ipynb"]
    assert report.kept == {"notebooks/02_b.ipynb": "notebooks/02_b.new-2.ipynb"}
    assert (folder / "notebooks/02_b.ipynb").read_text() == mine  # never overwritten
    assert (folder / "notebooks/02_b.new-2.ipynb").read_bytes() == v2["notebooks/02_b.ipynb"] \
        .read_bytes()
    for rel in ("notebooks/01_a.ipynb", "notebooks/03_c.ipynb", "exercises/01_a.ipynb"):
        assert (folder / rel).read_bytes() == v2[rel].read_bytes()
    assert any("kept your notebooks/02_b.ipynb" in line and "02_b.new-2.ipynb" in line
               for line in report.lines())
    # again: nothing changes, the student's file is still kept, no second copy beside it
    again = student.sync(folder, v2, "2")
    assert again.kept == report.kept and not again.updated and not again.added
    assert sorted(p.name for p in (folder / "notebooks").iterdir()) == [
        "01_a.ipynb", "02_b.ipynb", "02_b.new-2.ipynb", "03_c.ipynb"]
    assert (folder / "notebooks/02_b.ipynb").read_text() == mine


def test_a_student_who_takes_the_new_version_gets_later_updates_in_place(work, tmp_path):
    folder, v2 = work
    (folder / "notebooks/02_b.ipynb").write_text("mine")
    student.sync(folder, v2, "2")
    (folder / "notebooks/02_b.new-2.ipynb").replace(folder / "notebooks/02_b.ipynb")
    v3 = write_course(tmp_path / "v3", {"notebooks/02_b.ipynb": '{"lesson": 2, "v": 3}'})
    report = student.sync(folder, v3, "3")
    assert report.updated == ["notebooks/02_b.ipynb"] and not report.kept
    assert (folder / "notebooks/02_b.ipynb").read_text() == '{"lesson": 2, "v": 3}'


def test_a_file_there_before_the_course_is_kept(tmp_path):
    folder = tmp_path / "work"
    (folder / "notebooks").mkdir(parents=True)
    (folder / "notebooks/01_a.ipynb").write_text("a notebook of my own")
    report = student.sync(folder, write_course(tmp_path / "course", V1), "1")
    assert report.kept == {"notebooks/01_a.ipynb": "notebooks/01_a.new-1.ipynb"}
    assert (folder / "notebooks/01_a.ipynb").read_text() == "a notebook of my own"


def test_a_taken_new_name_gets_the_hash_of_the_new_version(work):
    folder, v2 = work
    (folder / "notebooks/02_b.ipynb").write_text("mine")
    (folder / "notebooks/02_b.new-2.ipynb").write_text("also mine")
    report = student.sync(folder, v2, "2")
    new = report.kept["notebooks/02_b.ipynb"]
    digest = student.digest(v2["notebooks/02_b.ipynb"].read_bytes())[:8]
    assert new == f"notebooks/02_b.new-2-{digest}.ipynb"
    assert (folder / "notebooks/02_b.new-2.ipynb").read_text() == "also mine"


def test_start_copies_once_then_only_reopens(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    command = student.start(launch=False, no_browser=True, port=8897, out=None)
    folder = (tmp_path / student.DEFAULT_FOLDER).resolve()
    assert f"--ServerApp.root_dir={folder}" in command and command[-1] == student.FIRST_LESSON
    assert "--no-browser" in command and "--port=8897" in command
    for rel, source in student.course_files().items():
        assert (folder / rel).read_bytes() == source.read_bytes()
    assert f"copied {len(student.course_files())} notebooks" in capsys.readouterr().out
    (folder / "exercises/03_activations.ipynb").write_text("my work")
    (folder / "notebooks/01_perceptron.ipynb").unlink()
    student.start(folder, launch=False)
    assert "reopening" in capsys.readouterr().out
    assert (folder / "exercises/03_activations.ipynb").read_text() == "my work"
    assert not (folder / "notebooks/01_perceptron.ipynb").exists()  # start copies nothing


def test_lab_runs_as_root_only_with_allow_root(tmp_path):
    assert "--allow-root" in student.lab_command(tmp_path, as_root=True)
    assert "--allow-root" not in student.lab_command(tmp_path, as_root=False)


def test_the_command_line_starts_jupyterlab_in_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    started = []

    def execv(path, command):
        started.append((path, command, Path.cwd()))
        raise SystemExit(0)

    monkeypatch.setattr(os, "execv", execv)
    with pytest.raises(SystemExit):
        main(["start", "course", "--no-browser", "--port", "8898"])
    path, command, cwd = started[0]
    assert command[:3] == [path, "-m", "jupyterlab"] and cwd == (tmp_path / "course").resolve()
    assert "--no-browser" in command and "--port=8898" in command
    assert (tmp_path / "course" / student.MANIFEST).is_file()


def test_update_on_the_command_line_says_what_it_kept(tmp_path, capsys):
    folder = tmp_path / "work"
    student.sync(folder)
    (folder / "exercises/03_activations.ipynb").write_text("my work")
    # as if the folder had an older version of lesson 2, untouched by the student
    manifest = json.loads((folder / student.MANIFEST).read_text())
    (folder / "notebooks/02_forward_pass.ipynb").write_text("the course's older version")
    manifest["files"]["notebooks/02_forward_pass.ipynb"]["sha256"] = student.digest(
        b"the course's older version")
    (folder / student.MANIFEST).write_text(json.dumps(manifest))
    assert main(["update", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "updated notebooks/02_forward_pass.ipynb" in out
    assert "kept your exercises/03_activations.ipynb (you changed it)" in out
    assert (folder / "exercises/03_activations.ipynb").read_text() == "my work"
    new = f"exercises/03_activations.new-{student.course_version()}.ipynb"
    assert (folder / new).read_bytes() == (ROOT / "exercises/03_activations.ipynb").read_bytes()


@pytest.mark.parametrize("case", ["file", "missing", "no_manifest", "bad_json", "bad_manifest"])
def test_folder_problems_are_clear_errors(tmp_path, capsys, case):
    target = tmp_path / "work"
    if case == "file":
        target.write_text("not a folder")
    elif case != "missing":
        target.mkdir()
    if case == "bad_json":
        (target / student.MANIFEST).write_text("{not json")
    elif case == "bad_manifest":
        (target / student.MANIFEST).write_text('["a list"]')
    assert main(["update", str(target)]) == 2
    error = capsys.readouterr().err
    expected = {"file": "is a file, not a folder", "missing": "does not exist",
                "no_manifest": "was not made by `python -m mlpcourse start`",
                "bad_json": "cannot be read", "bad_manifest": "is not a course manifest"}[case]
    assert error.startswith("error: ") and expected in error and str(target) in error
    if case == "file":  # start refuses it too, and leaves it alone
        assert main(["start", str(target), "--no-browser"]) == 2
        assert "is a file" in capsys.readouterr().err and target.read_text() == "not a folder"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root may write into any folder")
def test_a_folder_without_write_permission_is_a_clear_error(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        assert main(["start", str(locked / "work"), "--no-browser"]) == 2
        assert main(["start", str(locked), "--no-browser"]) == 2
    finally:
        locked.chmod(0o700)
    errors = capsys.readouterr().err
    assert "cannot create FOLDER" in errors and "cannot write into FOLDER" in errors


def test_a_folder_where_a_notebook_should_be_is_a_clear_error_and_kept(work):
    folder, v2 = work
    (folder / "notebooks/03_c.ipynb").mkdir()  # the new lesson's name is taken by a folder
    with pytest.raises(student.StudentFolderError, match="cannot bring notebooks/03_c.ipynb"):
        student.sync(folder, v2, "2")
    assert (folder / "notebooks/03_c.ipynb").is_dir()
    manifest = json.loads((folder / student.MANIFEST).read_text())
    assert manifest["files"]["notebooks/01_a.ipynb"]["version"] == "2"  # what was done is kept
    assert manifest["version"] == "1"  # the folder as a whole is not at version 2 yet
