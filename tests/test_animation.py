"""Specification of the training animations (linreg.animation)."""

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
    assert "<video controls muted loop playsinline" in html
    assert 'poster="data:image/png;base64,' in html and 'type="video/mp4"' in html
    assert 'aria-label="line &quot;rises&quot;"' in html and "<figcaption>" in html
    assert "to_jshtml" not in html and "<img" not in html


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
