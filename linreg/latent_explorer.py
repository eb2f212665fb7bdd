"""The latent-space explorable: a 2-D code plane whose every grid point shows what the decoder draws there.

A page cannot run its decoder in the reader's browser, so
[`latent_explorer()`][linreg.latent_explorer.latent_explorer] decodes a square grid
of points of the code plane when the page executes, with the page's own trained
decoder, and keeps each decoded image as bytes. The site's script
(``docs/assets/javascripts/explorables.js``) draws the training codes as a
scatter and a point the reader moves (pointer or arrow keys); the digit beside
it is the decode of the **grid point nearest** the pointer (no interpolation
between grid points: every image shown is one the decoder drew).
[`latent_figure()`][linreg.latent_explorer.latent_figure] is the static figure
shown without JavaScript, in Jupyter and in Colab.

The grid is placed so that one of its points is exactly the training code the
figure starts at: the digit shown first is that code's own decode.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from linreg._checks import check_non_negative_int, check_positive_int
from linreg.explorables import Control, _check_size

__all__ = ["LatentExplorer", "latent_explorer", "latent_figure"]


@dataclass(frozen=True)
class LatentExplorer:
    """Decodes of a grid over a 2-D code plane, and the training codes drawn under them.

    ``grid_x`` and ``grid_y`` are the grid's coordinates (code 1 across, code 2 up);
    ``images[j, i]`` is the decode at ``(grid_x[i], grid_y[j])``, its pixels
    quantised to bytes (0 for -1, paper; 255 for +1, full ink); ``nearest[j, i]``
    the label of the training code nearest that grid point, ``distance[j, i]``
    how far away that code is. ``codes`` and
    ``labels`` are the training codes and their digits; the figure starts at
    ``codes[start]``, which is the grid point ``start_node`` = ``(i, j)``.
    """

    title: str
    grid_x: np.ndarray
    grid_y: np.ndarray
    images: np.ndarray
    nearest: np.ndarray
    distance: np.ndarray
    codes: np.ndarray
    labels: np.ndarray
    start: int
    start_node: tuple[int, int]
    image_shape: tuple[int, int]

    kind = "latent"
    controls: tuple[Control, ...] = ()  # the point is moved in the plane itself, not by sliders

    def node(self, code1: float, code2: float) -> tuple[int, int]:
        """The grid point ``(i, j)`` nearest ``(code1, code2)``: the one whose decode the figure shows there.

        Examples:
            >>> explorer = latent_explorer(lambda z: torch.tanh(z.repeat(1, 2)), [[0.0, 0.0], [1.0, 2.0]], [0, 1],
            ...                            image_shape=(2, 2), size=5)
            >>> explorer.node(1.0, 2.0) == (4, 4), int(explorer.nearest[4, 4])
            (True, 1)
        """
        return int(np.abs(self.grid_x - code1).argmin()), int(np.abs(self.grid_y - code2).argmin())

    def to_json(self) -> str:
        """The compact JSON the page embeds: images as hex bytes, codes to 2 decimals, labels as one digit string."""
        document = {
            "kind": self.kind,
            "title": self.title,
            "controls": [],
            "gridX": [round(float(v), 4) for v in self.grid_x],
            "gridY": [round(float(v), 4) for v in self.grid_y],
            "shape": list(self.image_shape),
            "images": self.images.tobytes().hex(),  # row j, then column i, then the image's pixels row by row
            "nearest": "".join(str(int(v)) for v in self.nearest.ravel()),
            "distance": [round(float(v), 2) for v in self.distance.ravel()],
            "x": [round(float(v), 2) for v in self.codes[:, 0]],
            "y": [round(float(v), 2) for v in self.codes[:, 1]],
            "labels": "".join(str(int(v)) for v in self.labels),
            "centres": {str(c): [round(float(v), 3) for v in np.median(self.codes[self.labels == c], axis=0)]
                        for c in np.unique(self.labels)},
            "start": list(self.start_node),
            "startIndex": self.start,
        }
        return json.dumps(document, separators=(",", ":"), allow_nan=False)


def _as_codes(codes) -> np.ndarray:
    if isinstance(codes, torch.Tensor):
        codes = codes.detach().cpu().numpy()
    try:
        codes = np.asarray(codes, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"codes must be an (N, 2) array of numbers, got {type(codes).__name__}") from None
    if codes.ndim != 2 or codes.shape[1] != 2 or len(codes) == 0:
        raise ValueError(f"codes must have shape (N, 2) with N >= 1, got {codes.shape}")
    if not np.isfinite(codes).all():
        raise ValueError("codes must be finite numbers")
    return codes


def _as_labels(labels, n: int) -> np.ndarray:
    if isinstance(labels, torch.Tensor):
        labels = labels.detach().cpu().numpy()
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},) to match codes, got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() > 9:
        raise ValueError("labels must be whole numbers from 0 to 9 (digits)")
    return labels.astype(int)


def latent_explorer(decode: Callable[[torch.Tensor], torch.Tensor], codes, labels, *, image_shape: tuple[int, int],
                    start: int = 0, size: int = 21, margin: float = 0.05,
                    title: str = "The decoder across the code plane") -> LatentExplorer:
    """Decode a ``size`` × ``size`` grid over the plane of the 2-D ``codes``, for a figure starting at ``codes[start]``.

    ``decode`` maps a float32 tensor of codes ``(M, 2)`` to images ``(M, pixels)``
    in ``[-1, 1]`` (e.g. a trained autoencoder's ``decode``; it runs under
    ``torch.no_grad``); ``labels`` are the digits of the training codes. The grid
    spans the codes' bounding box widened by ``margin`` of its size on each side,
    shifted by less than one grid step so that ``codes[start]`` is a grid point.

    Examples:
        >>> codes = [[0.0, 0.0], [1.0, 2.0], [0.5, 1.0]]
        >>> explorer = latent_explorer(lambda z: torch.tanh(z.repeat(1, 2)), codes, [3, 7, 3],
        ...                            image_shape=(2, 2), start=2, size=5)
        >>> explorer.images.shape, explorer.start_node
        ((5, 5, 2, 2), (2, 2))
    """
    if not callable(decode):
        raise TypeError(f"decode must be a function from codes to images, got {type(decode).__name__}")
    codes = _as_codes(codes)
    labels = _as_labels(labels, len(codes))
    size = check_positive_int("size", size)
    if size < 3:
        raise ValueError(f"size must be at least 3 grid points a side, got {size}")
    start = check_non_negative_int("start", start)
    if start >= len(codes):
        raise ValueError(f"start must index one of the {len(codes)} codes, got {start}")
    if not isinstance(margin, (int, float)) or not 0 <= margin <= 1:
        raise ValueError(f"margin must be a number from 0 to 1 (a share of the codes' extent), got {margin!r}")
    try:
        height, width = (check_positive_int("image_shape", v) for v in image_shape)
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be (height, width), got {image_shape!r}") from None

    axes = []
    for k in range(2):
        low, high = codes[:, k].min(), codes[:, k].max()
        extent = max(high - low, 1e-6)
        low, high = low - margin * extent, high + margin * extent
        step = (high - low) / (size - 1)
        anchor = int(round((codes[start, k] - low) / step))  # the grid index that lands on the start code
        axes.append(codes[start, k] + (np.arange(size) - anchor) * step)
    grid_x, grid_y = axes
    points = np.stack(np.meshgrid(grid_x, grid_y), axis=-1).reshape(-1, 2)  # row j (code 2), column i (code 1)
    points[np.argmin(np.abs(points - codes[start]).sum(axis=1))] = codes[start]  # exactly, not to float rounding
    with torch.no_grad():
        decoded = decode(torch.as_tensor(points, dtype=torch.float32))
    decoded = np.asarray(decoded.detach().cpu() if isinstance(decoded, torch.Tensor) else decoded, dtype=float)
    if decoded.shape != (len(points), height * width):
        raise ValueError(f"decode must return images of shape ({len(points)}, {height * width}), got {decoded.shape}")
    images = np.round((np.clip(decoded, -1, 1) + 1) / 2 * 255).astype(np.uint8).reshape(size, size, height, width)
    distances = ((points[:, None, :] - codes[None, :, :]) ** 2).sum(axis=2)
    nearest = labels[distances.argmin(axis=1)].reshape(size, size)
    distance = np.sqrt(distances.min(axis=1)).reshape(size, size)
    start_node = (int(np.abs(grid_x - codes[start, 0]).argmin()), int(np.abs(grid_y - codes[start, 1]).argmin()))
    explorer = LatentExplorer(title=title, grid_x=grid_x, grid_y=grid_y, images=images, nearest=nearest,
                              distance=distance, codes=codes, labels=labels, start=start, start_node=start_node,
                              image_shape=(height, width))
    # the page embeds every decoded image and every code
    _check_size(explorer, remedy=f"{size} × {size} decoded {height}×{width} images and {len(codes):,} codes are "
                                 "too large for a page; use a smaller size, fewer codes or smaller images "
                                 "(the 8×8 digits fit)")
    return explorer


def latent_figure(explorer: LatentExplorer, *, every: int = 3):
    """The static figure: the training codes (left) and the decodes of every ``every``-th grid point, in place (right).

    Examples:
        >>> explorer = latent_explorer(lambda z: torch.tanh(z.repeat(1, 2)), [[0.0, 0.0], [1.0, 2.0]], [0, 1],
        ...                            image_shape=(2, 2), size=5)
        >>> len(latent_figure(explorer, every=2).axes)
        2
    """
    from linreg.plots import CLASS_COLORS, CLASS_MARKERS
    from linreg.style import COLORS, new_figure

    if not isinstance(explorer, LatentExplorer):
        raise TypeError(f"explorer must be a LatentExplorer, got {type(explorer).__name__}")
    every = check_positive_int("every", every)
    fig, (scatter, mosaic) = new_figure(ncols=2, width=10.0, height=4.8)
    for label in np.unique(explorer.labels):
        points = explorer.codes[explorer.labels == label]
        scatter.scatter(points[:, 0], points[:, 1], s=8, alpha=0.6, color=CLASS_COLORS[label],
                        marker=CLASS_MARKERS[label], label=str(label))
    i0, j0 = explorer.start_node
    # The ring is ink, which is also the 7s' colour: its label says what it marks.
    start = explorer.codes[explorer.start]
    scatter.plot(*start, marker="o", ms=11, mfc="none", mec=COLORS["ink"], mew=2)
    scatter.annotate(f"first code (a {explorer.labels[explorer.start]})", start, xytext=(9, 9),
                     textcoords="offset points", fontsize=9, color=COLORS["ink"],
                     bbox={"boxstyle": "round,pad=0.2", "fc": "#FCFCFD", "alpha": 0.85, "lw": 0})
    scatter.set(title="Training codes", xlabel="code 1", ylabel="code 2")
    scatter.legend(title="label", loc="center left", bbox_to_anchor=(1.0, 0.5), markerscale=1.5, fontsize=8)
    columns = np.arange(i0 % every, len(explorer.grid_x), every)  # the start's own column and row are among them
    rows = np.arange(j0 % every, len(explorer.grid_y), every)
    step_x = (explorer.grid_x[-1] - explorer.grid_x[0]) / (len(explorer.grid_x) - 1) * every
    step_y = (explorer.grid_y[-1] - explorer.grid_y[0]) / (len(explorer.grid_y) - 1) * every
    for j in rows:  # each decode drawn centred on its grid point, a little smaller than the gap between them
        for i in columns:
            x, y = explorer.grid_x[i], explorer.grid_y[j]
            mosaic.imshow(explorer.images[j, i], cmap="gray_r", vmin=0, vmax=255, interpolation="nearest",
                          extent=(x - 0.45 * step_x, x + 0.45 * step_x, y - 0.45 * step_y, y + 0.45 * step_y))
    mosaic.set_aspect("auto")
    mosaic.set(xlim=scatter.get_xlim(), ylim=scatter.get_ylim())
    mosaic.grid(False)
    mosaic.set(title=f"What the decoder draws ({len(columns)} × {len(rows)} points)", xlabel="code 1",
               ylabel="code 2")
    return fig

