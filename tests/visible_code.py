"""What a page's code uses from ``linreg``, what it shows, and the one table of what it may use unseen.

The rule (CURRICULUM.md, "The code a page teaches is visible on it"): every
``linreg`` function or class a tutorial page's code cells use is either *shown*
on that page or an earlier one — written in a code cell (a ``def`` or ``class``
of the same name) or rendered from its source with
``linreg.source.show_source(...)`` — or named in :data:`MACHINERY`, the one
table of what pages may use without showing it, each entry with its reason.

Nothing that implements what a page teaches belongs in the table: a training
loop, a closed form, a dataset's ``__getitem__``, a feature map. Plotting,
styling, display, animation, explorables, glue, tables, graph drawing and data
recipes whose rule the page states in its prose do.

``tests/test_visible_code.py`` applies the rule; ``python tests/visible_code.py``
prints, per page, what each page uses and how it is covered.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What a page may use without showing it: a module (every public name in it) or one
# object, each with the reason it is machinery and not lesson. Keep it short: every
# entry is a promise that the page teaches nothing the entry implements.
MACHINERY: dict[str, str] = {
    "linreg.plots": "plotting: each function draws a figure of results the page computed in view",
    "linreg.optimizer_plots": "plotting: contours, a 3-D bowl, an animation and sweeps of paths computed in view",
    "linreg.search_plots": "plotting: figures of the trials a search ran on the page (where it looked, best so far)",
    "linreg.style": "styling: the house style of figures (colours, fonts, the light and dark renderings)",
    "linreg.display": "display: how a figure leaves the kernel (two PNGs and an alt text)",
    "linreg.animation": "animation: frames of results the page computed, encoded as a video",
    "linreg.graphs": "graph drawing: torchviz and Graphviz turn an autograd graph or a layer list into SVG",
    "linreg.interactive": "explorables: the sliders and fallback image that display precomputed runs",
    "linreg.explorables": "explorables: runs of code the page shows, repeated over a grid of settings for a figure",
    "linreg.budget_explorer": "explorables: the page's own trials, read at every budget k for a figure",
    "linreg.latent_explorer": "explorables: the page's decoder run over a grid of codes, for a figure to move through",
    "linreg.autograd_explorer": "explorables: the values and gradients of a graph the page drew and backpropagated",
    "linreg.width_explorer": "explorables: page 9's train_width, shown, run for each width and activation; its figure",
    "linreg.glue": "glue: records a computed value so that the prose can cite it",
    "linreg.tables": "tables: formats rows the page computed as a Markdown table",
    "linreg.source": "showing code: the tool that renders library source on the page",
    "linreg._checks.DivergedError": "an error type: what a run raises when its loss stops being finite, caught by name",
    "linreg.data.line_data": "data recipe: recipe A (y = 1 + 2x + noise, 100 points, 80/20 split), stated where used",
    "linreg.data.gaussian_line_data": "data recipe: recipe B (y = 1.5 + 2x + noise, x ~ N(0, 1)), stated on the page",
    "linreg.data.crop_yields": "data recipe: recipe C, the crop-yield table, printed on the page",
    "linreg.data.surface_line_data": "data recipe: recipe D (y = x - 1 + noise on [-3, 3)), stated on the page",
    "linreg.data.noisy_line": "data recipe: recipe E (y = 2x + 1, noise growing with x), stated on the page",
    "linreg.data.polynomial_data": "data recipe: recipe F (y = 3x^2 + 2x + 1 + noise), stated on the page",
    "linreg.data.wavy_curve": "data recipe: a non-polynomial curve plus noise, its formula stated on the page",
}


@dataclass
class PageCode:
    """One page's use of ``linreg``: canonical names used, shown, and defined in its cells."""

    name: str
    used: dict[str, list[str]] = field(default_factory=dict)  # canonical name -> how the page spelled it
    shown: set[str] = field(default_factory=set)  # rendered with show_source
    written: set[str] = field(default_factory=set)  # names of defs and classes written in its cells


def canonical(obj) -> str | None:
    """``module.qualname`` of a linreg function or class (where it is defined), else None."""
    if inspect.ismodule(obj):
        return None
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not module or not qualname or not module.startswith("linreg"):
        return None
    return f"{module}.{qualname}"


