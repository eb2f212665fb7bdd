"""The claims the landing page (docs/index.md) makes about its figure, checked against the built page."""

import html
import re

import pytest

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def home(built_site):
    return (built_site / "index.html").read_text()


@pytest.fixture(scope="module")
def alt(home):
    """The alt text of the landing figure (computed when the page was built)."""
    alts = {html.unescape(a) for a in re.findall(r'<img[^>]*\balt="([^"]*)"', home)}
    (figure,) = [a for a in alts if "epochs of gradient descent" in a]
    return figure


def plain(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", html_text)).split())


@pytest.fixture(scope="module")
def prose(home):
    """The paragraphs that introduce the figure, as plain text."""
    section = home[home.index('id="where-this-is-going"'):home.index('<div class="tabbed-set')]
    return " ".join(plain(paragraph) for paragraph in re.findall(r"<p>(.*?)</p>", section, flags=re.S))


@pytest.fixture(scope="module")
def page_text(home):
    """The whole page's main content as plain text."""
    return plain(home[home.index('<article'):home.index('</article>')])


NUMBER = r"(-?\d+(?:\.\d+)?(?:e[-+]\d+)?)"


def numbers(alt, pattern):
    """The numbers ``pattern`` (with ``{n}`` where each number stands) finds in ``alt``."""
    return [float(v) for v in re.search(pattern.replace("{n}", NUMBER), alt).groups()]


def test_the_prose_and_the_figure_name_the_same_data_and_epochs(prose, alt):
    assert "80 noisy points" in prose and "First panel: 80 noisy points" in alt
    assert "after 1, 10 and 100 epochs" in prose and "after 1, 10 and 100 epochs" in alt
    assert "after 1000 epochs" in prose and "after 1000 epochs" in alt


def test_the_figure_draws_the_exact_least_squares_line_the_prose_points_to(prose, alt):
    assert "exact least-squares line" in prose
    assert "exact least-squares line y = " in alt


def test_the_1000_epoch_line_lies_inside_the_least_squares_band_to_six_decimals(prose, alt, tabs):
    assert ("runs inside it: gradient descent has reached the least-squares answer, to six decimals "
            "(both are printed under the figure)") in prose
    (gap,) = numbers(alt, r"the two lines are at most {n} apart in y over 0 ≤ x ≤ 1\.")
    # "to six decimals": less than half a unit of the sixth decimal anywhere on the plot, which also puts it
    # deep inside the band (7 points wide: several hundredths of y at this figure's scale)
    assert gap < 0.5e-6
    figure_tab = plain(tabs[1][0])
    descent = re.search(r"gradient descent (\S+) (\S+)", figure_tab).groups()
    exact = re.search(r"least squares (\S+) (\S+)", figure_tab).groups()
    assert descent == exact and all(len(value.split(".")[1]) == 6 for value in descent)  # the same six decimals


def test_each_dashed_line_fits_better_than_the_one_before_and_the_final_line_best(alt):
    checkpoint_mses = numbers(alt, r"with training MSE {n}, {n} and {n}\.")
    (final_mse,) = numbers(alt, r"after 1000 epochs \(MSE {n}\)")
    assert checkpoint_mses == sorted(checkpoint_mses, reverse=True)
    assert final_mse < checkpoint_mses[-1]


def test_the_loss_panel_falls_and_counts_epochs_as_the_first_panel_does(alt, prose):
    first, last = numbers(alt, r"falling from {n} at the random start \(0 epochs\) to {n} after 1000 epochs")
    assert last < first
    (final_mse,) = numbers(alt, r"after 1000 epochs \(MSE {n}\)")
    assert last == final_mse  # the second panel's last point is the first panel's final line
    assert ("The second panel (on the right, or below on a phone) shows the training MSE of the line after each "
            "epoch, from the random start") in prose
    # the convention of page 2, said where the two could be compared
    assert "Page 2 counts the same way: its losses[k] is the MSE after k epochs." in prose


# The code that drew the figure is shown on the page, in a tab beside it ------------------------------------------

@pytest.fixture(scope="module")
def figure_code(project_root):
    """The body of the landing page's executed block, as docs/index.md has it."""
    source = (project_root / "docs" / "index.md").read_text()
    (body,) = re.findall(r'^```python [^\n]*exec="on"[^\n]*\n(.*?)^```', source, flags=re.M | re.S)
    return body


@pytest.fixture(scope="module")
def tabs(home):
    """The tabbed set markdown-exec made of the block: its labels, and the text of each tab."""
    start = home.index('<div class="tabbed-set')
    labels = re.findall(r"<label[^>]*>([^<]*)</label>", home[start:])[:2]
    content = home[home.index('<div class="tabbed-content"', start):]
    blocks = re.split(r'<div class="tabbed-block">', content)[1:3]
    return labels, blocks


def test_the_figure_comes_first_and_its_code_one_tab_away(tabs):
    labels, (first, second) = tabs
    assert labels == ["The figure", "The code that drew it"]
    assert "<img" in first and "epochs of gradient descent" in first
    assert second.index("<pre") < second.index("</div>")  # the code tab holds the code, nothing before it


def test_the_home_page_shows_every_line_of_the_code_that_drew_its_figure(tabs, figure_code):
    assert "markdown-exec: hide" not in figure_code  # markdown-exec would leave such a line out
    pre = re.search(r"<pre.*?</pre>", tabs[1][1], flags=re.S).group(0)  # the code tab's first (only) block
    shown = html.unescape(re.sub(r"<[^>]+>", "", pre)).strip().splitlines()
    assert [line.rstrip() for line in shown] == [line.rstrip() for line in figure_code.strip().splitlines()]


def test_the_prose_names_the_two_lesson_functions_the_code_calls_and_their_page(prose, figure_code):
    called = set(re.findall(r"scratch\.\w+", figure_code))
    assert called == {"scratch.gradient_descent", "scratch.closed_form"}
    assert ("scratch.gradient_descent and scratch.closed_form are the subject of page 2, which shows the code of "
            "both") in prose
    import visible_code

    (page_2,) = [page for page in visible_code.pages() if page.name.startswith("02-")]
    assert {"linreg.scratch.gradient_descent", "linreg.scratch.closed_form"} <= page_2.shown


def test_the_page_says_how_to_get_a_gpu_and_the_setting_it_names_does_that(page_text):
    from scripts.torch_index import ENV_VAR, torch_index

    assert "On Linux, make serve installs PyTorch's CPU-only build" in page_text
    assert f"rm -rf .venv {ENV_VAR}= make serve" in page_text
    # an empty setting sends pip to PyPI (whose Linux wheels bundle CUDA); unset, Linux gets the CPU index
    assert torch_index("linux", {ENV_VAR: ""}, probe=lambda url: True) is None
    assert torch_index("linux", {}, probe=lambda url: True).endswith("/cpu")
    # ... only when that index answers: otherwise pip takes PyPI's build, as the page says
    assert "when PyTorch's CPU package index answers within a few seconds, and otherwise PyPI's build" in page_text
    assert torch_index("linux", {}, probe=lambda url: False) is None
    assert "a GPU is used when there is one" not in page_text


def test_the_pages_said_to_use_a_cuda_gpu_are_the_ones_that_ask_torch_for_one(page_text, project_root):
    assert "(pages 1, 3–8 and 11) use a CUDA GPU when torch.cuda.is_available() says there is one" in page_text
    asking = {int(path.name[:2]) for path in (project_root / "docs" / "tutorials").glob("*.ipynb")
              if "torch.cuda.is_available()" in path.read_text()}
    assert asking == {1, 3, 4, 5, 6, 7, 8, 11}


def test_the_download_instructions_install_what_the_colab_cells_install(page_text, project_root):
    import json

    installs = set()
    for path in (project_root / "docs" / "tutorials").glob("*.ipynb"):
        setup = json.loads(path.read_text())["cells"][1]
        installs |= set(re.findall(r'"(linreg(?:\[\w]+\])? @ git\+[^"]+)"', "".join(setup["source"])))
    assert installs  # every notebook's set-up cell installs linreg from git
    for requirement in installs:
        assert f'"{requirement}"' in page_text, requirement


def test_the_learning_path_names_every_optimizer_page_4_races(page_text, project_root):
    assert "race SGD, momentum, RMSprop and Adam, each at its own best learning rate" in page_text
    page_4 = (project_root / "docs" / "tutorials" / "04-losses-and-optimizers.ipynb").read_text()
    assert all(name in page_4 for name in ("optim.SGD", "momentum", "optim.RMSprop", "optim.Adam"))


def test_the_page_names_every_program_make_serve_needs(page_text, project_root):
    assert "you need Python 3.11+, git, make, and npm" in page_text
    makefile = (project_root / "Makefile").read_text()
    assert "command -v npm" in makefile  # KaTeX, Pyodide and Lighthouse come from the npm registry
    npm_packages = re.search(r"katex@\S+ pyodide@\S+ lighthouse@\S+", makefile)
    assert npm_packages and "Pyodide, which runs page 2's in-browser block, and Lighthouse" in page_text
    assert "PYTHON ?= " in makefile and "PORT ?= " in makefile and "make serve PYTHON=python3.11 PORT=8001" in page_text
    torch_pin = re.search(r"^torch==([\d.]+)", (project_root / "requirements" / "lock.txt").read_text(), re.M)[1]
    assert f"pip install torch=={torch_pin} --index-url https://download.pytorch.org/whl/cpu" in page_text
    assert 'requires-python = ">=3.11"' in (project_root / "pyproject.toml").read_text()
    # Graphviz: apt-get where it can, otherwise a message and a stop
    assert "installs Graphviz with apt-get where it can (otherwise it stops and says how to install it)" in page_text
    deps = (project_root / "scripts" / "ensure-system-deps.sh").read_text()
    assert "apt-get install" in deps and "exit 1" in deps


def test_the_pages_said_to_need_graphviz_are_those_that_draw_graphs(page_text, project_root):
    import json

    drawing = []
    for path in sorted((project_root / "docs" / "tutorials").glob("*.ipynb")):
        code = "".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]
                       if cell["cell_type"] == "code")
        if re.search(r"\blinreg\.graphs\b|^from linreg import [^\n]*\bgraphs\b", code, flags=re.M):  # dot's users
            drawing.append(str(int(path.name[:2])))
    assert f"pages {' and '.join(drawing)}, which draw graphs, need Graphviz's dot" in page_text


