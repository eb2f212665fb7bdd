"""Specification of linreg.training: make_train_step, evaluate, fit and History."""

from __future__ import annotations

import pytest
import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

import linreg
from linreg import DivergedError, data, training
from linreg.data import gaussian_line_data
from linreg.models import LinearRegression, ManualLinearRegression
from linreg.training import History, evaluate, fit, make_train_step


def _loader(n: int = 64, batch_size: int = 16, shuffle: bool = False, seed: int = 0) -> DataLoader:
    x, y = gaussian_line_data(n=n)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle, generator=generator)


def _setup(lr: float = 0.1, seed: int = 0):
    torch.manual_seed(seed)
    model = LinearRegression()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return model, torch.nn.MSELoss(), optimizer


# --------------------------------------------------------------------------- History


def test_history_counts_epochs_from_train_loss():
    assert History(train_loss=[3.0, 2.0, 1.0]).epochs == 3
    assert History().epochs == 0


def test_history_round_trips_through_a_plain_dict():
    history = History([1.0, 0.5], [1.1, 0.6], [0.1, 0.05])
    assert History.from_dict(history.to_dict()) == history


def test_history_from_dict_names_missing_keys():
    with pytest.raises(ValueError, match="lr"):
        History.from_dict({"train_loss": [], "val_loss": []})


# --------------------------------------------------------------------------- make_train_step


def test_make_train_step_returns_the_loss_as_a_float_and_updates_the_model():
    model, loss_fn, optimizer = _setup()
    before = [p.detach().clone() for p in model.parameters()]
    loss = make_train_step(model, loss_fn, optimizer)(torch.ones(4, 1), torch.full((4, 1), 3.0))
    assert isinstance(loss, float)
    assert any(not torch.equal(b, p) for b, p in zip(before, model.parameters(), strict=True))


@pytest.mark.parametrize("bad", ["model", "loss_fn", "optimizer"])
def test_make_train_step_rejects_wrong_argument_types(bad):
    model, loss_fn, optimizer = _setup()
    args = {"model": model, "loss_fn": loss_fn, "optimizer": optimizer}
    args[bad] = 42
    with pytest.raises(TypeError, match=bad):
        make_train_step(**args)


# --------------------------------------------------------------------------- evaluate


def test_evaluate_returns_the_sample_weighted_mean_loss():
    model, loss_fn, _ = _setup()
    x, y = gaussian_line_data(n=50)
    uneven = DataLoader(TensorDataset(x, y), batch_size=16)  # batches of 16, 16, 16, 2
    with torch.no_grad():
        expected = loss_fn(model(x), y).item()
    assert evaluate(model, loss_fn, uneven) == pytest.approx(expected, rel=1e-5)


def test_evaluate_records_no_gradients_and_restores_the_training_mode():
    model, loss_fn, _ = _setup()
    model.train()
    evaluate(model, loss_fn, _loader())
    assert model.training
    assert all(p.grad is None for p in model.parameters())


def test_evaluate_uses_eval_mode_inside():
    seen = []

    class Spy(LinearRegression):
        def forward(self, x):
            seen.append(self.training)
            return super().forward(x)

    evaluate(Spy(), torch.nn.MSELoss(), _loader())
    assert seen and not any(seen)


def test_evaluate_rejects_a_tensor_as_loader():
    model, loss_fn, _ = _setup()
    with pytest.raises(TypeError, match="loader"):
        evaluate(model, loss_fn, torch.zeros(4, 1))


def test_evaluate_rejects_an_empty_loader():
    model, loss_fn, _ = _setup()
    with pytest.raises(ValueError, match="no batches"):
        evaluate(model, loss_fn, [])


# --------------------------------------------------------------------------- fit


def test_fit_learns_recipe_b_line():
    model, loss_fn, optimizer = _setup()
    history = fit(model, loss_fn, optimizer, _loader(200, shuffle=True), 30)
    assert model.linear.bias.item() == pytest.approx(1.5, abs=0.05)
    assert model.linear.weight.item() == pytest.approx(2.0, abs=0.05)
    assert history.train_loss[-1] < 0.02


