"""Training animations as small H.264 videos.

A frame-by-frame animation is rendered with matplotlib, piped as raw RGB to
the ffmpeg binary that ships inside the ``imageio-ffmpeg`` wheel, and encoded
as H.264 MP4 (``yuv420p`` so every browser plays it, ``+faststart`` so it
starts before it has fully downloaded). A 100-frame 600x400 training animation
is about 80 KiB this way, against about 4.3 MiB for matplotlib's
``to_jshtml()``, which embeds every frame as a base64 PNG: never use that here.

Videos are drawn at [`VIDEO_DPI`][linreg.animation.VIDEO_DPI], so one layout reads on a
desktop and on a phone.

Every video is encoded twice, like every figure: in the light house style and
recoloured for the dark palette ([`linreg.display.dark_palette`][linreg.display.dark_palette]),
same frames and layout. In a notebook a [`Video`][linreg.animation.Video] displays as
``<video controls muted loop playsinline>`` with a poster frame (the last
frame, so a reader who does not press play still sees the result); the dark
player sits beside it with the ``hidden`` attribute, so Jupyter and Colab show
the light one and the site's stylesheet swaps them in the slate palette.
"""

from __future__ import annotations

import base64
import html
import io
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure

from linreg._checks import as_2d_array, check_positive_int
from linreg.style import COLORS

__all__ = ["DATA_POINTS", "VIDEO_DPI", "Video", "round_to_even_pixels", "render_video", "PredictionRecorder",
           "animate_predictions"]

DATA_POINTS: dict[str, object] = {"color": COLORS["blue"], "alpha": 0.45}
"""How [`animate_predictions()`][linreg.animation.animate_predictions] draws the data: the house blue
at 45%. The dark rendering draws such translucent house-blue points as every dark figure does
([`DARK_POINTS`][linreg.style.DARK_POINTS], applied by [`dark_palette`][linreg.display.dark_palette])."""


VIDEO_DPI = 125
"""Pixels per inch of a video's frames. A video is one file for every screen: a 4.8 inch wide
figure is a 600 px video whose 10.5 pt text is 18 px tall, which a 390 px phone (a player about
318 px wide) shows at 9.6 px and a desktop column at its own size. Its poster records its
smallest text (``linreg.display.SMALLEST_TEXT_KEY``) for ``tests/test_figure_text.py``."""


@dataclass(frozen=True)
class Video:
    """An encoded MP4 video with its poster frame and alternative text, light and dark.

    ``dark_mp4``/``dark_poster_png`` are the same animation rendered for the dark
    palette (absent for a video made without one).

    Examples:
        >>> video = Video(mp4=b"...", poster_png=b"...", alt="a line fitting the data",
        ...               width=600, height=400, frames=1)
        >>> "<video" in video._repr_html_()
        True
    """

    mp4: bytes
    poster_png: bytes
    alt: str
    width: int
    height: int
    frames: int
    dark_mp4: bytes | None = None
    dark_poster_png: bytes | None = None

    @property
    def size_kib(self) -> float:
        """Size of the (light) MP4 in KiB (the poster is not counted)."""
        return len(self.mp4) / 1024

    def _player(self, mp4: bytes, poster: bytes, palette: str) -> str:
        # preload="none": nothing of a video is fetched before the reader presses
        # play, so the player of the palette not shown costs nothing.
        alt = html.escape(self.alt, quote=True)
        hidden = " hidden" if palette == "dark" else ""
        return (
            f'<video class="linreg-{palette}" controls muted loop playsinline preload="none" '
            f'width="{self.width}" height="{self.height}" aria-label="{alt}"{hidden} '
            f'poster="data:image/png;base64,{base64.b64encode(poster).decode("ascii")}">'
            f'<source src="data:video/mp4;base64,{base64.b64encode(mp4).decode("ascii")}" type="video/mp4">'
            f"{alt}</video>"
        )

    def _repr_html_(self) -> str:
        players = self._player(self.mp4, self.poster_png, "light")
        if self.dark_mp4 is not None and self.dark_poster_png is not None:
            players += self._player(self.dark_mp4, self.dark_poster_png, "dark")
        return (
            f'<figure class="linreg-video">{players}'
            f"<figcaption>{html.escape(self.alt)}</figcaption></figure>"
        )

    def save(self, path: str | Path) -> Path:
        """Write the MP4 to ``path`` and return the path."""
        path = Path(path)
        path.write_bytes(self.mp4)
        return path


