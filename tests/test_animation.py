"""Specification of the training animations (linreg.animation)."""

import io
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest
import torch

from linreg import animation, style


def _tiny_video(frames=8, alt="a rising line"):
    fig, (ax,) = style.new_figure(width=3, height=2)
    (line,) = ax.plot([0, 1], [0, 0])
    ax.set_ylim(0, frames)
    return animation.render_video(fig, lambda i: line.set_ydata([0, i]), frames=frames, alt=alt)


def test_render_video_writes_h264_yuv420p_mp4_with_faststart(tmp_path):
    video = _tiny_video()
    path = video.save(tmp_path / "v.mp4")
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                           capture_output=True, text=True).stderr
    assert "h264" in probe and "yuv420p" in probe
    # faststart: the index (moov) comes before the media data (mdat)
    data = path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")
    assert video.frames == 8 and video.width % 2 == 0 and video.height % 2 == 0


def test_render_video_is_deterministic():
    assert _tiny_video().mp4 == _tiny_video().mp4


def test_video_html_is_a_muted_looping_inline_player_with_poster_and_alt():
    html = _tiny_video(alt='line "rises"')._repr_html_()
    assert "<video class=\"linreg-light\" controls muted loop playsinline" in html
    assert 'poster="data:image/png;base64,' in html and 'type="video/mp4"' in html
    assert 'aria-label="line &quot;rises&quot;"' in html and html.count("<figcaption>") == 1
    assert "to_jshtml" not in html and "<img" not in html


def test_video_html_has_a_hidden_dark_player_and_fetches_nothing_before_play():
    html = _tiny_video()._repr_html_()
    light, dark = html.split("<video")[1:]
    assert "hidden" not in light.split(">")[0] and " hidden " in dark.split(">")[0]
    assert 'class="linreg-dark"' in dark
    assert html.count('preload="none"') == 2


def test_render_video_encodes_a_dark_rendering_of_the_same_frames():
    video = _tiny_video(frames=4)
    assert video.dark_mp4 and video.dark_mp4 != video.mp4
    from PIL import Image

    light = np.asarray(Image.open(io.BytesIO(video.poster_png)).convert("L"), dtype=float)
    dark = np.asarray(Image.open(io.BytesIO(video.dark_poster_png)).convert("L"), dtype=float)
    assert light.shape == dark.shape
    assert light.mean() > 200 and dark.mean() < 60  # a light card and a dark one


def test_render_video_asks_a_snapshot_figure_to_swap_palettes_and_restores_light():
    calls = []
    fig, (ax,) = style.new_figure(width=2, height=2)
    animation.render_video(fig, lambda i: None, frames=2, alt="x", set_palette=calls.append)
    assert calls == ["light", "dark", "light", "dark", "light"]


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"frames": 0}, ValueError, "frames must be a positive integer"),
    ({"alt": ""}, ValueError, "alt must be a non-empty"),
    ({"fps": 0}, ValueError, "fps"),
    ({"crf": 99}, ValueError, "crf"),
])
def test_render_video_rejects_bad_arguments(kwargs, error, message):
    fig, _ = style.new_figure(width=2, height=2)
    args = {"frames": 2, "alt": "x", **kwargs}
    with pytest.raises(error, match=message):
        animation.render_video(fig, lambda i: None, **args)


def test_prediction_recorder_keeps_one_row_per_recorded_epoch_and_restores_the_mode():
    model = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Dropout(0.5))
    model.train()
    recorder = animation.PredictionRecorder(torch.linspace(0, 1, 4).view(-1, 1), every=2)
    for epoch in range(1, 6):
        recorder(epoch, model)
    assert recorder.epochs == [2, 4] and recorder.predictions.shape == (2, 4)
    assert model.training  # put back in training mode
    np.testing.assert_allclose(recorder.predictions[0], recorder.predictions[1])  # eval: no dropout


def test_prediction_recorder_validates_inputs():
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        animation.PredictionRecorder([1, 2])
    with pytest.raises(ValueError, match=r"x must have shape \(N, n_features\)"):
        animation.PredictionRecorder(torch.ones(3))