def test_fit_records_one_entry_per_epoch():
    model, loss_fn, optimizer = _setup()
    history = fit(model, loss_fn, optimizer, _loader(), 4, val_loader=_loader(32))
    assert history.epochs == 4
    assert len(history.train_loss) == len(history.val_loss) == len(history.lr) == 4


def test_fit_without_validation_leaves_val_loss_empty():
    model, loss_fn, optimizer = _setup()
    assert fit(model, loss_fn, optimizer, _loader(), 2).val_loss == []


def test_fit_train_loss_matches_a_hand_written_loop():
    model, loss_fn, optimizer = _setup(seed=3)
    history = fit(model, loss_fn, optimizer, _loader(50), 2)
    model2, _, optimizer2 = _setup(seed=3)
    per_epoch = []
    for _ in range(2):
        total, count = 0.0, 0
        for x, y in _loader(50):
            loss = loss_fn(model2(x), y)
            loss.backward()
            optimizer2.step()
            optimizer2.zero_grad()
            total, count = total + loss.item() * len(x), count + len(x)
        per_epoch.append(total / count)
    assert history.train_loss == pytest.approx(per_epoch, rel=1e-5)
    assert torch.equal(model.linear.weight, model2.linear.weight)


def test_fit_val_loss_equals_evaluate_after_the_epoch():
    model, loss_fn, optimizer = _setup()
    val = _loader(32)
    history = fit(model, loss_fn, optimizer, _loader(), 3, val_loader=val)
    assert history.val_loss[-1] == pytest.approx(evaluate(model, loss_fn, val))


def test_fit_records_the_lr_used_during_each_epoch():
    model, loss_fn, optimizer = _setup(lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    history = fit(model, loss_fn, optimizer, _loader(), 5, scheduler=scheduler)
    assert history.lr == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_fit_steps_reduce_on_plateau_with_the_validation_loss():
    model, loss_fn, optimizer = _setup()
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, "min")
    seen = []
    original = scheduler.step
    scheduler.step = lambda metrics: (seen.append(metrics), original(metrics))
    history = fit(model, loss_fn, optimizer, _loader(), 3, val_loader=_loader(32), scheduler=scheduler)
    assert seen == history.val_loss


def test_fit_steps_reduce_on_plateau_with_the_train_loss_without_validation():
    model, loss_fn, optimizer = _setup()
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, "min")
    seen = []
    original = scheduler.step
    scheduler.step = lambda metrics: (seen.append(metrics), original(metrics))
    history = fit(model, loss_fn, optimizer, _loader(), 3, scheduler=scheduler)
    assert seen == history.train_loss


def test_fit_steps_a_batch_scheduler_after_every_batch():
    model, loss_fn, optimizer = _setup()
    loader = _loader(64, batch_size=16)  # 4 batches per epoch
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=3 * len(loader))
    fit(model, loss_fn, optimizer, loader, 3, scheduler=scheduler, scheduler_step="batch")
    assert scheduler.last_epoch == 12


def test_fit_calls_each_callback_after_every_epoch_with_1_based_epochs():
    model, loss_fn, optimizer = _setup()
    calls = []
    fit(model, loss_fn, optimizer, _loader(), 3,
        callbacks=[lambda epoch, m, h: calls.append((epoch, m is model, h.epochs))])
    assert calls == [(1, True, 1), (2, True, 2), (3, True, 3)]


def test_fit_continues_a_given_history_and_its_epoch_numbers():
    model, loss_fn, optimizer = _setup()
    history = fit(model, loss_fn, optimizer, _loader(), 2)
    epochs = []
    same = fit(model, loss_fn, optimizer, _loader(), 2, history=history, callbacks=[lambda e, m, h: epochs.append(e)])
    assert same is history and history.epochs == 4 and epochs == [3, 4]


def test_fit_moves_every_batch_to_the_requested_device(monkeypatch):
    # The batches already live on the CPU, so checking where the model saw them proves
    # nothing here: a spy on Tensor.to records what fit asks for, batch by batch.
    requested = []
    real_to = torch.Tensor.to

    def spy_to(tensor, *args, **kwargs):
        target = args[0] if args else kwargs.get("device")
        if isinstance(target, (str, torch.device)):
            requested.append(torch.device(target))
        return real_to(tensor, *args, **kwargs)

    model = LinearRegression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    monkeypatch.setattr(torch.Tensor, "to", spy_to)
    fit(model, torch.nn.MSELoss(), optimizer, _loader(32), 1, val_loader=_loader(16), device="cpu")
    batches = len(_loader(32)) + len(_loader(16))
    assert requested == [torch.device("cpu")] * (2 * batches)  # x and y of every batch, nothing else


