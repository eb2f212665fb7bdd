"""Specification of linreg.scratch: gradient descent from scratch (page 2)."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression

from linreg import DivergedError, data, scratch


@pytest.fixture(scope="module")
def recipe_a():
    d = data.line_data()
    return d.x_train, d.y_train


def test_initial_parameters_reproduce_np_random_seed_42():
    rng = np.random.RandomState(42)
    assert scratch.initial_parameters(42) == (rng.randn(1)[0], rng.randn(1)[0])


def test_initial_parameters_leave_global_numpy_state_alone():
    np.random.seed(0)
    expected = np.random.rand()
    np.random.seed(0)
    scratch.initial_parameters(42)
    assert np.random.rand() == expected


def test_predict_is_intercept_plus_slope_times_x():
    assert scratch.predict(1.0, 2.0, np.array([[0.0], [2.0]])).ravel().tolist() == [1.0, 5.0]


def test_mse_worked_example_gives_mean_1_6667_and_sum_5():
    assert scratch.mse([1.0, 2.0, 3.0], [1.0, 3.0, 5.0]) == pytest.approx(1.6667, abs=1e-4)
    assert scratch.mse([1.0, 2.0, 3.0], [1.0, 3.0, 5.0], reduction="sum") == 5.0


def test_mse_agrees_with_torch_mse_loss_for_both_reductions():
    targets, predictions = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 3.0, 5.0])
    for reduction in ("mean", "sum"):
        expected = torch.nn.MSELoss(reduction=reduction)(predictions, targets).item()
        assert scratch.mse(targets.numpy(), predictions.numpy(), reduction) == pytest.approx(expected)


def test_mse_rejects_unknown_reduction():
    with pytest.raises(ValueError, match="reduction"):
        scratch.mse([1.0], [1.0], reduction="max")


def test_mse_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="y and yhat"):
        scratch.mse([1.0, 2.0], [1.0, 2.0, 3.0])


def test_mse_gradients_match_finite_differences(recipe_a):
    x, y = recipe_a
    a, b, eps = 0.3, -0.7, 1e-6
    grad_a, grad_b = scratch.mse_gradients(x, y, scratch.predict(a, b, x))

    def loss(a_, b_):
        return scratch.mse(y, scratch.predict(a_, b_, x))

    assert grad_a == pytest.approx((loss(a + eps, b) - loss(a - eps, b)) / (2 * eps), rel=1e-5)
    assert grad_b == pytest.approx((loss(a, b + eps) - loss(a, b - eps)) / (2 * eps), rel=1e-5)


def test_mse_gradients_match_autograd(recipe_a):
    x, y = recipe_a
    a = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-0.7, dtype=torch.float64, requires_grad=True)
    torch.mean((a + b * torch.from_numpy(x) - torch.from_numpy(y)) ** 2).backward()
    grad_a, grad_b = scratch.mse_gradients(x, y, scratch.predict(0.3, -0.7, x))
    assert (grad_a, grad_b) == pytest.approx((a.grad.item(), b.grad.item()))


def test_gradient_descent_lr_0_1_1000_epochs_matches_closed_form_within_1e_3(recipe_a):
    fit = scratch.gradient_descent(*recipe_a, lr=0.1, epochs=1000)
    a_exact, b_exact = scratch.closed_form(*recipe_a)
    assert abs(fit.a - a_exact) < 1e-3
    assert abs(fit.b - b_exact) < 1e-3


def test_gradient_descent_reports_intercept_near_1_02_and_slope_near_1_97(recipe_a):
    fit = scratch.gradient_descent(*recipe_a)
    assert (round(fit.a, 2), round(fit.b, 2)) == (1.02, 1.97)


def test_gradient_descent_records_one_loss_per_epoch_and_the_path_from_the_start(recipe_a):
    fit = scratch.gradient_descent(*recipe_a, epochs=7)
    assert fit.losses.shape == (7,)
    assert fit.path.shape == (8, 2)
    assert tuple(fit.path[0]) == scratch.initial_parameters(42)
    assert tuple(fit.path[-1]) == (fit.a, fit.b)


def test_gradient_descent_loss_decreases_with_a_good_learning_rate(recipe_a):
    fit = scratch.gradient_descent(*recipe_a, epochs=50)
    assert np.all(np.diff(fit.losses) < 0)


def test_weights_and_biases_are_slope_and_intercept_of_the_path(recipe_a):
    fit = scratch.gradient_descent(*recipe_a, epochs=3)
    np.testing.assert_array_equal(fit.weights, fit.path[:, 1])
    np.testing.assert_array_equal(fit.biases, fit.path[:, 0])


@pytest.mark.parametrize(("batch_size", "steps"), [(None, 1), (80, 1), (16, 5), (1, 80), (30, 3)])
def test_steps_per_epoch_follow_the_batch_size(recipe_a, batch_size, steps):
    fit = scratch.gradient_descent(*recipe_a, epochs=2, batch_size=batch_size)
    assert fit.steps_per_epoch == steps


@pytest.mark.parametrize("batch_size", [16, 1])
def test_mini_batch_and_stochastic_descent_also_reach_the_closed_form(recipe_a, batch_size):
    fit = scratch.gradient_descent(*recipe_a, lr=0.05, epochs=300, batch_size=batch_size)
    a_exact, b_exact = scratch.closed_form(*recipe_a)
    assert fit.a == pytest.approx(a_exact, abs=0.05)
    assert fit.b == pytest.approx(b_exact, abs=0.05)


def test_mini_batch_descent_is_reproducible_with_the_same_seed(recipe_a):
    first = scratch.gradient_descent(*recipe_a, epochs=5, batch_size=8, seed=3)
    second = scratch.gradient_descent(*recipe_a, epochs=5, batch_size=8, seed=3)
    np.testing.assert_array_equal(first.path, second.path)


def test_record_steps_keeps_the_path_after_every_update(recipe_a):
    fit = scratch.gradient_descent(*recipe_a, epochs=3, batch_size=16, record_steps=True)
    assert fit.path.shape == (3 * 5 + 1, 2)
    assert tuple(fit.path[0]) == scratch.initial_parameters(42)
    assert tuple(fit.path[-1]) == (fit.a, fit.b)


def test_record_steps_changes_what_is_recorded_not_the_descent(recipe_a):
    by_epoch = scratch.gradient_descent(*recipe_a, epochs=3, batch_size=16)
    by_step = scratch.gradient_descent(*recipe_a, epochs=3, batch_size=16, record_steps=True)
    np.testing.assert_array_equal(by_step.path[::5], by_epoch.path)  # every 5th update ends an epoch
    np.testing.assert_array_equal(by_step.losses, by_epoch.losses)


def test_gradient_descent_rejects_a_record_steps_that_is_not_a_bool(recipe_a):
    with pytest.raises(TypeError, match="record_steps"):
        scratch.gradient_descent(*recipe_a, epochs=1, record_steps="yes")


def test_gradient_descent_starts_from_init_when_given(recipe_a):
    fit = scratch.gradient_descent(*recipe_a, epochs=1, init=(5.0, -3.0))
    assert tuple(fit.path[0]) == (5.0, -3.0)


def test_too_large_learning_rate_grows_the_loss_without_overflow_for_15_epochs(recipe_a):
    fit = scratch.gradient_descent(*recipe_a, lr=0.9, epochs=15)
    assert np.all(np.isfinite(fit.losses))
    assert fit.losses[-1] > 100 * fit.losses[0]


def test_gradient_descent_raises_diverged_error_when_lr_is_too_high(recipe_a):
    with pytest.raises(DivergedError, match="lr=2"):
        scratch.gradient_descent(*recipe_a, lr=2.0, epochs=1000)


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"lr": 0}, ValueError, "lr"),
    ({"lr": -0.1}, ValueError, "lr"),
    ({"lr": "fast"}, TypeError, "lr"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"epochs": 2.5}, TypeError, "epochs"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 81}, ValueError, "batch_size"),
    ({"init": (1.0,)}, ValueError, "init"),
    ({"init": (1.0, float("nan"))}, ValueError, "init"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_gradient_descent_rejects_invalid_arguments_by_name(recipe_a, kwargs, error, name):
    with pytest.raises(error, match=name):
        scratch.gradient_descent(*recipe_a, **kwargs)


def test_gradient_descent_rejects_mismatched_lengths(recipe_a):
    x, y = recipe_a
    with pytest.raises(ValueError, match="x and y"):
        scratch.gradient_descent(x, y[:-1])


def test_gradient_descent_rejects_empty_data():
    with pytest.raises(ValueError, match="x is empty"):
        scratch.gradient_descent(np.empty((0, 1)), np.empty((0, 1)))


def test_gradient_descent_rejects_more_than_one_feature():
    with pytest.raises(ValueError, match="x must have shape"):
        scratch.gradient_descent(np.ones((4, 2)), np.ones((4, 1)))


def test_closed_form_lstsq_and_normal_equation_agree_with_scikit_learn(recipe_a):
    x, y = recipe_a
    sklearn = LinearRegression().fit(x, y)
    for method in ("lstsq", "normal"):
        a, b = scratch.closed_form(x, y, method=method)
        assert a == pytest.approx(sklearn.intercept_[0], abs=1e-9)
        assert b == pytest.approx(sklearn.coef_[0, 0], abs=1e-9)


def test_closed_form_rejects_unknown_method(recipe_a):
    with pytest.raises(ValueError, match="method"):
        scratch.closed_form(*recipe_a, method="guess")


def test_crop_model_maps_three_inputs_to_two_outputs():
    out = scratch.crop_model(torch.ones(5, 3), torch.ones(2, 3), torch.tensor([0.0, 1.0]))
    assert out.tolist() == [[3.0, 4.0]] * 5


def test_mse_by_hand_equals_functional_mse_loss():
    p, t = torch.randn(5, 2, generator=torch.Generator().manual_seed(0)), torch.zeros(5, 2)
    assert torch.allclose(scratch.mse_by_hand(p, t), torch.nn.functional.mse_loss(p, t))


def test_crop_yields_by_hand_loss_falls_more_than_tenfold():
    fit = scratch.crop_yields_by_hand()
    assert fit.loss_before > 10 * fit.loss_after


def test_crop_yields_by_hand_returns_predictions_next_to_targets():
    fit = scratch.crop_yields_by_hand()
    inputs, targets = data.crop_yields()
    assert fit.predictions.shape == fit.targets.shape == (5, 2)
    np.testing.assert_array_equal(fit.targets, targets.numpy())
    assert fit.w.shape == (2, 3) and fit.b.shape == (2,)
    expected = inputs.numpy() @ fit.w.T + fit.b
    np.testing.assert_allclose(fit.predictions, expected, rtol=1e-5)


def test_crop_yields_by_hand_records_epochs_plus_one_losses():
    assert scratch.crop_yields_by_hand(epochs=10).losses.shape == (11,)


def test_crop_yields_by_hand_is_reproducible_and_seed_dependent():
    first, second = scratch.crop_yields_by_hand(epochs=5), scratch.crop_yields_by_hand(epochs=5)
    np.testing.assert_array_equal(first.w, second.w)
    assert not np.array_equal(first.w, scratch.crop_yields_by_hand(epochs=5, seed=1).w)


def test_crop_yields_by_hand_raises_diverged_error_when_lr_is_too_high():
    with pytest.raises(DivergedError, match="lr=0.1"):
        scratch.crop_yields_by_hand(lr=0.1)


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"lr": 0}, ValueError, "lr"),
    ({"epochs": -1}, ValueError, "epochs"),
    ({"seed": "x"}, TypeError, "seed"),
])
def test_crop_yields_by_hand_rejects_invalid_arguments_by_name(kwargs, error, name):
    with pytest.raises(error, match=name):
        scratch.crop_yields_by_hand(**kwargs)


# Claims the prose of page 2 makes about printed numbers.

def test_page_2_loss_flattens_near_the_noise_level_0_008(recipe_a):
    fit = scratch.gradient_descent(*recipe_a, lr=0.1, epochs=1000)
    assert fit.losses[-1] == pytest.approx(0.008, abs=5e-4)


def test_page_2_more_updates_per_epoch_get_closer_in_100_epochs(recipe_a):
    a_exact, b_exact = scratch.closed_form(*recipe_a)

    def distance(batch_size):
        run = scratch.gradient_descent(*recipe_a, lr=0.1, epochs=100, batch_size=batch_size)
        return max(abs(run.a - a_exact), abs(run.b - b_exact))

    assert distance(16) < distance(None)
    assert distance(1) < distance(None)


def test_page_2_lr_0_01_stops_short_of_the_minimum_after_1000_epochs(recipe_a):
    fit = scratch.gradient_descent(*recipe_a, lr=0.01, epochs=1000)
    assert abs(fit.b - scratch.closed_form(*recipe_a)[1]) > 0.1
