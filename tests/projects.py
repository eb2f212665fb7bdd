"""A tiny project the build can execute, for the tests of the execution cache and of sharding.

It has what the cache key reads (a ``linreg`` package, the pins in
``requirements/lock.txt``) and notebooks of one Markdown and one code cell each,
so a build of it starts real kernels in seconds.
"""

from __future__ import annotations

from pathlib import Path

import nbformat


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
