"""Specification of linreg.checkpoints: save, load, resume."""

from __future__ import annotations

import os
import pickle

import pytest
import torch

from linreg.checkpoints import CheckpointError, load_checkpoint, resume, save_checkpoint
from linreg.data import gaussian_line_data
from linreg.datasets import LineDataset, make_loader
from linreg.models import LinearRegression
from linreg.training import History, fit


def _setup(model_seed: int = 0, loader_seed: int = 7):
    torch.manual_seed(model_seed)
    model = LinearRegression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    loader = make_loader(LineDataset(*gaussian_line_data(n=96)), batch_size=16, seed=loader_seed)
    return model, optimizer, scheduler, loader


def _save(path, model, optimizer, history=None, **kwargs):
    history = history or History([1.0, 0.5], [], [0.1, 0.1])
    return save_checkpoint(path, model=model, optimizer=optimizer, epoch=history.epochs, history=history, **kwargs)


# --------------------------------------------------------------------------- saving


def test_save_checkpoint_round_trips_model_optimizer_and_history(tmp_path):
    model, optimizer, scheduler, loader = _setup()
    history = fit(model, torch.nn.MSELoss(), optimizer, loader, 2, scheduler=scheduler)
    _save(tmp_path / "c.pt", model, optimizer, history, scheduler=scheduler)
    fresh, fresh_optimizer, fresh_scheduler, _ = _setup(model_seed=1)
    loaded = load_checkpoint(tmp_path / "c.pt", model=fresh, optimizer=fresh_optimizer, scheduler=fresh_scheduler)
    assert loaded.epoch == 2 and loaded.history == history
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), fresh.parameters(), strict=True))
    assert fresh_optimizer.state_dict()["state"].keys() == optimizer.state_dict()["state"].keys()
    assert fresh_scheduler.state_dict() == scheduler.state_dict()


def test_saved_checkpoint_loads_with_weights_only(tmp_path):
    model, optimizer, scheduler, loader = _setup()
    _save(tmp_path / "c.pt", model, optimizer, scheduler=scheduler, generator=loader.generator)
    state = torch.load(tmp_path / "c.pt", weights_only=True)
    assert isinstance(state["history"]["train_loss"], list) and isinstance(state["epoch"], int)


def test_save_checkpoint_replaces_an_existing_file_and_leaves_no_temporary_file(tmp_path):
    model, optimizer, _, _ = _setup()
    _save(tmp_path / "c.pt", model, optimizer)
    _save(tmp_path / "c.pt", model, optimizer, History([1.0, 0.5, 0.2], [], [0.1] * 3))
    assert os.listdir(tmp_path) == ["c.pt"]
    assert load_checkpoint(tmp_path / "c.pt", model=model).epoch == 3


def test_a_failed_save_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch):
    model, optimizer, _, _ = _setup()
    _save(tmp_path / "c.pt", model, optimizer)
    before = (tmp_path / "c.pt").read_bytes()

    def crash(obj, f, *args, **kwargs):
        f.write(b"half a checkpoint")
        raise KeyboardInterrupt  # the process is interrupted mid-write

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        _save(tmp_path / "c.pt", model, optimizer, History([1.0], [], [0.1]))
    assert (tmp_path / "c.pt").read_bytes() == before
    assert os.listdir(tmp_path) == ["c.pt"]


def test_save_checkpoint_names_a_missing_directory(tmp_path):
    model, optimizer, _, _ = _setup()
    with pytest.raises(FileNotFoundError, match="nowhere"):
        _save(tmp_path / "nowhere" / "c.pt", model, optimizer)


@pytest.mark.parametrize("kwargs, name", [({"epoch": -1}, "epoch"), ({"history": {}}, "history"),
                                          ({"optimizer": None}, "optimizer"), ({"model": "m"}, "model"),
                                          ({"scheduler": 1}, "scheduler"), ({"generator": 1}, "generator")])
def test_save_checkpoint_rejects_bad_arguments(tmp_path, kwargs, name):
    model, optimizer, _, _ = _setup()
    args = {"model": model, "optimizer": optimizer, "epoch": 0, "history": History()} | kwargs
    with pytest.raises((TypeError, ValueError), match=name):
        save_checkpoint(tmp_path / "c.pt", **args)


# --------------------------------------------------------------------------- loading bad files


