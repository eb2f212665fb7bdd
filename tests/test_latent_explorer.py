"""linreg.latent_explorer: a grid of decodes over a 2-D code plane, the training codes under it, its JSON and size."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
import torch

from linreg import interactive, latent_explorer
from linreg.explorables import MAX_JSON_BYTES

SHAPE = (2, 3)


def decode(z):
    """A stand-in decoder whose images are easy to predict: six pixels from the two code numbers."""
    return torch.tanh(torch.cat([z, -z, z * 0.5], dim=1))


@pytest.fixture(scope="module")
def codes():
    return np.random.default_rng(0).normal(size=(50, 2)) * [3.0, 1.0]


@pytest.fixture(scope="module")
def labels():
    return np.arange(50) % 10


@pytest.fixture(scope="module")
def explorer(codes, labels):
    return latent_explorer.latent_explorer(decode, codes, labels, image_shape=SHAPE, start=7, size=11)


def test_the_grid_has_size_points_a_side_evenly_spaced_over_the_codes(explorer, codes):
    for k, axis in enumerate((explorer.grid_x, explorer.grid_y)):
        assert len(axis) == 11
        assert np.allclose(np.diff(axis), np.diff(axis)[0])
        step = np.diff(axis)[0]
        # the codes' extent plus 5 % each side, shifted by at most half a step to land on the start
        assert axis[0] <= codes[:, k].min() + step / 2 and axis[-1] >= codes[:, k].max() - step / 2


def test_the_start_code_is_a_grid_point_and_its_image_is_its_own_decode(explorer, codes):
    i, j = explorer.start_node
    assert (explorer.grid_x[i], explorer.grid_y[j]) == pytest.approx(tuple(codes[7]), abs=1e-9)
    expected = decode(torch.tensor(codes[7:8], dtype=torch.float32)).numpy().reshape(SHAPE)
    assert np.abs(explorer.images[j, i] / 255 * 2 - 1 - expected).max() <= 1 / 255 + 1e-6


def test_every_image_is_the_decode_of_its_grid_point_rounded_to_a_byte(explorer):
    x, y = np.meshgrid(explorer.grid_x, explorer.grid_y)
    points = torch.tensor(np.stack([x.ravel(), y.ravel()], axis=1), dtype=torch.float32)
    expected = (decode(points).numpy() + 1) / 2 * 255
    got = explorer.images.reshape(len(points), -1).astype(float)
    assert np.abs(got - expected).max() <= 0.5 + 1e-3


def test_each_grid_point_knows_its_nearest_training_code_and_how_far_it_is(explorer, codes, labels):
    i, j = 3, 8
    point = np.array([explorer.grid_x[i], explorer.grid_y[j]])
    distances = np.linalg.norm(codes - point, axis=1)
    assert explorer.nearest[j, i] == labels[distances.argmin()]
    assert explorer.distance[j, i] == pytest.approx(distances.min())
    assert explorer.node(*point) == (i, j)


def test_the_json_holds_every_image_as_hex_bytes_and_every_code_with_its_digit(explorer, codes, labels):
    document = json.loads(explorer.to_json())
    assert document["kind"] == "latent" and document["controls"] == []
    assert bytes.fromhex(document["images"]) == explorer.images.tobytes()
    assert document["labels"] == "".join(map(str, labels))
    assert document["x"] == pytest.approx(codes[:, 0], abs=0.005)
    assert document["start"] == list(explorer.start_node) and document["startIndex"] == 7
    assert len(document["nearest"]) == len(document["distance"]) == 11 * 11


def test_the_pages_size_of_grid_fits_the_budget_with_room_to_spare():
    many = np.random.default_rng(1).normal(size=(1257, 2))
    wide = latent_explorer.latent_explorer(lambda z: torch.tanh(z.repeat(1, 32)), many, np.arange(1257) % 10,
                                           image_shape=(8, 8), size=21)
    text = wide.to_json().encode()
    assert len(text) < MAX_JSON_BYTES * 0.6
    assert len(gzip.compress(text)) < len(text)


def test_a_grid_too_big_for_the_page_is_refused(codes, labels):
    with pytest.raises(ValueError, match="KiB"):
        latent_explorer.latent_explorer(lambda z: torch.tanh(z.repeat(1, 32)), codes, labels, image_shape=(8, 8),
                                        size=60)


def test_mnist_sized_images_are_refused_with_the_cause_and_the_remedy_named():
    many = np.random.default_rng(2).normal(size=(2000, 2))
    with pytest.raises(ValueError, match=r"21 × 21 decoded 28×28 images and 2,000 codes are too large for a page; "
                                         r"use a smaller size, fewer codes or smaller images \(the 8×8 digits fit\)"):
        latent_explorer.latent_explorer(lambda z: torch.zeros(len(z), 784), many, np.arange(2000) % 10,
                                        image_shape=(28, 28), size=21)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"decode": "not a function"}, TypeError, "decode"),
    ({"codes": np.zeros((5, 3))}, ValueError, "codes must have shape"),
    ({"codes": [[np.nan, 0.0]] * 50}, ValueError, "finite"),
    ({"labels": np.arange(49)}, ValueError, "labels must have shape"),
    ({"labels": np.arange(50)}, ValueError, "0 to 9"),
    ({"size": 2}, ValueError, "at least 3"),
    ({"start": 50}, ValueError, "start must index"),
    ({"margin": 2}, ValueError, "margin"),
    ({"image_shape": (8,)}, ValueError, "image_shape"),
    ({"image_shape": (4, 4)}, ValueError, "decode must return images"),
])
def test_latent_explorer_names_a_bad_argument(codes, labels, kwargs, error, message):
    arguments = {"decode": decode, "codes": codes, "labels": labels, "image_shape": SHAPE} | kwargs
    with pytest.raises(error, match=message):
        latent_explorer.latent_explorer(arguments.pop("decode"), arguments.pop("codes"), arguments.pop("labels"),
                                        **arguments)


def test_the_static_figure_has_the_scatter_and_the_decodes_of_every_third_grid_point(explorer):
    fig = latent_explorer.latent_figure(explorer)
    scatter, mosaic = fig.axes
    assert len(scatter.collections) == 10  # one per digit
    i, j = explorer.start_node  # the start's own column and row are among those drawn
    assert len(mosaic.images) == len(range(i % 3, 11, 3)) * len(range(j % 3, 11, 3))
    with pytest.raises(TypeError, match="LatentExplorer"):
        latent_explorer.latent_figure("not an explorer")


def test_an_explorable_shows_it_with_no_sliders_the_data_and_the_fallback(explorer):
    shown = interactive.explorable(explorer, name="latent", caption="The code plane", fallback="<p>static</p>")
    page = shown._repr_html_()
    assert 'type="range"' not in page
    assert '"kind":"latent"' in page and "<p>static</p>" in page
    assert repr(shown) == "Explorable(name='latent', kind='latent')"
