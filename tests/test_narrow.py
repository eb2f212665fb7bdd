"""Specification of a figure's narrow (phone) arrangement (linreg.narrow)."""

import numpy as np
import pytest

from linreg import narrow, style


def _spans(fig):
    return [(ax.get_subplotspec().rowspan, ax.get_subplotspec().colspan) for ax in fig.axes
            if ax.get_subplotspec() is not None]


def test_panels_side_by_side_are_stacked_in_one_column_at_the_narrow_width():
    fig, axes = style.new_figure(ncols=3, width=10.5, height=3.5)
    copy = narrow.narrow_copy(fig)
    assert _spans(copy) == [(range(i, i + 1), range(0, 1)) for i in range(3)]
    assert copy.get_size_inches()[0] == narrow.NARROW_WIDTH
    assert _spans(fig) == [(range(0, 1), range(i, i + 1)) for i in range(3)]  # the original is untouched


def test_a_wide_line_plot_gets_taller_and_a_square_panel_keeps_its_shape():
    wide, _ = style.new_figure(width=7.0, height=3.5)
    square, _ = style.new_figure(width=4.0, height=4.0)
    low, high = narrow.PANEL_ASPECT
    assert narrow.narrow_copy(wide).get_size_inches()[1] == pytest.approx(narrow.NARROW_WIDTH * low)
    assert narrow.narrow_copy(square).get_size_inches()[1] == pytest.approx(narrow.NARROW_WIDTH * high)


def test_a_twin_axis_and_a_colorbar_follow_their_panel():
    fig, (left, right) = style.new_figure(ncols=2)
    twin = right.twinx()
    fig.colorbar(left.imshow(np.eye(3)), ax=left)
    copy = narrow.narrow_copy(fig)
    panels = [ax for ax in copy.axes if ax.get_label() != "<colorbar>"]
    assert [ax.get_subplotspec().rowspan for ax in panels] == [range(0, 1), range(1, 2), range(1, 2)]
    assert twin.get_subplotspec().colspan == range(1, 2)


