"""The linreg package's modules depend on each other one way: no module imports, directly or through
others, a module that imports it back (issue 22: linreg.style and linreg.display imported each other)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "linreg"


def _imports(path: Path) -> set[str]:
    """The linreg modules ``path`` imports anywhere in it, a function's late import included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("linreg.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "linreg":  # from linreg import plots, style
                found |= {f"linreg.{alias.name}" for alias in node.names
                          if (PACKAGE / f"{alias.name}.py").exists()}
            elif node.module.startswith("linreg."):
                found.add(node.module)
    return found


def _graph() -> dict[str, set[str]]:
    return {f"linreg.{path.stem}": _imports(path) for path in sorted(PACKAGE.glob("*.py")) if path.stem != "__init__"}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as ``[a, b, ..., a]``, or None."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return path[path.index(module):] + [module]
        if module in done:
            return None
        for imported in sorted(graph.get(module, ())):
            cycle = visit(imported, path + [module])
            if cycle:
                return cycle
        done.add(module)
        return None

    return next((cycle for module in graph if (cycle := visit(module, []))), None)


def test_the_import_graph_is_read_from_every_kind_of_import_statement():
    graph = _graph()
    assert "linreg.style" in graph["linreg.display"]          # from linreg.style import ...
    assert "linreg.display" in graph["linreg.plots"]
    assert "linreg.scratch" in graph["linreg.explorables"]    # a late import inside a function
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_linreg_module_imports_one_that_imports_it_back():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_style_knows_nothing_of_display_and_display_installs_itself_in_ipython():
    assert "linreg.display" not in _graph()["linreg.style"]
    code = ("from IPython.core.interactiveshell import InteractiveShell\n"
            "shell = InteractiveShell.instance()\n"
            "import linreg.display\n"
            "from linreg.style import new_figure\n"
            "data, _ = shell.display_formatter.format(new_figure(width=2, height=1)[0])\n"
            "print(sorted(key for key, value in data.items() if value))\n")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == str(sorted(["image/png", "image/x-linreg-dark+png", "image/x-linreg-narrow+png",
                                        "image/x-linreg-narrow-dark+png"]))
