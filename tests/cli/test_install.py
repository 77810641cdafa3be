"""The README's install commands work as written from a checkout, and its example runs after."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _venv(where: Path) -> Path:
    """A fresh virtual environment with pip; its python."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=300)
    return where / "bin" / "python"


def _example() -> str:
    section = README.split("## Example", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)  # type: ignore[union-attr]


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_the_checkout_commands_install_and_the_example_runs(tmp_path: Path) -> None:
    """README's 'pip install '.[sql]' ./backends/sql', run at the root, gives a working store."""
    block = README.split("## Install", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    command = next(
        line for line in block.splitlines() if "./backends/sql" in line and "[sql]" in line
    )
    arguments = command.split("#")[0].split()
    assert arguments[:2] == ["pip", "install"]
    checkout = tmp_path / "checkout"
    # A copy of the checkout's sources, as a clone has them: nothing built, no environment.
    shutil.copytree(
        ROOT,
        checkout,
        ignore=shutil.ignore_patterns(".git", ".venv", ".nox", "*.db", "__pycache__", "site"),
    )
    python = _venv(tmp_path / "venv")
    installed = _run(python, "-m", *[a.strip("'") for a in arguments], cwd=checkout)
    assert installed.returncode == 0, installed.stderr[-3000:]
    ran = _run(python, "-c", _example(), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "1 ['sku-43']"


def test_built_wheels_install_with_pip_and_the_example_runs(tmp_path: Path) -> None:
    """The distributions' wheels, installed with pip into a fresh environment, work."""
    dist = tmp_path / "dist"
    python = _venv(tmp_path / "venv")
    sources = [ROOT, ROOT / "backends" / "sql", ROOT / "backends" / "mongo"]
    built = _run(python, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", dist, *sources)
    assert built.returncode == 0, built.stderr[-3000:]
    assert {path.name.split("-")[0] for path in dist.glob("*.whl")} == {
        "actionlogkit",
        "actionlogkit_sql",
        "actionlogkit_mongo",
    }
    installed = _run(python, "-m", "pip", "install", "--find-links", dist, "actionlogkit[sql,http]")
    assert installed.returncode == 0, installed.stderr[-3000:]
    ran = _run(python, "-c", _example(), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "1 ['sku-43']"
    cli = _run(
        tmp_path / "venv" / "bin" / "actionlogkit", "list", "--store", f"sqlite:///{tmp_path}/x.db"
    )
    assert cli.returncode == 1
    assert "no such database" in cli.stderr