def _frame_rgb(fig: Figure) -> np.ndarray:
    if not hasattr(fig.canvas, "buffer_rgba"):  # a bare Figure: give it an Agg canvas
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())  # (H, W, 4), uint8
    return np.ascontiguousarray(rgba[..., :3])


def _png_bytes(rgb: np.ndarray, info=None) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", optimize=True, pnginfo=info)
    return buffer.getvalue()


def round_to_even_pixels(fig: Figure) -> tuple[int, int]:
    """Shrink ``fig`` to the nearest even pixel size at or below its own; return ``(width, height)`` in pixels.

    H.264 with ``yuv420p`` stores colour per 2x2 block of pixels, so a video's
    width and height must be even.

    Examples:
        >>> fig = Figure(figsize=(3.01, 2.0), dpi=100)
        >>> round_to_even_pixels(fig)
        (300, 200)
    """
    dpi = fig.get_dpi()
    width_px, height_px = (int(v) for v in fig.get_size_inches() * dpi)
    even_w, even_h = width_px - width_px % 2, height_px - height_px % 2
    fig.set_size_inches(even_w / dpi, even_h / dpi)
    return even_w, even_h


def render_video(fig: Figure, update: Callable[[int], object], frames: int, *,
                 alt: str, fps: int = 20, crf: int = 30,
                 set_palette: Callable[[str], object] | None = None, text_sizes: Sequence[float] = ()) -> Video:
    """Render ``frames`` frames of ``fig`` to an H.264 MP4, in the light and the dark palette.

    ``update(i)`` redraws the figure for frame ``i`` (0-based). ``alt`` is the
    alternative text a screen reader announces and the caption shown below.
    ``crf`` trades size for quality (lower is better and bigger; 30 keeps
    line plots crisp at about 1 KiB per frame).

    Each frame is drawn twice: as it is (light) and recoloured by
    [`linreg.display.dark_palette`][linreg.display.dark_palette] (dark), into two encoders.
    A figure that shows pre-rendered pixels (a snapshot of a slow plot) cannot be
    recoloured: pass ``set_palette(name)``, called with ``"light"`` or ``"dark"`` before
    each rendering, to swap its pixels, and the sizes in points of the text drawn into
    them as ``text_sizes``: the posters record the smallest text of the last frame.

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, (ax,) = new_figure(width=3, height=2)
        >>> line, = ax.plot([0, 1], [0, 0])
        >>> video = render_video(fig, lambda i: line.set_ydata([0, i]), frames=5, alt="a rising line")
        >>> video.frames, video.dark_mp4 != video.mp4
        (5, True)
    """
    import imageio_ffmpeg

    from linreg.display import dark_palette, drawn_text_sizes, smallest_text_info

    frames = check_positive_int("frames", frames)
    fps = check_positive_int("fps", fps)
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the animation, for screen readers")
    if not isinstance(crf, int) or not 0 <= crf <= 51:
        raise ValueError(f"crf must be an integer in [0, 51], got {crf!r}")
    set_palette = set_palette or (lambda name: None)

    # H.264 with yuv420p needs even dimensions: round the canvas down to them.
    even_w, even_h = round_to_even_pixels(fig)

    def encoder(path: Path):
        writer = imageio_ffmpeg.write_frames(
            str(path), (even_w, even_h), fps=fps, codec="libx264", pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p", macro_block_size=2, ffmpeg_log_level="error",
            output_params=[
                "-crf", str(crf), "-preset", "slow", "-tune", "animation",
                "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
                "-movflags", "+faststart",
            ],
        )
        writer.send(None)  # start ffmpeg
        return writer

    def frame(i: int) -> np.ndarray:
        rgb = _frame_rgb(fig)
        if rgb.shape[:2] != (even_h, even_w):
            raise RuntimeError(f"update() changed the figure size at frame {i}; keep it fixed")
        return rgb

    # Constrained layout would shift axes by a pixel between the two renderings:
    # freeze it after the first draw so both palettes share one layout.
    engine = fig.get_layout_engine()
    with tempfile.TemporaryDirectory() as tmp:
        light_out, dark_out = Path(tmp) / "light.mp4", Path(tmp) / "dark.mp4"
        light_writer, dark_writer = encoder(light_out), encoder(dark_out)
        try:
            for i in range(frames):
                update(i)
                set_palette("light")
                with drawn_text_sizes() as drawn:
                    light = frame(i)
                fig.set_layout_engine("none")
                set_palette("dark")
                with dark_palette(fig):
                    dark = frame(i)
                light_writer.send(light)
                dark_writer.send(dark)
        finally:
            light_writer.close()
            dark_writer.close()
            fig.set_layout_engine(engine)
            set_palette("light")
        info = smallest_text_info([*drawn, *text_sizes], fig.get_dpi())
        return Video(mp4=light_out.read_bytes(), poster_png=_png_bytes(light, info), alt=alt.strip(),
                     width=even_w, height=even_h, frames=frames,
                     dark_mp4=dark_out.read_bytes(), dark_poster_png=_png_bytes(dark, info))