def test_a_legend_beside_a_panel_goes_below_and_wraps_to_the_width():
    fig, (ax,) = style.new_figure(width=8.0, height=4.0)
    for k in range(5):
        ax.plot([0, 1], [k, k], label=f"SGD with momentum 0.{k}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    copy = narrow.narrow_copy(fig)
    (legend,) = copy.legends
    assert copy.axes[0].get_legend() is None and legend._outside_loc == "lower"
    copy.draw_without_rendering()
    assert legend.get_window_extent().width <= copy.bbox.width
    assert [t.get_text() for t in legend.get_texts()] == [f"SGD with momentum 0.{k}" for k in range(5)]
    assert fig.axes[0].get_legend() is not None and not fig.legends


def test_titles_and_labels_too_long_for_a_phone_are_broken_onto_lines():
    fig, axes = style.new_figure(ncols=2, width=9.0, height=3.6)
    fig.suptitle("Best validation loss so far, every trial and up close")
    axes[0].set_ylabel("best validation loss so far (log scale)")
    axes[1].set_ylabel("$10^{-2}$ and more math stays on one line, however long it is")
    copy = narrow.narrow_copy(fig)
    assert "\n" in copy.get_suptitle() and "\n" in copy.axes[0].get_ylabel()
    assert "\n" not in copy.axes[1].get_ylabel()
    assert "\n" not in fig.get_suptitle()


def test_a_grid_of_many_small_panels_keeps_its_arrangement_unless_it_declares_one():
    fig, _ = style.new_figure(ncols=3, nrows=2)
    assert _spans(narrow.narrow_copy(fig)) == _spans(fig)
    fig, axes = style.new_figure(ncols=10, nrows=2, width=9.0, height=2.2)
    axes[0].set_ylabel("original", rotation=0)
    axes[10].set_ylabel("reconstruction", rotation=0)
    copy = narrow.narrow_copy(narrow.narrow_layout(fig, narrow.wrap_columns(5)))
    assert copy.axes[0].get_subplotspec().get_geometry()[:2] == (4, 5)
    # blocks of five columns, the two rows in each: the second block's first panels are named again
    assert [copy.axes[i].get_ylabel() for i in (5, 15)] == ["original", "reconstruction"]
    assert copy.axes[15].get_subplotspec().rowspan == range(3, 4)


def test_narrow_layout_and_wrap_columns_reject_bad_arguments():
    fig, _ = style.new_figure()
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        narrow.narrow_layout("figure", narrow.stack_panels)
    with pytest.raises(TypeError, match="arrange must be a function"):
        narrow.narrow_layout(fig, 3)
    with pytest.raises(ValueError, match="columns must be a positive integer"):
        narrow.wrap_columns(0)


def test_the_only_legend_of_a_figure_goes_below_its_data():
    fig, (ax,) = style.new_figure()
    ax.plot([0, 1], [0, 1], label="train")
    ax.plot([0, 1], [1, 0], label="validation")
    ax.legend()
    copy = narrow.narrow_copy(fig)
    assert copy.axes[0].get_legend() is None and [t.get_text() for t in copy.legends[0].get_texts()] == [
        "train", "validation"]


def test_a_panel_title_does_not_run_into_the_colorbar_beside_it():
    fig, axes = style.new_figure(ncols=3, width=11.1, height=3.6)
    for ax in axes:
        points = ax.scatter([0, 1], [0, 1], c=[0, 1])
        ax.set_title("random search (16 trials)")
    fig.colorbar(points, ax=list(axes), label="validation loss")
    copy = narrow.narrow_copy(fig)
    copy.draw_without_rendering()
    colorbar = next(ax for ax in copy.axes if ax.get_label() == "<colorbar>")
    bar = colorbar.get_window_extent()
    assert not any(ax.title.get_window_extent().overlaps(bar) for ax in copy.axes[:3])


def _gaps(axis):
    """The gaps in pixels between neighbouring x tick labels that ``axis`` draws inside its panel."""
    left, right = axis.axes.bbox.x0, axis.axes.bbox.x1
    boxes = sorted((box.x0, box.x1) for box in (t.label1.get_window_extent() for t in axis.get_major_ticks()
                                                if t.label1.get_text())
                   if left - 1 <= (box.x0 + box.x1) / 2 <= right + 1)
    return [b[0] - a[1] for a, b in zip(boxes, boxes[1:], strict=False)]


def test_tick_labels_that_would_touch_on_a_phone_are_thinned_and_the_page_s_figure_keeps_its_own():
    from linreg import plots

    epochs = np.arange(1, 201)
    fig = plots.loss_curves_linear_and_log({"lr 0.01": 1 / epochs, "lr 1": 10 / epochs})  # 200 epochs, 0-200 axis
    wide_ticks = [list(ax.get_xticks()) for ax in fig.axes]
    copy = narrow.narrow_copy(fig)
    for ax in copy.axes:
        font_px = ax.xaxis.get_major_ticks()[0].label1.get_fontsize() * copy.dpi / 72
        assert min(_gaps(ax.xaxis)) >= narrow.TICK_GAP * font_px
        assert len(_gaps(ax.xaxis)) >= 2  # thinned, not emptied: at least three labels
    assert [list(ax.get_xticks()) for ax in fig.axes] == wide_ticks


def test_ticks_a_figure_placed_itself_are_never_thinned():
    fig, (ax,) = style.new_figure(width=narrow.NARROW_WIDTH, height=2.5)
    ax.plot(range(12), range(12))
    ax.set_xticks(range(12), [f"month {m}" for m in range(12)])  # crowded, but the figure's own choice
    copy = narrow.narrow_copy(fig)
    assert list(copy.axes[0].get_xticks()) == list(range(12))
