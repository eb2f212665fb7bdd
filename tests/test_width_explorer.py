"""linreg.width_explorer: page 9's figure of trained networks by hidden width and activation."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from linreg import data, models
from linreg.explorables import MAX_JSON_BYTES
from linreg.interactive import explorable
from linreg.training import fit
from linreg.width_explorer import WidthExplorer, width_explorer, width_figure

ACTIVATIONS = {"none": nn.Identity, "ReLU": nn.ReLU, "tanh": nn.Tanh}
WIDTHS = (1, 4)
EPOCHS = 20


@pytest.fixture(scope="module")
def wave():
    return data.wavy_curve(seed=0, n=200)


def _train(x, y):
    def train(hidden, activation):  # page 9's train_width, shorter and on fewer points
        torch.manual_seed(0)
        model = models.MLP(n_in=1, hidden=hidden, n_out=1)
        model.layers[1], model.layers[3] = ACTIVATIONS[activation](), ACTIVATIONS[activation]()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        return model, fit(model, nn.MSELoss(), optimizer, [(x, y)], EPOCHS)
    return train


@pytest.fixture(scope="module")
def explorer(wave):
    x, y = wave
    grid = torch.linspace(-5, 5, 101).view(-1, 1)
    return width_explorer(_train(x, y), WIDTHS, list(ACTIVATIONS), x=x, y=y, x_curve=grid,
                          truth=grid * torch.sin(grid), epochs=EPOCHS)


def _arguments(wave, **changes):
    x, y = wave
    grid = torch.linspace(-5, 5, 11).view(-1, 1)
    arguments = dict(train=_train(x, y), widths=[1], activations=["none"], x=x, y=y, x_curve=grid,
                     truth=grid, epochs=EPOCHS)
    arguments.update(changes)
    return arguments


def test_there_is_one_run_per_width_and_activation_the_activation_varying_fastest(explorer):
    assert [tuple(run.settings.values()) for run in explorer.runs] == [
        (w, a) for w in WIDTHS for a in ACTIVATIONS]
    assert [c.name for c in explorer.controls] == ["hidden", "activation"]
    assert explorer.controls[1].values == tuple(ACTIVATIONS)


def test_a_run_keeps_the_trained_networks_curve_and_its_last_recorded_loss(explorer, wave):
    x, y = wave
    model, history = _train(x, y)(hidden=4, activation="tanh")
    run = explorer.run(hidden=4, activation="tanh")
    with torch.no_grad():
        expected = model(torch.as_tensor(explorer.x_curve, dtype=torch.float32).view(-1, 1)).view(-1).numpy()
    np.testing.assert_allclose(run.curve, expected, rtol=0, atol=1e-6)
    assert run.final_loss == history.train_loss[-1]


def test_without_an_activation_every_curve_is_a_straight_line(explorer):
    for hidden in WIDTHS:
        curve = explorer.run(hidden=hidden, activation="none").curve
        assert np.abs(np.diff(curve, 2)).max() < 1e-5
    relu = explorer.run(hidden=4, activation="tanh").curve
    assert np.abs(np.diff(relu, 2)).max() > 1e-3  # tanh bends


def test_run_names_the_settings_it_lacks(explorer):
    with pytest.raises(KeyError, match="hidden in \\[1, 4\\]"):
        explorer.run(hidden=3, activation="ReLU")


def test_the_json_holds_what_the_script_draws_rounded_and_within_the_budget(explorer):
    text = explorer.to_json()
    document = json.loads(text)
    assert document["kind"] == "width" and document["epochs"] == EPOCHS
    assert len(text.encode()) <= MAX_JSON_BYTES
    assert document["controls"][1]["values"] == list(ACTIVATIONS)
    first = document["runs"][0]
    assert first["settings"] == {"hidden": 1, "activation": "none"}
    assert len(first["curve"]) == len(document["xCurve"]) == len(document["truth"]) == 101
    assert first["finalLoss"] == float(f"{explorer.runs[0].final_loss:.6g}")
    assert all(round(v, 3) == v for v in first["curve"])
    assert len(document["x"]) == len(document["y"]) == 200
    low, high = document["view"][2:]
    assert low < min(document["y"]) and high > max(document["y"])


def test_the_slider_starts_at_the_selected_named_value(explorer):
    shown = explorable(explorer, name="width", caption="c", fallback="<p>static</p>",
                       selected={"hidden": 4, "activation": "ReLU"})
    page = shown._repr_html_()
    assert 'data-control="activation" min="0" max="2" step="1" value="1" aria-valuetext="ReLU"' in page
    assert 'data-control="hidden" min="0" max="1" step="1" value="1" aria-valuetext="4"' in page


def test_the_static_figure_has_a_panel_per_width_and_activation(explorer):
    fig = width_figure(explorer, [1, 4], ylim=(-7, 5))
    assert len(fig.axes) == 6
    assert fig.axes[5].get_title().startswith("4 per layer, tanh: loss ")
    # x named under the bottom row, y beside the left column, as the live figure names them once
    assert [ax.get_xlabel() for ax in fig.axes] == ["", "", "", "x", "x", "x"]
    assert [ax.get_ylabel() for ax in fig.axes] == ["y", "", "", "y", "", ""]
    with pytest.raises(ValueError, match="among the explorer's"):
        width_figure(explorer, [64])
    with pytest.raises(TypeError, match="WidthExplorer"):
        width_figure("grid", [1])


@pytest.mark.parametrize("changes, error, message", [
    ({"train": "fit"}, TypeError, "train must be callable"),
    ({"widths": []}, ValueError, "at least one width"),
    ({"widths": [4, 1]}, ValueError, "increase without repeating"),
    ({"widths": [0]}, ValueError, "widths"),
    ({"activations": "ReLU"}, TypeError, "not one string"),
    ({"activations": ["ReLU", "ReLU"]}, ValueError, "must not repeat"),
    ({"activations": [nn.ReLU]}, ValueError, "names"),
    ({"y": torch.zeros(3, 1)}, ValueError, "same length"),
    ({"truth": torch.zeros(4)}, ValueError, "x_curve and truth"),
    ({"x_curve": torch.zeros(3, 2)}, ValueError, "x_curve must be a non-empty column"),
    ({"epochs": -1}, ValueError, "epochs"),
    ({"train": lambda hidden, activation: nn.Linear(1, 1)}, TypeError, "return \\(model, history\\)"),
])
def test_bad_arguments_get_a_clear_error(wave, changes, error, message):
    with pytest.raises(error, match=message):
        width_explorer(**_arguments(wave, **changes))


def test_it_is_an_explorer_the_page_can_display(explorer):
    assert isinstance(explorer, WidthExplorer) and explorer.kind == "width"