class PredictionRecorder:
    """A training callback that keeps the model's predictions on fixed inputs
    after every epoch.

    Pass it in ``callbacks=[...]`` of [`linreg.training.fit()`][linreg.training.fit], or call it
    yourself as ``recorder(epoch, model)`` at the end of each epoch of a
    hand-written loop. The model is evaluated under ``torch.no_grad()`` in
    ``eval()`` mode and put back into the mode it was in.

    Examples:
        >>> model = torch.nn.Linear(1, 1)
        >>> recorder = PredictionRecorder(torch.linspace(0, 1, 5).view(-1, 1))
        >>> recorder(0, model)
        >>> recorder.predictions.shape
        (1, 5)
    """

    def __init__(self, x: torch.Tensor, every: int = 1):
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"x must be a torch.Tensor of inputs, got {type(x).__name__}"
            )
        if x.ndim != 2 or x.shape[0] == 0:
            raise ValueError(
                "x must have shape (N, n_features) with N > 0, "
                f"got {tuple(x.shape)}"
            )
        self.x = x
        self.every = check_positive_int("every", every)
        self.epochs: list[int] = []
        self._predictions: list[np.ndarray] = []

    def __call__(self, epoch: int, model: torch.nn.Module,
                 history=None) -> None:
        if epoch % self.every:
            return
        was_training = model.training
        model.eval()
        device = next(model.parameters()).device
        with torch.no_grad():
            prediction = model(self.x.to(device))
        model.train(was_training)
        self.epochs.append(int(epoch))
        self._predictions.append(
            prediction.detach().cpu().numpy().reshape(len(self.x), -1)[:, 0]
        )

    @property
    def predictions(self) -> np.ndarray:
        """Recorded predictions, shape ``(recorded epochs, N)`` (first output
        only)."""
        if not self._predictions:
            return np.empty((0, len(self.x)))
        return np.stack(self._predictions)


CONTROLS_STRIP = 0.18
"""Height of the empty strip below a video's plot, as a share of the frame's width.

A browser draws a paused player's controls over the bottom of the video (the poster, which a
reader sees first), about 60 CSS pixels tall at any width: a 600-pixel frame shown 318 pixels
wide on a 390-pixel phone loses about 113 of its pixels to them, 0.19 of its width. With this
strip the tick labels stay clear down to that width (the axis label may be touched)."""


def leave_room_for_controls(fig: Figure) -> None:
    """Make ``fig`` taller by an empty strip at the bottom, [`CONTROLS_STRIP`][linreg.animation.CONTROLS_STRIP] of
    its width, and keep its plot above the strip.

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, _ = new_figure(width=5.0, height=3.0)
        >>> leave_room_for_controls(fig)
        >>> [round(float(v), 2) for v in fig.get_size_inches()]
        [5.0, 3.9]
    """
    width, height = fig.get_size_inches()
    strip = CONTROLS_STRIP * width
    fig.set_size_inches(width, height + strip)
    fig.get_layout_engine().set(rect=(0, strip / (height + strip), 1, height / (height + strip)))