def _code_cells_of_notebook(path: Path) -> list[str]:
    notebook = json.loads(path.read_text())
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        # IPython magics and shell lines are not Python: the Colab set-up cell has them.
        cells.append("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    return cells


def _code_blocks_of_markdown(path: Path) -> list[str]:
    """The blocks a Markdown page executes at build time (markdown-exec: ```python exec="on" ...)."""
    return re.findall(r'^```python[^\n]*exec="(?:on|1|true)"[^\n]*\n(.*?)^```', path.read_text(), flags=re.M | re.S)


class _Scope(ast.NodeVisitor):
    """Walks a page's cells, resolving names bound to linreg modules and objects."""

    def __init__(self, page: PageCode):
        self.page = page
        self.bound: dict[str, object] = {}  # local name -> linreg module or object

    def _resolve(self, node: ast.AST):
        """The linreg object an expression names (``plots``, ``training.fit``), or None."""
        if isinstance(node, ast.Name):
            return self.bound.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self._resolve(node.value)
            if base is None or not inspect.ismodule(base):
                return None
            attr = getattr(base, node.attr, None)
            if attr is None and base.__name__.startswith("linreg"):
                try:  # a submodule not imported yet: `linreg.training`
                    attr = importlib.import_module(f"{base.__name__}.{node.attr}")
                except ImportError:
                    return None
            return attr
        return None

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "linreg" or alias.name.startswith("linreg."):
                module = importlib.import_module(alias.name)
                if alias.asname:
                    self.bound[alias.asname] = module
                else:
                    self.bound[alias.name.split(".")[0]] = importlib.import_module("linreg")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not node.module or not (node.module == "linreg" or node.module.startswith("linreg.")):
            return
        module = importlib.import_module(node.module)
        for alias in node.names:
            obj = getattr(module, alias.name, None)
            if obj is None:
                obj = importlib.import_module(f"{node.module}.{alias.name}")
            self.bound[alias.asname or alias.name] = obj
            self._use(obj, f"{node.module}.{alias.name}")

    def visit_FunctionDef(self, node) -> None:
        self.page.written.add(node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.page.written.add(node.name)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        target = self._resolve(node.func)
        if target is not None and getattr(target, "__name__", "") == "show_source" and node.args:
            shown = self._resolve(node.args[0])
            if shown is not None and canonical(shown):
                self.page.shown.add(canonical(shown))
            for arg in node.args[1:]:
                self.visit(arg)
            for keyword in node.keywords:
                self.visit(keyword.value)
            return
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        obj = self._resolve(node)
        if obj is not None and not inspect.ismodule(obj):
            self._use(obj, ast.unparse(node))
            return  # `training.fit` counted once, not also `training`
        self.generic_visit(node)

    def _use(self, obj, spelled: str) -> None:
        name = canonical(obj)
        if name is not None and (inspect.isfunction(obj) or inspect.isclass(obj)):
            self.page.used.setdefault(name, [])
            if spelled not in self.page.used[name]:
                self.page.used[name].append(spelled)


def page_code(name: str, cells: list[str]) -> PageCode:
    """What one page's cells use, show and write (cells parsed as one program, in order)."""
    page = PageCode(name)
    scope = _Scope(page)
    for index, cell in enumerate(cells):
        try:
            tree = ast.parse(cell)
        except SyntaxError as error:
            raise SyntaxError(f"{name}: code cell {index} does not parse: {error}") from None
        scope.visit(tree)
    # a name used directly (`fit(...)` after `from linreg.training import fit`) also counts
    for local, obj in scope.bound.items():
        if not inspect.ismodule(obj) and _name_used(local, cells):
            scope._use(obj, local)
    return page


def _name_used(local: str, cells: list[str]) -> bool:
    for cell in cells:
        for node in ast.walk(ast.parse(cell)):
            if isinstance(node, ast.Name) and node.id == local and isinstance(node.ctx, ast.Load):
                return True
    return False


def pages() -> list[PageCode]:
    """Every page that runs code, in reading order: the home page, then the tutorials by number."""
    found = [page_code("index.md", _code_blocks_of_markdown(ROOT / "docs" / "index.md"))]
    for path in sorted((ROOT / "docs" / "tutorials").glob("*.ipynb")):
        found.append(page_code(path.name, _code_cells_of_notebook(path)))
    return found


def machinery_reason(name: str) -> str | None:
    """The table's reason for ``name`` (its own entry, or its module's), else None."""
    if name in MACHINERY:
        return MACHINERY[name]
    module = name
    while "." in module:
        module = module.rsplit(".", 1)[0]
        if module in MACHINERY:
            return MACHINERY[module]
    return None


def hidden_uses() -> dict[str, list[str]]:
    """Per page, the linreg names it uses that are neither shown (there or earlier) nor machinery.

    The home page previews the first lessons: what its block uses may be shown on
    any tutorial page (its own code is shown folded on it: tests/test_page_00_home.py).
    """
    every = pages()
    shown_anywhere = set().union(*(page.shown for page in every))
    written_anywhere = set().union(*(page.written for page in every))
    shown_so_far: set[str] = set()
    written_so_far: set[str] = set()
    hidden: dict[str, list[str]] = {}
    for page in every:
        shown_so_far |= page.shown
        written_so_far |= page.written
        shown, written = (shown_anywhere, written_anywhere) if page.name == "index.md" else (shown_so_far,
                                                                                             written_so_far)
        for name in sorted(page.used):
            covered = (
                name in shown
                or name.rsplit(".", 1)[-1] in written
                or any(name.startswith(f"{one}.") for one in shown)  # a method of a shown class
                or machinery_reason(name) is not None
            )
            if not covered:
                hidden.setdefault(page.name, []).append(name)
    return hidden


if __name__ == "__main__":  # a report for writers: what each page uses, and how it is covered
    sys.path.insert(0, str(ROOT))
    for page in pages():
        print(f"== {page.name}")
        for name in sorted(page.used):
            how = ("shown here" if name in page.shown else "machinery" if machinery_reason(name) else "")
            print(f"   {name:55s} {how}")
    print("\nHidden:")
    for name, uses in hidden_uses().items():
        print(name, *uses, sep="\n   ")
