"""Specification of how a figure leaves the kernel (linreg.display): alt text, light and dark PNGs, wide and narrow."""

import base64
import re

import matplotlib
import numpy as np
import pytest

from linreg import display, style


def test_alt_text_prefers_the_description_then_the_titles():
    fig, (ax,) = style.new_figure()
    ax.set_title("Loss")
    assert display.alt_text(fig) == "Figure: Loss"
    display.describe(fig, "Loss falls steadily")
    assert display.alt_text(fig) == "Loss falls steadily"
    with pytest.raises(ValueError, match="alt"):
        display.describe(fig, "  ")


def test_a_figure_leaves_the_kernel_as_four_pngs_with_sizes_and_alt_in_metadata():
    fig, (ax,) = style.new_figure(width=3, height=2)
    display.describe(fig, "a tiny figure")
    data, metadata = display.figure_bundle(fig)
    assert set(data) == {"image/png", display.DARK_PNG, display.NARROW_PNG, display.NARROW_DARK_PNG}
    light = base64.b64decode(data["image/png"])
    assert light.startswith(b"\x89PNG") and b"Software" not in light  # deterministic bytes: no version stamp
    assert metadata["linreg"]["alt"] == "a tiny figure"
    assert metadata["image/png"]["width"] > 100 and metadata["image/png"]["height"] > 50
    assert set(metadata["linreg"]["narrow"]) == {"width", "height"}


def test_figure_html_shows_each_rendering_in_its_palette_and_on_narrow_screens_with_alt_and_size():
    fig, _ = style.new_figure(width=3, height=2)
    html = display.figure_html(display.describe(fig, 'a "quoted" figure'))
    pictures = re.findall(r"<picture><source [^>]*><img [^>]*></picture>", html)
    assert len(pictures) == 2
    tags = re.findall(r"<img [^>]*>", html)
    assert len(tags) == 2 and all('alt="a &quot;quoted&quot; figure"' in t and 'loading="lazy"' in t for t in tags)
    assert tags[0].endswith('#only-light">') and tags[1].endswith('#only-dark">')
    sources = re.findall(r"<source [^>]*>", html)
    assert all('media="(max-width: 719px)"' in s and 'srcset="data:image/png;base64,' in s for s in sources)


def test_the_narrow_rendering_is_phone_sized_and_its_text_as_large_as_the_house_style_sets_it():
    fig, axes = style.new_figure(ncols=3, width=10.5, height=3.5)
    for ax in axes:
        ax.plot([1, 2, 3], [1, 10, 100])
        ax.set(yscale="log", title="a panel", xlabel="epoch")
    renderings = display.figure_renderings(fig)
    wide, narrow = renderings["wide"], renderings["narrow"]
    assert narrow[2]["width"] <= 350 < wide[2]["width"]
    assert narrow[2]["height"] > wide[2]["height"]  # three panels one under the other
    # 10^-x tick labels: a superscript, 0.7 of the 10.5 pt tick labels, at 200 dpi
    assert display.smallest_text(wide[0]) == display.smallest_text(narrow[0]) == round(0.7 * 10.5 * 200 / 72, 1)
    assert display.smallest_text(narrow[1]) == display.smallest_text(narrow[0])  # the dark one too


def test_a_narrow_rendering_that_does_not_fit_says_which_figure_and_what_to_do():
    fig, _ = style.new_figure(ncols=10, nrows=2, width=9.0, height=2.2)
    with pytest.warns(UserWarning, match="narrow rendering of the figure 'twenty panels'.*narrow_layout"):
        display.figure_renderings(display.describe(fig, "twenty panels"))


def test_a_figure_without_text_records_none():
    fig, (ax,) = style.new_figure(width=2, height=2)
    ax.set_axis_off()
    assert display.smallest_text(display.figure_pngs(fig)[0]) is None


def test_rendering_for_phones_leaves_the_figure_as_it_was():
    fig, axes = style.new_figure(ncols=2)
    axes[0].plot([0, 1], [0, 1], label="a line")
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    display.figure_pngs(fig)  # constrained layout settles on the first draw
    before = display.figure_pngs(fig)
    display.figure_renderings(fig)
    assert display.figure_pngs(fig) == before
    assert [ax.get_subplotspec().colspan for ax in fig.axes] == [range(0, 1), range(1, 2)]


def test_importing_display_inside_ipython_makes_it_the_figures_only_representation():
    from types import SimpleNamespace

    from IPython.core.formatters import DisplayFormatter

    shell = SimpleNamespace(display_formatter=DisplayFormatter())
    display.show_figures_in(shell)
    data, metadata = shell.display_formatter.format(style.new_figure(width=2, height=1)[0])
    assert set(data) - {"text/plain"} == {"image/png", display.DARK_PNG, display.NARROW_PNG, display.NARROW_DARK_PNG}
    assert not data.get("text/plain") and metadata["linreg"]["alt"] == "Figure"  # no "<Figure size ...>"


def test_both_renderings_are_deterministic():
    def draw():
        fig, (ax,) = style.new_figure(width=3, height=2)
        ax.plot([0, 1], [1, 0])
        return display.figure_renderings(fig)

    assert draw() == draw()


def _figure_with_everything():
    """A figure with the artists a page draws: lines, scatter, legend, annotation, contours, colorbar."""
    fig, (ax, ax2) = style.new_figure(ncols=2, width=6, height=3)
    ax.plot([0, 1, 2], [2, 1, 0.5], label="SGD with Nesterov momentum",
            color=style.METHOD_COLORS["SGD with Nesterov momentum"])
    ax.scatter([0, 1], [1, 2], color=style.COLORS["blue"], label="data")
    ax.annotate("minimum", xy=(1, 1), xytext=(1.5, 1.5), arrowprops={"arrowstyle": "->"})
    ax.legend()
    grid = np.linspace(-1, 1, 20)
    contours = ax2.contourf(grid, grid, np.add.outer(grid ** 2, grid ** 2))
    fig.colorbar(contours, ax=ax2)
    return fig