def frame_label(epoch: int) -> str:
    """What a frame recorded after ``epoch`` epochs says: the model *after* that many updates.

    Examples:
        >>> frame_label(0), frame_label(1), frame_label(40)
        ('start (before training)', 'after 1 epoch', 'after 40 epochs')
    """
    if not isinstance(epoch, int | np.integer) or epoch < 0:
        raise ValueError(f"epoch must be a whole number >= 0, got {epoch!r}")
    if epoch == 0:
        return "start (before training)"
    return f"after {epoch} epoch{'s' if epoch != 1 else ''}"


def animate_predictions(x, y, x_curve, predictions: np.ndarray, *, alt: str,
                        epochs: Sequence[int] | None = None, title: str = "Training",
                        fps: int = 20, ylim: tuple[float, float] | None = None) -> Video:
    """Animate a prediction curve over the data, one frame per recorded epoch.

    ``x``/``y`` are the data points; ``x_curve`` the sorted inputs the
    predictions were made on; ``predictions`` has shape ``(frames, len(x_curve))``
    (e.g. [`PredictionRecorder.predictions`][linreg.animation.PredictionRecorder.predictions]); ``epochs``
    says after how many epochs each frame was recorded (its label:
    [`frame_label()`][linreg.animation.frame_label]). ``ylim`` fixes the y range
    (by default it covers the data and most predictions); pass the data's range
    when a diverging run would otherwise squash the data into a flat band.

    Examples:
        >>> preds = np.stack([np.zeros(3), np.ones(3)])
        >>> video = animate_predictions([0, 1, 2], [1, 1, 1], [0, 1, 2], preds, alt="flat fit")
        >>> video.frames
        2
    """
    x = as_2d_array("x", x)[:, 0]
    y = as_2d_array("y", y)[:, 0]
    x_curve = as_2d_array("x_curve", x_curve)[:, 0]
    predictions = np.asarray(predictions, dtype=float)
    if predictions.ndim != 2 or predictions.shape[1] != x_curve.size or predictions.shape[0] == 0:
        raise ValueError(
            f"predictions must have shape (frames, {x_curve.size}) to match x_curve, "
            f"got {predictions.shape}"
        )
    epochs = list(epochs) if epochs is not None else list(range(1, len(predictions) + 1))
    if len(epochs) != len(predictions):
        raise ValueError(f"epochs has {len(epochs)} entries but predictions has {len(predictions)} frames")

    fig, update = _prediction_frames(x, y, x_curve, predictions, epochs, title=title, ylim=ylim)
    return render_video(fig, update, len(predictions), alt=alt, fps=fps)


def _prediction_frames(x, y, x_curve, predictions, epochs, *, title, ylim):
    """The figure [`animate_predictions()`][linreg.animation.animate_predictions] films, with its
    ``update(i)``."""
    from linreg.style import new_figure

    fig, (ax,) = new_figure(width=4.8, height=3.2)
    fig.set_dpi(VIDEO_DPI)
    ax.scatter(x, y, s=6, label="data", **DATA_POINTS)
    finite = predictions[np.isfinite(predictions)]
    low = min(y.min(), np.percentile(finite, 1) if finite.size else y.min())
    high = max(y.max(), np.percentile(finite, 99) if finite.size else y.max())
    pad = 0.08 * (high - low or 1.0)
    ax.set_ylim(low - pad, high + pad)
    if ylim is not None:
        ax.set_ylim(*ylim)
    (line,) = ax.plot(x_curve, predictions[0], color=COLORS["red"], lw=2.5, label="model")
    # The frame's label (left) and the legend (right) share a row between the title and the plot:
    # inside the plot, a curve could run through them, and the label over the legend.
    label = ax.text(0, 1.03, "", transform=ax.transAxes, ha="left", va="bottom", fontsize=11)
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1.01), ncols=2, borderaxespad=0,
                       handlelength=1.5, columnspacing=1.2, markerscale=2)
    ax.set_title(title, pad=24)
    ax.set(xlabel="x", ylabel="y")

    def update(i: int) -> None:
        line.set_ydata(predictions[i])
        label.set_text(frame_label(epochs[i]))

    leave_room_for_controls(fig)
    return fig, update