def test_the_learning_path_links_each_page_by_its_own_title(home, project_root):
    import json

    table = home[home.index('id="the-learning-path"'):home.index('id="run-any-page-yourself"')]
    links = dict((href, html.unescape(text)) for href, text in
                 re.findall(r'<a href="tutorials/([^"/]+)/">(.*?)</a>', table))
    assert len(links) == 12
    for path in (project_root / "docs" / "tutorials").glob("*.ipynb"):
        title = "".join(json.loads(path.read_text())["cells"][0]["source"]).splitlines()[0]
        number, own = re.match(r"# (\d+)\. (.*)", title).groups()
        expected = {"02": "Gradient descent from scratch"}.get(path.name[:2], own)  # "(NumPy)" said in the row
        assert re.sub(r"<[^>]+>", "", links[path.stem]) == expected, path.name


def test_what_you_will_learn_covers_every_page_up_to_the_search_of_page_12(page_text):
    assert "How to choose hyperparameters by grid, random and Bayesian search." in page_text
    assert "fit curves, neural networks and autoencoders and run on two processes at once" in page_text
    assert "the last page tunes their settings by search" in page_text


def test_the_figure_code_states_recipe_a_as_line_data_draws_it(figure_code):
    import inspect

    from linreg import data

    defaults = {name: p.default for name, p in inspect.signature(data.line_data).parameters.items()}
    assert (defaults["true_a"], defaults["true_b"], defaults["noise"]) == (1.0, 2.0, 0.1)
    assert (defaults["n"], defaults["n_train"]) == (100, 80)
    assert "# recipe A: y = 1 + 2x + N(0, 0.1²) noise at 100 points x in [0, 1); 80 train" in figure_code
    assert "``x`` is uniform on [0, 1)" in data.line_data.__doc__


def test_the_page_says_what_colab_and_a_downloaded_notebook_show_where_the_prose_cites_a_value(
        page_text, built_site, project_root):
    from hooks import render

    assert "its first code cell installs linreg there" in page_text
    # Colab opens the committed source from GitHub: its prose has the tags, page 2's a_grad among them
    url = render.colab_url("https://github.com/linreg/linreg", "main", "docs/tutorials/02-gradient-descent.ipynb")
    assert url.endswith("/github/linreg/linreg/blob/main/docs/tutorials/02-gradient-descent.ipynb")
    committed = (project_root / "docs" / "tutorials" / "02-gradient-descent.ipynb").read_text()
    assert "{{ glue:a_grad }}" in committed
    assert "Colab shows a tag such as {{ glue:a_grad }} in its place" in page_text
    # the download is filled from the site's run, and its code cells have no outputs
    assert "Its text quotes the numbers of this site's run, as the page does; its code cells come without outputs" \
        in page_text
    served = (built_site / "tutorials" / "02-gradient-descent" / "02-gradient-descent.ipynb").read_text()
    assert "{{ glue:" not in served and '"outputs": []' in served
