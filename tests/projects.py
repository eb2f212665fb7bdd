"""A tiny project the build can execute, for the tests of the execution cache and of sharding.

It has what the cache key reads (a ``linreg`` package, the pins in
``requirements/lock.txt``) and notebooks of one Markdown and one code cell each,
so a build of it starts real kernels in seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def write_notebook(path: Path, markdown: str, code: str) -> None:
    """A notebook of one Markdown cell and one code cell, with the kernel the build runs."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown), nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def tiny_project(root: Path, notebooks: dict[str, str]) -> Path:
    """``root`` made a project: a ``linreg`` package (``core``, ``worker``, ``unused``), a lock file and
    ``docs/<name>.ipynb`` per ``{name: code}``. Its kernels import this ``linreg``, not the real one."""
    (root / "linreg").mkdir(parents=True)
    (root / "linreg" / "__init__.py").write_text("")
    (root / "linreg" / "core.py").write_text("VALUE = 1\n")
    (root / "linreg" / "worker.py").write_text("print('worker ran')\n")
    (root / "linreg" / "unused.py").write_text("")
    (root / "requirements").mkdir()
    (root / "requirements" / "lock.txt").write_text("torch==2.13.0\n")
    (root / "docs").mkdir()
    for name, code in notebooks.items():
        write_notebook(root / "docs" / f"{name}.ipynb", f"# {name}", code)
    return root


def copy_of_the_project(target: Path, *, cache: Path) -> dict[str, str]:
    """This project's files (tracked, and untracked but not ignored) copied into ``target``, ready to build.

    ``cache`` becomes its execution cache, holding the project's executed notebooks
    (hard links: no notebook executes again while the copy's ``linreg`` is the
    project's), typeset formulas and Markdown pages' executed blocks, and nothing
    else: no rendered notebook, reference page or search entry. KaTeX and Pyodide
    are the project's own (a link).
    Returns the environment a build of the copy runs with.
    """
    names = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, names):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    (target / ".cache").mkdir(exist_ok=True)
    (target / ".cache" / "vendor").symlink_to(ROOT / ".cache" / "vendor")
    executed = ROOT / ".cache" / "site" / "executed"
    (cache / "executed").mkdir(parents=True)
    for entry in executed.iterdir():
        if entry.suffix in (".ipynb", ".json"):
            os.link(entry, cache / "executed" / entry.name)
    # Work the tests of a copy are not about, each keyed on its own inputs: mkdocs-jupyter's HTML of the
    # rendered notebooks (by their bytes), typeset formulas (by formula), the home page's executed block.
    for source, copy in ((ROOT / ".cache" / "mkdocs-jupyter", target / ".cache" / "mkdocs-jupyter"),
                         (ROOT / ".cache" / "site" / "katex", cache / "katex"),
                         (ROOT / ".cache" / "site" / "markdown", cache / "markdown")):
        copy.mkdir(parents=True, exist_ok=True)
        for entry in source.glob("*.json"):  # KaTeX's store is rewritten in place: a copy, not a link
            (shutil.copy2 if copy.name == "katex" else os.link)(entry, copy / entry.name)
    return {**os.environ, "LINREG_CACHE_DIR": str(cache), "PYTHONPATH": str(target),
            "NO_MKDOCS_2_WARNING": "1", "NBCONVERT_DISABLE_CONFIG_EXPORTERS": "1"}
