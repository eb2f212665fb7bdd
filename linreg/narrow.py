"""A figure rearranged for a phone: the narrow rendering [`linreg.display`][linreg.display] makes beside the wide one.

At 390 px a page shows a figure about 318 CSS px wide. A figure drawn for the desktop column
(7 to 11 inches, 700 to 1100 CSS px) shrinks there to a third of its size, and its tick labels
and legends to 4 to 7 px: unreadable. The narrow rendering is the same figure, copied
([`narrow_copy()`][linreg.narrow.narrow_copy]: the original is never changed), at
[`NARROW_WIDTH`][linreg.narrow.NARROW_WIDTH] with the house style's font sizes, so a phone shows
it close to its natural size. Panels side by side are stacked in one column
([`stack_panels()`][linreg.narrow.stack_panels]) and legends reflowed to the width
([`fit_legends()`][linreg.narrow.fit_legends]). A figure whose layout has no generic narrow
form (a row of ten images) declares its own with [`narrow_layout()`][linreg.narrow.narrow_layout].
"""

from __future__ import annotations

import copy
import textwrap
import warnings
import weakref
from collections.abc import Callable

import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.legend import Legend

from linreg._checks import check_positive_int

NARROW_WIDTH = 3.3
"""Width of the narrow rendering in inches: 330 CSS px at the house style's 100 dpi.

A 390 px phone shows it about 318 px wide (0.96 of its natural size), so the house style's
smallest text, a superscript in a log-scale tick label (0.7 of 10.5 pt: 10 px), shows at 9.8 px."""

PANEL_ASPECT = (0.75, 1.0)
"""Height of a stacked panel as a fraction of [`NARROW_WIDTH`][linreg.narrow.NARROW_WIDTH]: the wide panel's
own height-to-width ratio, kept within these bounds. A wide line plot (0.5) gets taller, so its
tick labels and title leave room for the data; a square panel keeps its shape."""

_TITLE_ROOM = 0.35  # inches for a suptitle above stacked panels

Arrangement = Callable[[Figure], None]
_ARRANGEMENTS: weakref.WeakKeyDictionary[Figure, Arrangement] = weakref.WeakKeyDictionary()