def test_fit_trains_in_train_mode_and_restores_the_mode():
    modes = []

    class Spy(LinearRegression):
        def forward(self, x):
            modes.append(self.training)
            return super().forward(x)

    model = Spy()
    model.eval()
    fit(model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), _loader(32), 1)
    assert all(modes) and not model.training


def test_fit_raises_diverged_error_when_lr_is_too_high():
    model, loss_fn, optimizer = _setup(lr=50.0)
    with pytest.raises(linreg.DivergedError, match=r"epoch \d+.*lr=50"):
        fit(model, loss_fn, optimizer, _loader(200), 50)


def test_fit_shows_no_progress_bar_when_progress_is_false(capsys):
    model, loss_fn, optimizer = _setup()
    fit(model, loss_fn, optimizer, _loader(), 2, progress=False)
    assert capsys.readouterr().err == ""


def test_fit_shows_a_progress_bar_when_progress_is_true(capsys):
    model, loss_fn, optimizer = _setup()
    fit(model, loss_fn, optimizer, _loader(), 2, progress=True)
    assert "epoch" in capsys.readouterr().err


def test_progress_defaults_to_off_in_the_site_build(monkeypatch):
    monkeypatch.setenv("LINREG_BUILD", "1")
    assert training._progress_wanted(None) is False


def test_progress_defaults_to_off_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.delenv("LINREG_BUILD", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setattr("sys.stderr", open("/dev/null", "w"))  # noqa: SIM115 - closed by the GC
    assert training._progress_wanted(None) is False


def test_progress_rejects_non_booleans():
    with pytest.raises(TypeError, match="progress"):
        training._progress_wanted("yes")


@pytest.mark.parametrize("epochs, error", [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError)])
def test_fit_rejects_epochs_that_are_not_positive_integers(epochs, error):
    model, loss_fn, optimizer = _setup()
    with pytest.raises(error, match="epochs"):
        fit(model, loss_fn, optimizer, _loader(), epochs)


@pytest.mark.parametrize("loader", [torch.zeros(8, 1), 3, "data"])
def test_fit_rejects_a_train_loader_that_is_not_a_loader(loader):
    model, loss_fn, optimizer = _setup()
    with pytest.raises(TypeError, match="train_loader"):
        fit(model, loss_fn, optimizer, loader, 1)


def test_fit_rejects_a_val_loader_that_is_not_a_loader():
    model, loss_fn, optimizer = _setup()
    with pytest.raises(TypeError, match="val_loader"):
        fit(model, loss_fn, optimizer, _loader(), 1, val_loader=torch.zeros(4, 1))


def test_fit_rejects_an_empty_train_loader():
    model, loss_fn, optimizer = _setup()
    with pytest.raises(ValueError, match="no batches"):
        fit(model, loss_fn, optimizer, [], 1)


def test_fit_rejects_batches_that_are_not_pairs():
    model, loss_fn, optimizer = _setup()
    with pytest.raises(TypeError, match=r"\(x, y\)"):
        fit(model, loss_fn, optimizer, [torch.zeros(4, 1)], 1)


def test_fit_rejects_a_scheduler_of_another_optimizer():
    model, loss_fn, optimizer = _setup()
    other = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="scheduler"):
        fit(model, loss_fn, optimizer, _loader(), 1, scheduler=torch.optim.lr_scheduler.StepLR(other, 1))


def test_fit_rejects_a_scheduler_that_is_not_a_scheduler():
    model, loss_fn, optimizer = _setup()
    with pytest.raises(TypeError, match="scheduler"):
        fit(model, loss_fn, optimizer, _loader(), 1, scheduler="step")


