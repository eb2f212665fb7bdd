"""MkDocs hook: the interactive parts of pages (issue 12), linked only where a page has one.

* ``on_post_page`` — a page with an explorable figure or a "Run it in your
  browser" block gets ``explorables.css`` and ``explorables.js``; other pages
  load neither.
* ``on_files`` — register Pyodide's core runtime (installed from npm by
  ``make setup``) into ``assets/vendor/pyodide/``: the browser fetches it only
  when a reader presses Run, from the site itself.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parent.parent
PYODIDE_PACKAGE = ROOT / ".cache" / "vendor" / "node_modules" / "pyodide"
PYODIDE_DIR = "assets/vendor/pyodide"
# The core runtime: the loader, the interpreter (JS glue + WebAssembly), the standard
# library and the lock file loadPyodide reads. No packages: the block needs none.
PYODIDE_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json")
STYLESHEET = "assets/stylesheets/explorables.css"
SCRIPT = "assets/javascripts/explorables.js"
MARKERS = ('class="linreg-explorable"', 'class="linreg-pyodide"')


def on_post_page(output, page, **_):
    if not any(marker in output for marker in MARKERS):
        return output
    css = f'<link rel="stylesheet" href="{get_relative_url(STYLESHEET, page.url)}">'
    js = f'<script src="{get_relative_url(SCRIPT, page.url)}" defer></script>'
    output = output.replace("</head>", css + js + "</head>", 1)
    return output


def on_files(files, config, **_):
    missing = [name for name in PYODIDE_FILES if not (PYODIDE_PACKAGE / name).is_file()]
    if missing:
        raise PluginError(f"Pyodide's runtime is missing from {PYODIDE_PACKAGE} ({', '.join(missing)}): "
                          "run `make setup`, which installs it from npm")
    for name in PYODIDE_FILES:  # MkDocs copies them (and `mkdocs serve` serves them) like any page asset
        files.append(File.generated(config, f"{PYODIDE_DIR}/{name}", abs_src_path=str(PYODIDE_PACKAGE / name)))
    return files
