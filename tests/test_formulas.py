"""Math typeset at build time (hooks/formulas.py): which text is a formula, and KaTeX's answers."""

from __future__ import annotations

import shutil

import pytest

from hooks import formulas


def fake(tex: str, display: bool) -> str:
    return f"[{'D' if display else 'I'}:{tex}]"


def test_dollars_in_notebook_text_become_inline_and_display_formulas():
    html, count = formulas.typeset_dollars("<p>Let $x_i$ be\n$$\n\\frac{1}{N} &lt; 2\n$$</p>", fake)
    assert html == "<p>Let [I:x_i] be\n[D:\\frac{1}{N} < 2]</p>" and count == 2


def test_dollars_in_code_outputs_and_attributes_are_left_alone():
    page = '<pre>cost = $5 and $6</pre><code>$x$</code><a title="$y$">$z$</a>'
    html, count = formulas.typeset_dollars(page, fake)
    assert html == '<pre>cost = $5 and $6</pre><code>$x$</code><a title="$y$">[I:z]</a>' and count == 1


def test_a_dollar_next_to_a_space_or_escaped_is_not_a_delimiter():
    html, count = formulas.typeset_dollars("<p>from $ 5 to $ 6, and \\$7</p>", fake)
    assert html == "<p>from $ 5 to $ 6, and $7</p>" and count == 0


def test_punctuation_after_an_inline_formula_stays_on_its_line():
    html, _ = formulas.typeset_dollars("<p>of $e_i^2$, and $x$.</p>", fake)
    assert html == ('<p>of <span class="linreg-nowrap">[I:e_i^2],</span> and '
                    '<span class="linreg-nowrap">[I:x].</span></p>')


def test_arithmatex_markup_loses_its_delimiters():
    page = '<p><span class="arithmatex">\\(a &amp; b\\)</span></p><div class="arithmatex">\\[y\\]</div>'
    html, count = formulas.typeset_arithmatex(page, fake)
    assert html == '<p><span class="arithmatex">[I:a & b]</span></p><div class="arithmatex">[D:y]</div>'
    assert count == 2


@pytest.fixture(scope="module")
def katex(project_root, tmp_path_factory):
    package = project_root / ".cache" / "vendor" / "node_modules" / "katex"
    if not shutil.which("node") or not package.exists():
        pytest.fail("KaTeX or Node.js missing: `make setup` installs KaTeX (npm)")
    return formulas.Katex(package, tmp_path_factory.mktemp("katex"))


def test_katex_typesets_html_with_mathml_for_screen_readers(katex):
    html = katex("\\frac{a}{b}", True)
    assert 'class="katex-display"' in html and "<math" in html and 'aria-hidden="true"' in html


def test_a_formula_katex_cannot_typeset_is_an_error_naming_it(katex):
    with pytest.raises(formulas.FormulaError, match=r"\\frac\{"):
        katex("\\frac{", False)


def test_typeset_formulas_are_cached_on_disk_per_katex_version(katex, project_root):
    katex("e^{i\\pi}", False)
    katex.store()
    assert katex.cache.name == f"katex-{katex.version}.json" and katex.cache.exists()
    again = formulas.Katex(katex.package, katex.cache.parent)
    assert again("e^{i\\pi}", False) == katex("e^{i\\pi}", False) and again._node is None


def test_woff2_only_drops_the_older_font_formats():
    css = ('@font-face{src:url(fonts/A.woff2) format("woff2"),url(fonts/A.woff) format("woff"),'
           'url(fonts/A.ttf) format("truetype")}')
    assert formulas.woff2_only(css) == '@font-face{src:url(fonts/A.woff2) format("woff2")}'