def _light_and_dark(fig):
    import io

    from PIL import Image

    light, dark, _ = display.figure_pngs(fig)
    return Image.open(io.BytesIO(light)).convert("RGB"), Image.open(io.BytesIO(dark)).convert("RGB")

def test_the_dark_rendering_has_the_size_of_the_light_one():
    light, dark = _light_and_dark(_figure_with_everything())
    assert light.size == dark.size


def test_the_dark_rendering_has_the_slate_background_and_the_light_one_the_card():
    light, dark = _light_and_dark(_figure_with_everything())
    assert matplotlib.colors.to_hex(np.array(light.getpixel((2, 2))) / 255).upper() == style.STYLE["figure.facecolor"]
    assert matplotlib.colors.to_hex(np.array(dark.getpixel((2, 2))) / 255).upper() == style.DARK_BACKGROUND


def test_rendering_the_dark_version_leaves_the_figure_in_the_light_style():
    fig = _figure_with_everything()
    display.figure_pngs(fig)
    assert matplotlib.colors.to_hex(fig.get_facecolor()).upper() == style.STYLE["figure.facecolor"]
    assert matplotlib.colors.to_hex(fig.axes[0].get_facecolor()).upper() == style.STYLE["axes.facecolor"]
    assert matplotlib.colors.to_hex(fig.axes[0].lines[0].get_color()).upper() == style.COLORS["ink"]
    assert type(fig.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"


def test_the_dark_rendering_recolours_text_and_ink_lines():
    fig = _figure_with_everything()
    ax = fig.axes[0]
    with display.dark_palette(fig):
        assert matplotlib.colors.to_hex(ax.lines[0].get_color()).upper() == style.DARK_SWAP[style.COLORS["ink"]]
        assert matplotlib.colors.to_hex(ax.texts[0].get_color()).upper() == style.DARK_SWAP[style.COLORS["ink"]]
        assert matplotlib.colors.to_hex(ax.collections[0].get_facecolor()[0]).upper() == style.COLORS["blue"]
    assert matplotlib.colors.to_hex(ax.lines[0].get_color()).upper() == style.COLORS["ink"]


def test_the_dark_palette_also_recolours_3d_panes_and_grids():
    fig, (ax,) = style.new_figure(projection="3d")
    ax.plot_surface(*np.meshgrid([0, 1], [0, 1]), np.zeros((2, 2)))
    light, dark = _light_and_dark(fig)
    assert light.size == dark.size
    assert np.asarray(dark).mean() < np.asarray(light).mean() - 100  # mostly dark, not a light card


def test_the_dark_rendering_draws_a_grey_picture_as_light_ink_on_black_and_keeps_data_colormaps():
    fig, (picture, surface) = style.new_figure(ncols=2)
    digit = picture.imshow(np.eye(4), cmap="gray_r")
    heat = surface.imshow(np.eye(4), cmap="viridis")
    with display.dark_palette(fig):
        assert digit.get_cmap().name == "gray" and heat.get_cmap().name == "viridis"
    assert digit.get_cmap().name == "gray_r"


def test_the_dark_rendering_turns_the_ink_outline_of_colormapped_points_light():
    fig, (ax,) = style.new_figure()
    points = ax.scatter([0, 1], [0, 1], c=[0.0, 1.0], cmap="viridis", edgecolors=style.COLORS["ink"])
    with display.dark_palette(fig):
        assert matplotlib.colors.to_hex(points.get_edgecolor()[0]).upper() == style.DARK_SWAP[style.COLORS["ink"]]
        assert points.get_cmap().name == "viridis"
    assert matplotlib.colors.to_hex(points.get_edgecolor()[0]).upper() == style.COLORS["ink"]


def test_the_dark_rendering_draws_a_cloud_of_faint_blue_points_in_the_dark_data_colour_and_restores_it():
    fig, (ax,) = style.new_figure()
    cloud = ax.scatter(np.arange(50), np.arange(50), s=6, alpha=0.35, color=style.COLORS["blue"], label="data")
    solid = ax.scatter([0, 1], [1, 0], color=style.COLORS["blue"])  # opaque points read on both: they stay
    ax.legend()
    key = next(c for c in fig.findobj(matplotlib.collections.PathCollection) if c not in (cloud, solid))
    with display.dark_palette(fig):
        for points in (cloud, key):  # the legend's own copy of a point too
            face = points.get_facecolor()[0]
            assert matplotlib.colors.to_hex(face).upper() == style.DARK_POINTS["color"]
            assert face[3] == pytest.approx(style.DARK_POINTS["alpha"])
        assert matplotlib.colors.to_hex(solid.get_facecolor()[0]).upper() == style.COLORS["blue"]
    face = cloud.get_facecolor()[0]
    assert matplotlib.colors.to_hex(face).upper() == style.COLORS["blue"] and face[3] == pytest.approx(0.35)
    mixed = (1 - style.DARK_POINTS["alpha"]) * np.array(matplotlib.colors.to_rgb(style.DARK_BACKGROUND)) + \
        style.DARK_POINTS["alpha"] * np.array(matplotlib.colors.to_rgb(style.DARK_POINTS["color"]))
    assert style.contrast_ratio(matplotlib.colors.to_hex(mixed), style.DARK_BACKGROUND) >= 3  # a lone point reads
