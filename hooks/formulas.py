"""Typeset math when the site is built, with KaTeX run by Node: readers get HTML, a stylesheet and fonts.

No math JavaScript reaches the reader. Formulas arrive in two markups:

* Markdown pages (``pymdownx.arithmatex``, generic mode):
  ``<span class="arithmatex">\\(...\\)</span>`` and ``<div class="arithmatex">\\[...\\]</div>``;
* notebook Markdown cells as mkdocs-jupyter renders them: raw ``$...$`` and
  ``$$...$$`` in the text (never inside ``<pre>`` or ``<code>``).

KaTeX comes from the npm registry (``make`` installs it into ``.cache/vendor``).
A formula KaTeX cannot typeset fails the build. Typeset formulas are cached on
disk, keyed on KaTeX's version, so a rebuild starts Node only for new formulas.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

Render = Callable[[str, bool], str]  # (tex, display) -> HTML

# One Node process per build: reads {"tex", "display"} lines, answers {"html"} or {"error"} lines.
_NODE_SCRIPT = r"""
const katex = require(process.argv[1]);
const lines = require("readline").createInterface({input: process.stdin});
lines.on("line", line => {
  const {tex, display} = JSON.parse(line);
  let answer;
  try {
    answer = {html: katex.renderToString(tex, {displayMode: display, throwOnError: true, strict: "error",
                                                output: "htmlAndMathml"})};
  } catch (error) {
    answer = {error: String(error.message || error)};
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
"""


class FormulaError(ValueError):
    """A formula KaTeX cannot typeset."""


class Katex:
    """Typesets TeX with KaTeX under Node; ``katex(tex, display)`` returns HTML.

    ``package`` is the npm package folder (``node_modules/katex``); formulas
    already typeset are kept in ``cache_dir`` (one JSON file per KaTeX
    version, written by :meth:`store`).
    """

    def __init__(self, package: Path, cache_dir: Path | None = None):
        if not (package / "package.json").exists():
            raise FileNotFoundError(f"KaTeX is missing from {package}: `make setup` installs it from npm")
        self.package = package
        self.version = json.loads((package / "package.json").read_text())["version"]
        self.cache = None if cache_dir is None else cache_dir / f"katex-{self.version}.json"
        cache = self.cache
        self._known: dict[str, str] = {}
        if cache is not None and cache.exists():
            self._known = json.loads(cache.read_text(encoding="utf-8"))
        self._fresh = 0
        self._node: subprocess.Popen | None = None

    def __call__(self, tex: str, display: bool) -> str:
        key = ("D" if display else "I") + tex
        if key not in self._known:
            answer = self._ask({"tex": tex, "display": display})
            if "error" in answer:
                kind = "display" if display else "inline"
                raise FormulaError(f"KaTeX cannot typeset the {kind} formula {tex!r}: {answer['error']}")
            self._known[key] = answer["html"]
            self._fresh += 1
        return self._known[key]

    def _ask(self, request: dict) -> dict:
        if self._node is None:
            self._node = subprocess.Popen(["node", "-e", _NODE_SCRIPT, str(self.package)], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self._node.stdin.write(json.dumps(request) + "\n")
        self._node.stdin.flush()
        line = self._node.stdout.readline()
        if not line:
            raise RuntimeError("the KaTeX process (node) stopped: is Node.js installed?")
        return json.loads(line)

    def store(self) -> None:
        """Write newly typeset formulas to the cache file and stop Node."""
        if self._node is not None:
            self._node.stdin.close()
            self._node.wait(timeout=10)
            self._node = None
        if self.cache is not None and self._fresh:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            self.cache.write_text(json.dumps(self._known, sort_keys=True), encoding="utf-8")
            self._fresh = 0


def _glued(formula: str, punctuation: str) -> str:
    """A formula and the punctuation after it, kept on one line (browsers would break between them)."""
    return f'<span class="linreg-nowrap">{formula}{punctuation}</span>' if punctuation else formula


_ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>([.,;:!?)]*)', re.S)


def typeset_arithmatex(page: str, render: Render) -> tuple[str, int]:
    """Typeset arithmatex's formulas (Markdown pages); returns the new HTML and how many there were."""
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        tag, tex = match.group(1), html.unescape(match.group(2)).strip()
        display = tag == "div"
        for opening, closing in (("\\(", "\\)"), ("\\[", "\\]"), ("$$", "$$")):
            if tex.startswith(opening) and tex.endswith(closing):
                tex = tex[len(opening):-len(closing)]
                break
        count += 1
        formula = f'<{tag} class="arithmatex">{render(tex.strip(), display)}</{tag}>'
        return formula + match.group(3) if display else _glued(formula, match.group(3))

    return _ARITHMATEX.sub(replace, page), count


# Code, scripts and styles keep their dollars; so do attribute values (tags are skipped whole).
_VERBATIM = re.compile(r"(<(pre|code|script|style|textarea)\b.*?</\2>|<[^>]*>)", re.S)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
# TeX's rule: no space just inside the dollars; an escaped \$ is a dollar sign, not a delimiter.
# Punctuation right after the formula is taken along (see _glued).
_INLINE = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\\$|[^$])*?[^\s\\$])\$(?!\$)([.,;:!?)]*)", re.S)



def typeset_dollars(page: str, render: Render) -> tuple[str, int]:
    """Typeset ``$$...$$`` and ``$...$`` in the text of notebook HTML; returns the HTML and the count."""
    count = 0

    def display(match: re.Match) -> str:
        nonlocal count
        count += 1
        return render(html.unescape(match.group(1)).strip(), True)

    def inline(match: re.Match) -> str:
        nonlocal count
        count += 1
        return _glued(render(html.unescape(match.group(1)), False), match.group(2))

    def typeset_text(text: str) -> str:
        if "$" not in text:
            return text
        return _INLINE.sub(inline, _DISPLAY.sub(display, text)).replace("\\$", "$")

    out, position = [], 0
    for verbatim in _VERBATIM.finditer(page):
        out += [typeset_text(page[position:verbatim.start()]), verbatim.group(0)]
        position = verbatim.end()
    out.append(typeset_text(page[position:]))
    return "".join(out), count


_OLDER_FONT_FORMATS = re.compile(r',\s*url\([^)]*\)\s*format\("(?:woff|truetype)"\)')


def woff2_only(css: str) -> str:
    """KaTeX's stylesheet without the WOFF and TrueType fallbacks of its fonts: every
    browser that runs Material reads WOFF2."""
    return _OLDER_FONT_FORMATS.sub("", css)
