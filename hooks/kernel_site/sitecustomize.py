"""Record which ``linreg`` modules a build kernel imports, and every process it starts.

``hooks/execution.py`` puts this folder first on the kernel's ``PYTHONPATH`` and
names a file in ``$LINREG_IMPORT_LOG``; Python runs ``sitecustomize`` at the start
of every interpreter that inherits that environment: the kernel, and the
processes a page starts (page 11's DDP workers, spawned fresh, import
``linreg.distributed`` on their own). Each ``linreg`` module a process imports,
or tries to import and does not find, is appended to the log as it is imported,
one name a line, so a process that is killed or exits without cleaning up has
still reported it. The build keys the notebook's cache entry on those modules'
files: an edit to any other module leaves the entry fresh.

A module missing from the project is recorded too: creating it must re-execute a
notebook that tried to import it.
"""

import os
import sys

_PACKAGE = "linreg"


class _ImportRecorder:
    """A finder that finds nothing: it notes the names asked for and lets the next finder load them."""

    def __init__(self, log_path: str):
        self.log_path = log_path
        self.seen: set[str] = set()

    def find_spec(self, fullname, path=None, target=None):
        if (fullname == _PACKAGE or fullname.startswith(_PACKAGE + ".")) and fullname not in self.seen:
            self.seen.add(fullname)
            # One write of one line with O_APPEND: lines from several processes never interleave.
            fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (fullname + "\n").encode())
            finally:
                os.close(fd)
        return None


def _run_the_shadowed_sitecustomize() -> None:
    """Python imports one ``sitecustomize``: run the one this file hides (a distribution's own), if any."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


if os.environ.get("LINREG_IMPORT_LOG"):
    sys.meta_path.insert(0, _ImportRecorder(os.environ["LINREG_IMPORT_LOG"]))
_run_the_shadowed_sitecustomize()