def test_fit_rejects_reduce_on_plateau_stepped_per_batch():
    model, loss_fn, optimizer = _setup()
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)
    with pytest.raises(ValueError, match="scheduler_step"):
        fit(model, loss_fn, optimizer, _loader(), 1, scheduler=scheduler, scheduler_step="batch")


def test_fit_rejects_an_unknown_scheduler_step():
    model, loss_fn, optimizer = _setup()
    with pytest.raises(ValueError, match="scheduler_step"):
        fit(model, loss_fn, optimizer, _loader(), 1, scheduler_step="step")


def test_fit_rejects_callbacks_that_are_not_callable():
    model, loss_fn, optimizer = _setup()
    with pytest.raises(TypeError, match="callbacks"):
        fit(model, loss_fn, optimizer, _loader(), 1, callbacks=[1])


def test_fit_rejects_a_bad_device_name():
    model, loss_fn, optimizer = _setup()
    with pytest.raises(ValueError, match="device"):
        fit(model, loss_fn, optimizer, _loader(), 1, device="gpu-please")


def test_fit_rejects_a_history_of_the_wrong_type():
    model, loss_fn, optimizer = _setup()
    with pytest.raises(TypeError, match="history"):
        fit(model, loss_fn, optimizer, _loader(), 1, history=[])


@pytest.mark.parametrize("bad", ["model", "loss_fn", "optimizer"])
def test_fit_rejects_wrong_model_loss_or_optimizer(bad):
    model, loss_fn, optimizer = _setup()
    args = {"model": model, "loss_fn": loss_fn, "optimizer": optimizer}
    args[bad] = None
    with pytest.raises(TypeError, match=bad):
        fit(train_loader=_loader(), epochs=1, **args)


# --------------------------------------------------------------------------- figures of a history


def test_losses_and_lr_draws_log_losses_and_the_rate_on_a_twin_axis():
    from linreg.plots import losses_and_lr

    fig = losses_and_lr([1.0, 0.5, 0.4], [0.1, 0.1, 0.05], val_loss=[1.1, 0.6, 0.5])
    loss_ax, rate_ax = fig.axes
    assert len(loss_ax.lines) == 2 and len(rate_ax.lines) == 1
    assert loss_ax.get_yscale() == rate_ax.get_yscale() == "log"
    assert list(rate_ax.lines[0].get_ydata()) == [0.1, 0.1, 0.05]


def test_losses_and_lr_without_validation_draws_one_loss():
    from linreg.plots import losses_and_lr

    assert len(losses_and_lr([1.0, 0.5], [0.1, 0.1], val_loss=[]).axes[0].lines) == 1


def test_losses_and_lr_rejects_lists_of_different_lengths():
    from linreg.plots import losses_and_lr

    with pytest.raises(ValueError, match="equal length"):
        losses_and_lr([1.0, 0.5], [0.1])


def test_lr_sweep_marks_diverged_runs_and_circles_the_best_rate():
    from linreg.plots import lr_sweep

    fig = lr_sweep([0.001, 0.01, 0.1, 1.0], [0.5, 0.05, 0.01, float("nan")])
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = ax.get_legend_handles_labels()[1]
    assert "diverged" in labels and "best: lr = 0.1" in labels


def test_lr_sweep_rejects_non_positive_rates_and_all_diverged_runs():
    from linreg.plots import lr_sweep

    with pytest.raises(ValueError, match="positive"):
        lr_sweep([0.0, 0.1], [1.0, 0.5])
    with pytest.raises(ValueError, match="diverged"):
        lr_sweep([0.1, 1.0], [float("nan"), float("inf")])


# --------------------------------------------------------------------------- page 8's claims


def _page8_run(make_scheduler=None, lr=0.8, epochs=100, scheduler_step="epoch"):
    from linreg.datasets import line_b_loaders

    torch.manual_seed(0)
    model = LinearRegression()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    train_loader, val_loader = line_b_loaders(batch_size=16)
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    return fit(model, torch.nn.MSELoss(), optimizer, train_loader, epochs, val_loader=val_loader,
               scheduler=scheduler, scheduler_step=scheduler_step)