def test_animate_predictions_makes_one_frame_per_row_and_checks_shapes():
    preds = np.stack([np.full(5, k, dtype=float) for k in range(6)])
    video = animation.animate_predictions(np.arange(5), np.arange(5), np.arange(5), preds, alt="flat lines")
    assert video.frames == 6 and video.size_kib < 200
    with pytest.raises(ValueError, match=r"predictions must have shape \(frames, 5\)"):
        animation.animate_predictions(np.arange(5), np.arange(5), np.arange(5), preds[:, :3], alt="x")


def _blend(color: str, alpha: float, background: str) -> str:
    import matplotlib.colors

    mixed = alpha * np.array(matplotlib.colors.to_rgb(color)) + (1 - alpha) * np.array(
        matplotlib.colors.to_rgb(background))
    return matplotlib.colors.to_hex(mixed)


def test_a_lone_data_point_reads_on_the_slate_background_at_least_as_well_as_on_the_light_card():
    light, dark = animation.DATA_POINTS, style.DARK_POINTS  # dark: how dark_palette redraws such points
    on_light = style.contrast_ratio(_blend(light["color"], light["alpha"], style.STYLE["figure.facecolor"]),
                                    style.STYLE["figure.facecolor"])
    on_dark = style.contrast_ratio(_blend(dark["color"], dark["alpha"], style.DARK_BACKGROUND),
                                   style.DARK_BACKGROUND)
    assert on_dark >= 3 and on_dark >= on_light


def test_animate_predictions_draws_the_dark_renderings_points_lighter_than_its_background():
    from PIL import Image

    x = np.linspace(0, 1, 12)  # twelve points apart from each other, at y = 0.5
    preds = np.full((1, 12), 10.0)  # the model's line far above them
    video = animation.animate_predictions(x, np.full(12, 0.5), x, preds, alt="points", ylim=(0, 12))
    dark = np.asarray(Image.open(io.BytesIO(video.dark_poster_png)).convert("L"), dtype=float)
    height, width = dark.shape
    band = dark[int(height * 0.55):int(height * 0.8), int(width * 0.3):int(width * 0.7)]  # around y = 0.5
    assert band.max() > np.median(dark) + 60  # a point stands out of the slate (house blue at 35%: +29)


def test_the_bottom_of_every_frame_is_left_empty_for_the_players_controls():
    from PIL import Image

    x = np.linspace(-1, 1, 50)
    video = animation.animate_predictions(x, x, x, np.stack([x, -x]), alt="two lines", ylim=(-1, 1))
    for png, background in ((video.poster_png, style.STYLE["figure.facecolor"]),
                            (video.dark_poster_png, style.DARK_BACKGROUND)):
        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        strip = pixels[-int(0.9 * animation.CONTROLS_STRIP * video.width):]  # the controls' strip, less a margin
        assert (strip == np.array(list(bytes.fromhex(background[1:])))).all()  # nothing the controls could hide


def test_a_frame_says_how_many_updates_the_model_it_shows_has_had():
    assert animation.frame_label(0) == "start (before training)"
    assert animation.frame_label(1) == "after 1 epoch" and animation.frame_label(200) == "after 200 epochs"
    with pytest.raises(ValueError, match="epoch must be a whole number >= 0"):
        animation.frame_label(-1)


@pytest.mark.parametrize("epoch", [0, 200])
def test_the_frame_label_and_the_legend_share_a_row_between_the_title_and_the_plot(epoch):
    # inside the plot a curve could run through them (page 9's lr 1 run), and the label over the legend
    x = np.linspace(-5, 5, 100)
    fig, update = animation._prediction_frames(
        x, x * np.sin(x), x, np.stack([40 * np.sin(3 * x)]), [epoch],
        title="Recipe F: LinearRegression(2, 1) on [x, x²]", ylim=None)
    update(0)
    fig.draw_without_rendering()
    (ax,) = fig.axes
    (label,) = ax.texts
    label_box, legend_box, title_box = (a.get_window_extent() for a in (label, ax.get_legend(), ax.title))
    assert not label_box.overlaps(legend_box) and label_box.x1 < legend_box.x0
    for box in (label_box, legend_box):
        assert box.y0 >= ax.bbox.y1 and box.y1 <= title_box.y0  # above the plot, below the title
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1
