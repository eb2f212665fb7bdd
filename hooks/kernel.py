"""How the build executes one notebook: a fresh kernel, a fair share of the CPU, its imports recorded.

Everything in this file can change a notebook's outputs, so its bytes are part of
every notebook's cache key (``execution.environment_fingerprint``); the cache,
the planning and the rendering around it live in ``execution.py``, whose edits
re-execute nothing.
"""

from __future__ import annotations

import copy
import os
import platform
from importlib import metadata
from pathlib import Path

import nbformat

KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 600
# Put first on every kernel's PYTHONPATH: its sitecustomize.py records the linreg modules imported.
KERNEL_SITE = Path(__file__).with_name("kernel_site")
IMPORT_LOG_VARIABLE = "LINREG_IMPORT_LOG"


class NotebookExecutionError(RuntimeError):
    """A cell of a tutorial notebook raised (or wrote to stderr): the build must fail and say where."""


def _strip_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    clean = copy.deepcopy(notebook)
    for cell in clean.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return clean


def kernel_environment(threads: int, *, project_root: Path | None = None,
                       scratch: Path | None = None) -> dict[str, str]:
    """Environment of a build kernel: a fair share of threads, a build flag, fixed hashing.

    With ``project_root``, the kernel (and every process it starts) imports that
    project's ``linreg``, the one the key hashes, and records the modules it
    imports in ``scratch/imports.txt``; ``scratch`` is also its temporary folder
    (``TMPDIR``): what a page leaves there (page 11's failure demo leaves torch's
    ``pytorch-errorfile-*.pickle``) goes when the build removes the folder.
    """
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[name] = str(threads)
    env["LINREG_BUILD"] = "1"  # linreg hides progress bars in built pages
    env["PYTHONHASHSEED"] = "0"  # same set/dict iteration order in every build
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    if project_root is not None:
        paths = [str(KERNEL_SITE), str(project_root), *filter(None, [os.environ.get("PYTHONPATH")])]
        env["PYTHONPATH"] = os.pathsep.join(paths)
    if scratch is not None:
        env[IMPORT_LOG_VARIABLE] = str(scratch / "imports.txt")
        env["TMPDIR"] = str(scratch)
    return env


def versions() -> dict[str, str]:
    """Versions the kernels run with (they use this interpreter and its packages)."""
    try:
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:  # pragma: no cover
        torch_version = "not installed"
    return {"python": platform.python_version(), "torch": torch_version}


def execute_notebook(path: Path, notebook: nbformat.NotebookNode, *, threads: int, project_root: Path,
                     scratch: Path) -> tuple[nbformat.NotebookNode, list[str]]:
    """Run every cell of ``notebook`` in a fresh kernel, in the notebook's folder; raise on the first error.

    Returns the executed notebook and the ``linreg`` modules that the kernel and
    the processes it started imported (or tried to), sorted. ``scratch`` is an
    empty folder for the kernel's temporary files (see :func:`kernel_environment`).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    work = _strip_outputs(notebook)
    client = NotebookClient(
        work,
        timeout=CELL_TIMEOUT_S,
        kernel_name=KERNEL_NAME,
        allow_errors=False,
        # the kernel's own start-up chatter (e.g. "running over TCP") is not build news
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute(env=kernel_environment(threads, project_root=project_root, scratch=scratch))
    except CellExecutionError as error:
        index = next(
            (i for i, cell in enumerate(work.cells)
             if any(out.get("output_type") == "error" for out in cell.get("outputs", []))),
            None,
        )
        where = f"cell {index + 1}" if index is not None else "a cell"
        raise NotebookExecutionError(f"{path.name}: {where} failed:\n{error}") from None
    log_file = scratch / "imports.txt"
    modules = log_file.read_text(encoding="utf-8").split() if log_file.exists() else []
    return work, sorted(set(modules))