def narrow_layout(fig: Figure, arrange: Arrangement) -> Figure:
    """Declare how ``fig`` is arranged for a phone; returns ``fig``.

    ``arrange(copy)`` receives the copy that becomes the narrow rendering (use its
    ``fig.axes``, not the axes the original was drawn with) and rearranges it:
    its size, its grid (``Axes.set_subplotspec``), its legends. Without one, a
    figure is arranged by [`stack_panels()`][linreg.narrow.stack_panels].

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, _ = new_figure(ncols=10, width=9, height=1.2)
        >>> def two_rows(copy):
        ...     copy.set_size_inches(NARROW_WIDTH, 1.6)
        ...     grid = copy.add_gridspec(2, 5)
        ...     for i, ax in enumerate(copy.axes):
        ...         ax.set_subplotspec(grid[divmod(i, 5)])
        >>> narrow_copy(narrow_layout(fig, two_rows)).axes[7].get_subplotspec().rowspan
        range(1, 2)
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not callable(arrange):
        raise TypeError(f"arrange must be a function of the copied figure, got {type(arrange).__name__}")
    _ARRANGEMENTS[fig] = arrange
    return fig


def narrow_copy(fig: Figure) -> Figure:
    """A copy of ``fig`` arranged for a phone: its declared layout, else its panels stacked; legends fitted.

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, axes = new_figure(ncols=2)
        >>> narrow = narrow_copy(fig)
        >>> [ax.get_subplotspec().rowspan for ax in narrow.axes], fig.axes[1].get_subplotspec().colspan
        ([range(0, 1), range(1, 2)], range(1, 2))
    """
    narrow = copy.deepcopy(fig)  # every artist copied: nothing done to the copy reaches the page's figure
    _ARRANGEMENTS.get(fig, stack_panels)(narrow)
    fit_legends(narrow)
    wrap_long_labels(narrow)
    thin_crowded_ticks(narrow)
    narrow.draw_without_rendering()  # a layout that still does not fit warns here (constrained layout)
    return narrow


def stack_panels(fig: Figure) -> None:
    """Resize ``fig`` to [`NARROW_WIDTH`][linreg.narrow.NARROW_WIDTH]; panels in one row become one column.

    Panels of one grid of one row are stacked (a panel spanning columns spans as
    many rows); twin axes and colorbars follow the panel they belong to. Each
    panel is as tall as [`PANEL_ASPECT`][linreg.narrow.PANEL_ASPECT] makes it, and
    the figure keeps the room its title and its legends below take. Any other
    grid keeps its arrangement and its shape at the narrow width.

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, _ = new_figure(ncols=3, width=10.5, height=3.5)
        >>> stack_panels(fig)
        >>> [ax.get_subplotspec().rowspan.start for ax in fig.axes], fig.get_size_inches().round(2).tolist()
        ([0, 1, 2], [3.3, 9.9])
    """
    width, height = fig.get_size_inches()
    placed = [(ax, ax.get_subplotspec()) for ax in fig.axes if ax.get_subplotspec() is not None]
    grids = {id(spec.get_gridspec()): spec.get_gridspec() for _, spec in placed}
    if len(grids) != 1:
        fig.set_size_inches(NARROW_WIDTH, height * NARROW_WIDTH / width)
        return
    (grid,) = grids.values()
    rows, cols = grid.get_geometry()
    if rows > 1 or (cols > 1 and type(grid) is not GridSpec):
        fig.set_size_inches(NARROW_WIDTH, height * NARROW_WIDTH / width)
        return
    if cols > 1:
        column = fig.add_gridspec(cols, 1)
        for ax, spec in placed:
            ax.set_subplotspec(column[spec.colspan.start:spec.colspan.stop, 0])
    aspect = float(np.clip(height / (width / cols), *PANEL_ASPECT))
    fig.set_size_inches(NARROW_WIDTH, NARROW_WIDTH * aspect * cols + _room_outside_panels(fig))


def _room_outside_panels(fig: Figure) -> float:
    """Inches a title and the figure's legends take above and below the panels (at its present layout)."""
    room = _TITLE_ROOM if fig._suptitle is not None and fig._suptitle.get_text() else 0.0
    if fig.legends:
        _lay_out(fig)
        room += sum(legend.get_window_extent().height for legend in fig.legends) / fig.dpi
    return room


