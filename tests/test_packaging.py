"""Packaging: Binder matches pyproject, the README commands, the wheel carries the notebooks
and the site templates."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def requirement_map(lines):
    return {Requirement(line).name.lower(): Requirement(line).specifier for line in lines}


def test_binder_requirements_equal_pyproject_dependencies():
    lines = [
        line.strip()
        for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert requirement_map(lines) == requirement_map(pyproject()["project"]["dependencies"])


def test_binder_python_satisfies_requires_python():
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    version = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert version, f"binder/runtime.txt must read python-X.Y, got {runtime!r}"
    assert Version(version.group(1)) in SpecifierSet(pyproject()["project"]["requires-python"])


def test_binder_post_build_installs_this_package():
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert re.search(r"pip install\b.*\s\.\s*$", post_build.read_text(), re.MULTILINE)


def test_no_dead_or_replaced_dependencies():
    project = pyproject()["project"]
    names = set(requirement_map(project["dependencies"]))
    for extra in project["optional-dependencies"].values():
        names |= set(requirement_map(extra))
    assert not names & {"mglearn", "tensorflow-addons", "scikeras", "tensorflow-cpu"}
    assert requirement_map(project["dependencies"])["keras"].contains("3.5")


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```(?:bash|sh)\n(.*?)\n```", readme, re.DOTALL)
    test_commands = [c.strip() for c in commands if "pytest" in c]
    assert len(test_commands) == 1, "the README must show one test command"
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_commands[0] in ci.splitlines()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_wheel_carries_the_notebooks_and_the_site_templates(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("lecture_nn-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    committed = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert committed
    for name in committed:
        assert f"lecture_nn/notebooks/{name}" in names
    templates = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "lecture_nn" / "tooling" / "templates").rglob("*")
        if path.is_file()
    )
    assert "lecture_nn/tooling/templates/course_site/index.html.j2" in templates
    assert set(templates) <= set(names)  # lecture-nn build works from an installed wheel
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    entry_point_text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "lecture-nn = lecture_nn.tooling.cli:main" in entry_point_text