def test_page8_every_schedule_ends_below_the_constant_rate():
    from torch.optim import lr_scheduler

    constant = _page8_run()
    schedules = [
        _page8_run(lambda o: lr_scheduler.StepLR(o, step_size=30, gamma=0.5)),
        _page8_run(lambda o: lr_scheduler.MultiStepLR(o, milestones=[30, 80], gamma=0.1)),
        _page8_run(lambda o: lr_scheduler.ReduceLROnPlateau(o, "min")),
        _page8_run(lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.8, total_steps=1000), scheduler_step="batch"),
    ]
    for history in schedules:
        assert history.train_loss[-1] < constant.train_loss[-1]
        assert history.val_loss[-1] < constant.val_loss[-1]
    assert schedules[0].lr[29:31] == pytest.approx([0.8, 0.4]) and schedules[0].lr[-1] == pytest.approx(0.1)
    assert schedules[1].lr[-1] == pytest.approx(0.008)


def test_page8_sweep_is_slow_at_small_rates_and_diverges_at_the_largest():
    small = _page8_run(lr=10**-3.75, epochs=20).val_loss[-1]
    good = _page8_run(lr=10**-1.75, epochs=20).val_loss[-1]
    assert small > 10 * good
    with pytest.raises(linreg.DivergedError):
        _page8_run(lr=10**0.25, epochs=20)


# make_train_step: one optimisation step as a closure --------------------------


@pytest.fixture
def recipe_a():
    x_train, y_train, _, _ = data.line_data().tensors()
    return x_train, y_train


def new_setup(lr=0.1):
    model = ManualLinearRegression(generator=torch.Generator().manual_seed(42))
    optimizer = optim.SGD(model.parameters(), lr=lr)
    return model, make_train_step(model, nn.MSELoss(), optimizer)


def test_train_step_returns_the_loss_as_a_float(recipe_a):
    _, step = new_setup()
    assert isinstance(step(*recipe_a), float)


def test_train_step_returns_the_loss_before_its_update(recipe_a):
    model, step = new_setup()
    with torch.no_grad():
        expected = nn.functional.mse_loss(model(recipe_a[0]), recipe_a[1]).item()
    assert step(*recipe_a) == pytest.approx(expected)


def test_repeated_train_steps_reduce_the_loss_on_recipe_a(recipe_a):
    model, step = new_setup()
    losses = [step(*recipe_a) for _ in range(1000)]
    assert losses[-1] < losses[0] / 100
    assert model.a.item() == pytest.approx(1.0, abs=0.05)
    assert model.b.item() == pytest.approx(2.0, abs=0.05)


def test_train_step_clears_the_gradients_after_stepping(recipe_a):
    model, step = new_setup()
    step(*recipe_a)
    assert all(p.grad is None or torch.all(p.grad == 0) for p in model.parameters())


def test_train_step_puts_the_model_in_training_mode(recipe_a):
    model, step = new_setup()
    model.eval()
    step(*recipe_a)
    assert model.training


def test_train_step_raises_diverged_error_when_lr_is_huge(recipe_a):
    _, step = new_setup(lr=1e6)
    with pytest.raises(DivergedError, match="learning rate"):
        for _ in range(20):
            step(*recipe_a)


def test_train_step_counts_its_steps_from_1_in_the_diverged_error():
    model = nn.Linear(1, 1)
    step = make_train_step(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1))
    x, y = torch.ones(4, 1), torch.ones(4, 1)
    step(x, y)
    step(x, y)
    with pytest.raises(DivergedError, match=r"diverged at step 3: the loss became nan\. The learning rate \(lr=0.1\)"):
        step(x, torch.full((4, 1), float("nan")))  # the third call is step 3


def test_make_train_step_rejects_a_model_that_is_not_a_module():
    a = torch.zeros(1, requires_grad=True)
    with pytest.raises(TypeError, match="model"):
        make_train_step(lambda x: a * x, nn.MSELoss(), optim.SGD([a], lr=0.1))


def test_make_train_step_rejects_a_loss_that_is_not_callable():
    model = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="loss_fn"):
        make_train_step(model, "mse", optim.SGD(model.parameters(), lr=0.1))


def test_make_train_step_rejects_an_optimizer_that_is_not_an_optimizer():
    model = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="optimizer"):
        make_train_step(model, nn.MSELoss(), 0.1)