def wrap_columns(columns: int, *, row_height: float = 0.6) -> Arrangement:
    """An arrangement for a grid of many narrow panels (rows of images): ``columns`` panels a row.

    A grid of ``r`` rows of ``n`` panels becomes blocks of ``columns`` panels,
    each block holding all ``r`` rows, in the original order; each row's name
    (the y label of its first panel) is repeated at the start of every block.
    Each row of the result is ``row_height`` inches tall.

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, axes = new_figure(ncols=10, nrows=2, width=9, height=2)
        >>> _ = axes[0].set_ylabel("original")
        >>> copy = narrow_copy(narrow_layout(fig, wrap_columns(5)))
        >>> [ax.get_subplotspec().get_geometry()[:2] for ax in copy.axes[4:6]], copy.axes[5].get_ylabel()
        ([(4, 5), (4, 5)], 'original')
    """
    columns = check_positive_int("columns", columns)

    def arrange(fig: Figure) -> None:
        placed = [(ax, ax.get_subplotspec()) for ax in fig.axes if ax.get_subplotspec() is not None]
        rows, cols = placed[0][1].get_gridspec().get_geometry()
        blocks = -(-cols // columns)
        grid = fig.add_gridspec(rows * blocks, min(columns, cols))
        for ax, spec in placed:
            row, col = spec.rowspan.start, spec.colspan.start
            block, col = divmod(col, columns)
            ax.set_subplotspec(grid[block * rows + row, col])
            if col == 0 and block > 0:
                name = next(a for a, s in placed if s.rowspan.start == row and s.colspan.start == 0).yaxis.label
                ax.set_ylabel(name.get_text(), rotation=name.get_rotation(), ha=name.get_ha(), va=name.get_va())
        extra = _TITLE_ROOM if fig._suptitle is not None and fig._suptitle.get_text() else 0.0
        fig.set_size_inches(NARROW_WIDTH, row_height * rows * blocks + extra)

    return arrange


def fit_legends(fig: Figure) -> None:
    """Reflow legends to ``fig``'s width: one beside a panel goes below the panels; any too wide wraps.

    A legend placed right of its axes (``bbox_to_anchor`` past the right edge)
    would take a third of a phone's width from the plot, and the only legend of a
    figure would cover a third of its data: either becomes a figure legend below
    the panels. A figure legend wider than the figure gets fewer
    columns, until it fits or has one. The figure grows by the height the
    legends gain, so the panels keep theirs (constrained layout makes the room).

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, (ax,) = new_figure(width=NARROW_WIDTH, height=2.5)
        >>> for k in range(4):
        ...     _ = ax.plot([0, 1], [k, k], label=f"a long legend entry {k}")
        >>> _ = fig.legend(loc="outside lower center", ncols=4)
        >>> fit_legends(fig)
        >>> fig.legends[0]._ncols < 4, bool(fig.get_size_inches()[1] > 2.5)
        (True, True)
    """
    placed_below = list(fig.legends)
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    alone = len(legends) == 1 and not fig.legends
    for ax in fig.axes:
        legend = ax.get_legend()
        # where it is anchored, in the axes' own coordinates (x >= 1: right of the axes)
        beside = legend is not None and ax.transAxes.inverted().transform(legend.get_bbox_to_anchor().p0)[0] >= 0.99
        if beside or (legend is not None and alone):
            legend.remove()
            _legend_like(fig, legend, loc="outside lower center", ncols=len(legend.get_texts()))
    _lay_out(fig)
    before = sum(legend.get_window_extent().height for legend in placed_below)
    for index, legend in enumerate(list(fig.legends)):
        _lay_out(fig)
        while legend._ncols > 1 and legend.get_window_extent().width > fig.bbox.width * 0.98:
            fig.legends.remove(legend)  # not legend.remove(): in a deep copy it points at the original's list
            legend = _legend_like(fig, legend, ncols=legend._ncols - 1)
            fig.legends.insert(index, fig.legends.pop())  # keep the legends' drawing order
            _lay_out(fig)
    after = sum(legend.get_window_extent().height for legend in fig.legends)
    if after > before:
        width, height = fig.get_size_inches()
        fig.set_size_inches(width, height + (after - before) / fig.dpi)


def _legend_like(fig: Figure, legend: Legend, *, ncols: int, loc: str | None = None) -> Legend:
    """A figure legend with ``legend``'s entries, title and font size; at ``loc``, else where ``legend`` was."""
    # A legend lays its entries out once, when created (set_ncols alone moves nothing): a new one it is.
    labels = [text.get_text() for text in legend.get_texts()]
    fontsize = legend.get_texts()[0].get_fontsize() if labels else None
    if loc is None:
        where = {code: name for name, code in Legend.codes.items()}[legend._loc]
        loc = f"outside {where}" if legend._outside_loc else where
    return fig.legend(legend.legend_handles, labels, loc=loc, ncols=ncols, fontsize=fontsize,
                      title=legend.get_title().get_text() or None, title_fontsize=fontsize)


def wrap_long_labels(fig: Figure) -> None:
    """Break titles and axis labels that are longer than the room they have onto more lines.

    A title has the figure's width (a panel's title, twice the distance from its
    centre to the nearer edge of the figure or of a colorbar beside it), an x label its panel's width, a y label its
    panel's height: at a phone's width a label written for a desktop panel can
    run past the figure or into the next panel. Labels with math stay as they are.
    The figure grows by the height that titles gain, so the panels keep theirs.

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, (ax,) = new_figure(width=NARROW_WIDTH, height=2.0)
        >>> _ = ax.set_ylabel("best validation loss so far (log scale)")
        >>> wrap_long_labels(fig)
        >>> ax.get_ylabel()
        'best validation loss\\nso far (log scale)'
    """
    _lay_out(fig)
    texts = [(fig._suptitle, fig.bbox.width)] if fig._suptitle is not None else []
    for ax in fig.axes:
        centre = ax.bbox.x0 + ax.bbox.width / 2
        left, right = fig.bbox.x0, fig.bbox.x1
        for other in fig.axes:  # a colorbar or panel level with this one's top
            if other is not ax and other.bbox.y0 < ax.bbox.y1 < other.bbox.y1 + 30:
                if other.bbox.x0 >= ax.bbox.x1 - 1:
                    right = min(right, other.bbox.x0)
                elif other.bbox.x1 <= ax.bbox.x0 + 1:
                    left = max(left, other.bbox.x1)
        room = 2 * min(centre - left, right - centre)
        texts += [(title, room) for title in (ax.title, ax._left_title, ax._right_title)]
        texts.append((ax.xaxis.label, ax.bbox.width))
        if ax.yaxis.label.get_rotation() % 180:  # a row's name written across (image_rows) takes the width it needs
            texts.append((ax.yaxis.label, ax.bbox.height))
    grown = 0.0
    for text, room in texts:
        shown = text.get_text()
        if not shown.strip() or "$" in shown or not text.get_visible():
            continue
        extent = text.get_window_extent()
        length = max(extent.width, extent.height) if text.get_rotation() % 180 else extent.width
        if length > room * 0.98:
            characters = max(8, int(len(shown) * room * 0.95 / length))
            text.set_text(textwrap.fill(" ".join(shown.split()), characters, break_long_words=False))
            if not text.get_rotation() % 180:  # a title's new lines take height from the panels: add it
                grown += text.get_window_extent().height - extent.height
    if grown > 0:
        width, height = fig.get_size_inches()
        fig.set_size_inches(width, height + grown / fig.dpi)


TICK_GAP = 0.5
"""The least gap between neighbouring tick labels, as a share of their font size (5 px at 10 pt)."""


def thin_crowded_ticks(fig: Figure) -> None:
    """Give an axis fewer ticks where its tick labels come closer than [`TICK_GAP`][linreg.narrow.TICK_GAP].

    At a phone's width an x axis from 0 to 200 ticked every 25 reads "100125150175200". Only
    ticks matplotlib places by itself (a ``MaxNLocator``, its automatic choice among them) on a
    linear axis are thinned, one tick fewer at a time, at round steps (1, 2 or 5 times a power of
    ten); ticks a figure placed itself (categories, chosen values) and log axes stay as they
    are.

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, (ax,) = new_figure(width=NARROW_WIDTH, height=2.5)
        >>> _ = ax.plot([0, 200], [0, 1])
        >>> ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=10, integer=True))
        >>> thin_crowded_ticks(fig)
        >>> [int(t) for t in ax.get_xticks() if 0 <= t <= 200]
        [0, 50, 100, 150, 200]
    """
    _lay_out(fig)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            locator = axis.get_major_locator()
            if type(locator) not in (matplotlib.ticker.MaxNLocator, matplotlib.ticker.AutoLocator):
                continue
            if axis.get_scale() != "linear":
                continue
            bins = len(axis.get_majorticklocs())
            while bins > 2 and _ticks_touch(axis):
                bins -= 1
                axis.set_major_locator(matplotlib.ticker.MaxNLocator(
                    nbins=bins, steps=[1, 2, 5, 10], integer=locator._integer))
                _lay_out(fig)


def _ticks_touch(axis) -> bool:
    """Whether two neighbouring tick labels ``axis`` draws are closer than [`TICK_GAP`][linreg.narrow.TICK_GAP]."""
    horizontal = axis.axis_name == "x"
    low, high = (axis.axes.bbox.x0, axis.axes.bbox.x1) if horizontal else (axis.axes.bbox.y0, axis.axes.bbox.y1)
    spans = []
    for tick in axis.get_major_ticks():
        label = tick.label1
        if not (tick.get_visible() and label.get_visible() and label.get_text()):
            continue
        box = label.get_window_extent()
        start, end = (box.x0, box.x1) if horizontal else (box.y0, box.y1)
        if low - 1 <= (start + end) / 2 <= high + 1:  # ticks beyond the view are not drawn
            spans.append((start, end, label.get_fontsize() * axis.figure.dpi / 72))
    spans.sort()
    pairs = zip(spans, spans[1:], strict=False)
    return any(following[0] - current[1] < TICK_GAP * current[2] for current, following in pairs)


def _lay_out(fig: Figure) -> None:
    """Lay ``fig`` out to measure it. A layout on the way (a legend not yet wrapped) may not fit: constrained
    layout's warning about it is not news; the rendering that follows reports a layout that still does not."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="constrained_layout not applied")
        fig.draw_without_rendering()