def test_load_checkpoint_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        load_checkpoint(tmp_path / "missing.pt", model=LinearRegression())


def test_load_checkpoint_reports_a_truncated_file(tmp_path):
    model, optimizer, _, _ = _setup()
    _save(tmp_path / "c.pt", model, optimizer)
    data = (tmp_path / "c.pt").read_bytes()
    (tmp_path / "c.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_checkpoint(tmp_path / "c.pt", model=model)


def test_load_checkpoint_reports_a_file_of_garbage(tmp_path):
    (tmp_path / "c.pt").write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_checkpoint(tmp_path / "c.pt", model=LinearRegression())


def test_load_checkpoint_reports_a_foreign_torch_file(tmp_path):
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a linreg checkpoint"):
        load_checkpoint(tmp_path / "other.pt", model=LinearRegression())


def test_load_checkpoint_reports_a_bare_state_dict(tmp_path):
    model = LinearRegression()
    torch.save(model.state_dict(), tmp_path / "weights.pt")
    with pytest.raises(CheckpointError, match="not a linreg checkpoint"):
        load_checkpoint(tmp_path / "weights.pt", model=model)


def test_load_checkpoint_reports_missing_keys(tmp_path):
    model, optimizer, _, _ = _setup()
    _save(tmp_path / "c.pt", model, optimizer)
    state = torch.load(tmp_path / "c.pt", weights_only=True)
    del state["optimizer"]
    torch.save(state, tmp_path / "c.pt")
    with pytest.raises(CheckpointError, match="optimizer"):
        load_checkpoint(tmp_path / "c.pt", model=model)


def test_load_checkpoint_reports_a_checkpoint_of_another_model(tmp_path):
    model, optimizer, _, _ = _setup()
    _save(tmp_path / "c.pt", model, optimizer)
    with pytest.raises(CheckpointError, match="does not fit"):
        load_checkpoint(tmp_path / "c.pt", model=LinearRegression(3, 2))


def test_load_checkpoint_reports_a_scheduler_that_was_not_saved(tmp_path):
    model, optimizer, scheduler, _ = _setup()
    _save(tmp_path / "c.pt", model, optimizer)
    with pytest.raises(CheckpointError, match="scheduler"):
        load_checkpoint(tmp_path / "c.pt", model=model, scheduler=scheduler)


class _RunsCode:
    """Unpickling this object calls a function: the attack weights_only loading blocks."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("writer", ["pickle", "torch.save"])
def test_load_checkpoint_refuses_a_pickle_that_would_run_code(tmp_path, writer):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    payload = {"format": "linreg-checkpoint-v1", "model": _RunsCode(marker)}
    if writer == "pickle":
        path.write_bytes(pickle.dumps(payload, protocol=2))  # the protocol torch.save uses
    else:
        torch.save(payload, path)
    with pytest.raises(CheckpointError, match="refused"):
        load_checkpoint(path, model=LinearRegression())
    assert not marker.exists()


def test_the_malicious_pickle_really_runs_code_when_fully_unpickled(tmp_path):
    # The control experiment: without weights_only the same bytes run the command.
    marker = tmp_path / "pwned"
    pickle.loads(pickle.dumps(_RunsCode(marker)))
    assert marker.exists()


# --------------------------------------------------------------------------- resuming


def _train_with_interruption(tmp_path, n_epochs):
    model, optimizer, scheduler, loader = _setup()
    loss_fn = torch.nn.MSELoss()
    history = fit(model, loss_fn, optimizer, loader, n_epochs, scheduler=scheduler)
    save_checkpoint(tmp_path / "c.pt", model=model, optimizer=optimizer, epoch=history.epochs, history=history,
                    scheduler=scheduler, generator=loader.generator)
    fresh, fresh_optimizer, fresh_scheduler, fresh_loader = _setup(model_seed=123, loader_seed=999)
    history = resume(tmp_path / "c.pt", model=fresh, optimizer=fresh_optimizer, scheduler=fresh_scheduler,
                     generator=fresh_loader.generator)
    fit(fresh, loss_fn, fresh_optimizer, fresh_loader, n_epochs, scheduler=fresh_scheduler, history=history)
    return fresh, history


def test_resumed_training_ends_with_exactly_the_uninterrupted_parameters(tmp_path):
    model, optimizer, scheduler, loader = _setup()
    history = fit(model, torch.nn.MSELoss(), optimizer, loader, 6, scheduler=scheduler)
    resumed, resumed_history = _train_with_interruption(tmp_path, 3)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), resumed.parameters(), strict=True))
    assert resumed_history == history


def test_resume_without_the_generator_state_shuffles_differently(tmp_path):
    # Why the checkpoint stores the loader's generator: without it the shuffles,
    # and so the parameters, differ from the uninterrupted run.
    model, optimizer, scheduler, loader = _setup()
    fit(model, torch.nn.MSELoss(), optimizer, loader, 4, scheduler=scheduler)
    other, other_optimizer, other_scheduler, other_loader = _setup()
    history = fit(other, torch.nn.MSELoss(), other_optimizer, other_loader, 2, scheduler=other_scheduler)
    _save(tmp_path / "c.pt", other, other_optimizer, history, scheduler=other_scheduler)
    fresh, fresh_optimizer, fresh_scheduler, fresh_loader = _setup(model_seed=5, loader_seed=7)
    history = resume(tmp_path / "c.pt", model=fresh, optimizer=fresh_optimizer, scheduler=fresh_scheduler)
    fit(fresh, torch.nn.MSELoss(), fresh_optimizer, fresh_loader, 2, scheduler=fresh_scheduler, history=history)
    assert not torch.equal(model.linear.weight, fresh.linear.weight)


def test_resume_puts_the_model_in_train_mode(tmp_path):
    model, optimizer, _, _ = _setup()
    _save(tmp_path / "c.pt", model, optimizer)
    model.eval()
    resume(tmp_path / "c.pt", model=model, optimizer=optimizer)
    assert model.training


def test_resume_rejects_a_checkpoint_whose_epoch_disagrees_with_its_history(tmp_path):
    model, optimizer, _, _ = _setup()
    save_checkpoint(tmp_path / "c.pt", model=model, optimizer=optimizer, epoch=5, history=History([1.0]))
    with pytest.raises(CheckpointError, match="epoch 5"):
        resume(tmp_path / "c.pt", model=model, optimizer=optimizer)


def test_resume_needs_an_optimizer(tmp_path):
    model, optimizer, _, _ = _setup()
    _save(tmp_path / "c.pt", model, optimizer)
    with pytest.raises(TypeError, match="optimizer"):
        resume(tmp_path / "c.pt", model=model, optimizer=None)


# --------------------------------------------------------------------------- page 7's claims


def _page7_run(seed=0):
    from linreg.datasets import line_b_loaders

    torch.manual_seed(seed)
    model = LinearRegression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return model, optimizer, line_b_loaders(batch_size=16)


def test_page7_resume_after_20_of_40_epochs_matches_bit_for_bit(tmp_path):
    model, optimizer, (loader, val_loader) = _page7_run()
    fit(model, torch.nn.MSELoss(), optimizer, loader, 40, val_loader=val_loader)
    first, first_optimizer, (first_loader, _) = _page7_run()
    history = fit(first, torch.nn.MSELoss(), first_optimizer, first_loader, 20, val_loader=val_loader)
    save_checkpoint(tmp_path / "c.pt", model=first, optimizer=first_optimizer, epoch=20, history=history,
                    generator=first_loader.generator)
    resumed, resumed_optimizer, (resumed_loader, _) = _page7_run(seed=123)
    history = resume(tmp_path / "c.pt", model=resumed, optimizer=resumed_optimizer, generator=resumed_loader.generator)
    fit(resumed, torch.nn.MSELoss(), resumed_optimizer, resumed_loader, 20, val_loader=val_loader, history=history)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), resumed.parameters(), strict=True))

    # Page 7 also shows that restoring the weights alone does not give the same run.
    from_weights, new_optimizer, (new_loader, _) = _page7_run(seed=123)
    from_weights.load_state_dict(torch.load(tmp_path / "c.pt", weights_only=True)["model"])
    fit(from_weights, torch.nn.MSELoss(), new_optimizer, new_loader, 20)
    assert not torch.equal(model.linear.weight, from_weights.linear.weight)


def test_page7_validation_loss_starts_below_the_training_loss():
    model, _, (loader, val_loader) = _page7_run()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    history = fit(model, torch.nn.MSELoss(), optimizer, loader, 5, val_loader=val_loader)
    assert all(v < t for t, v in zip(history.train_loss, history.val_loss, strict=True))
