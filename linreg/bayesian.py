"""Bayesian optimisation with Ax: the search of page 12 that chooses each trial from the results so far.

[`ax_search()`][linreg.bayesian.ax_search] runs the same loop as the hand-written
searches of [`linreg.tuning`][linreg.tuning] (a point, a training run, a loss)
with Ax's ``Client``: ask for a point, train, tell Ax the loss. It takes the same
objective and the same [`Range`][linreg.tuning.Range] space and returns the same
[`Trial`][linreg.tuning.Trial] records, so the three searches compare on equal terms.

Ax (``pip install "linreg[tuning]"``) is imported inside
[`ax_search()`][linreg.bayesian.ax_search] only: it takes seconds to import, so
``import linreg.bayesian`` stays cheap. Most of this module keeps Ax's own
logging (a line per trial, on stderr) off the page.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from linreg._checks import check_non_negative_int, check_positive_int
from linreg.tuning import Objective, Params, Range, Trial, _check_space, _score

__all__ = ["AxSearch", "ax_search"]


@dataclass(frozen=True)
class AxSearch:
    """What [`ax_search()`][linreg.bayesian.ax_search] returns: the trials in order and Ax's own choice.

    ``best_params`` and ``best_number`` come from
    ``Client.get_best_parameterization()``, which ranks trials by the values its
    model *predicts* for them (a smoothed view of the noisy measurements), so
    its choice need not be the trial with the lowest measured loss. Both are
    ``None`` when every trial diverged. ``nodes`` names, for each trial, the
    step of Ax's generation strategy that proposed it: ``CenterOfSearchSpace``
    (the centre of the space), ``Sobol`` (quasi-random draws) or ``MBM`` (a
    Gaussian-process model of the losses so far, through BoTorch). ``messages``
    holds the warnings Ax gave during the search (kept off stderr),
    ``deprecations`` counts the deprecation notices its libraries raised about
    their own code, ``import_seconds`` is the time importing Ax took.
    """

    trials: list[Trial]
    best_params: Params | None
    best_number: int | None
    nodes: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    deprecations: int = 0
    import_seconds: float = 0.0


_DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


@contextmanager
def _ax_messages() -> Iterator[tuple[list[str], list[str]]]:
    """Collect what Ax says during the block instead of letting it print to stderr.

    Ax logs every trial at INFO level on a stderr handler of its own, and its
    warnings (a poor model fit, say) go there too, as do Python warnings from
    BoTorch. Inside the block that handler is silenced and every warning is
    recorded. Yields ``(messages, deprecations)``, filled when the block ends:
    Ax's log warnings and errors and the Python warnings about the search, as
    text; and, apart, the deprecation notices that Ax, pandas and BoTorch
    raise about their own internals (nothing the caller can act on). INFO
    lines are dropped.
    """
    import logging
    import warnings

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(f"{record.levelname} {record.name}: {record.getMessage()}")

    messages: list[str] = []
    deprecations: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # every occurrence, so the counts do not depend on earlier calls
        from ax.utils.common import logger as ax_logger  # the first import of Ax warns too

        handler = Collect(level=logging.WARNING)
        root = logging.getLogger(ax_logger.AX_ROOT_LOGGER_NAME)
        previous = ax_logger.ROOT_STREAM_HANDLER.level
        ax_logger.set_stderr_log_level(logging.CRITICAL + 1)  # above every level: the stderr handler prints nothing
        root.addHandler(handler)
        try:
            yield messages, deprecations
        finally:
            root.removeHandler(handler)
            ax_logger.set_stderr_log_level(previous)
    for warning in caught:
        text = f"{warning.category.__name__}: {warning.message}"
        (deprecations if issubclass(warning.category, _DEPRECATIONS) else messages).append(text)


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Run PyTorch on one thread inside the block, then restore the thread count.

    Why one thread: see [`ax_search()`][linreg.bayesian.ax_search].
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def ax_search(
    objective: Objective,
    space: Mapping[str, Range],
    n_trials: int,
    *,
    seed: int = 0,
) -> AxSearch:
    """Minimise ``objective`` over ``space`` in ``n_trials`` trials with Ax's
    Bayesian optimisation.

    The loop is ask, train, tell: ``get_next_trials`` proposes a point, the
    objective trains and scores it, and ``complete_trial`` reports the loss
    back. Ax's default generation strategy (ax-platform 1.3) proposes the first
    trial at the centre of the space, the next four from a scrambled Sobol
    sequence, and only then from a Gaussian-process model of the losses seen so
    far (``nodes`` of the result says which trial came from where). A diverged
    run is reported with ``mark_trial_failed``. ``seed`` makes the proposals,
    and so the search, repeatable. Ax's log lines and warnings are kept off
    stderr; its warnings come back in `messages` of
    [`AxSearch`][linreg.bayesian.AxSearch]. PyTorch runs on one thread during
    the search (restored afterwards): a Gaussian process of a few dozen points
    fitted several times faster on one thread than on threads that wait for
    each other (measured on a busy two-core machine: about 0.5 s per trial
    against 2.5 s).

    Examples:
        >>> search = ax_search(
        ...     lambda p: (p["x"] - 0.3) ** 2, {"x": Range(0.0, 1.0)}, 3
        ... )
        >>> # the first trial is the centre of the space
        >>> len(search.trials), search.trials[0].params
        (3, {'x': 0.5})
        >>> search.nodes
        ['CenterOfSearchSpace', 'Sobol', 'Sobol']
    """
    if not callable(objective):
        raise TypeError(
            "objective must be a function params -> loss, "
            f"got {type(objective).__name__}"
        )
    space = _check_space(space)
    n_trials = check_positive_int("n_trials", n_trials)
    seed = check_non_negative_int("seed", seed)
    start = time.perf_counter()
    with _one_torch_thread(), _ax_messages() as (messages, deprecations):
        # here, not at the top: Ax takes seconds to import
        from ax.api.client import Client
        from ax.api.configs import RangeParameterConfig

        import_seconds = time.perf_counter() - start
        client = Client(random_seed=seed)
        client.configure_experiment(parameters=[
            RangeParameterConfig(
                name=name,
                parameter_type="int" if r.integer else "float",
                bounds=(r.low, r.high),
                scaling="log" if r.log else "linear",
            )
            for name, r in space.items()
        ])
        # the minus sign: lower is better
        client.configure_optimization(objective="-val_loss")
        trials, indices = [], []
        for number in range(1, n_trials + 1):
            asked = time.perf_counter()
            # ask
            ((index, params),) = client.get_next_trials(max_trials=1).items()
            indices.append(index)
            trained = time.perf_counter()
            loss = _score(objective, dict(params))  # train
            told = time.perf_counter()
            if math.isfinite(loss):  # tell
                client.complete_trial(
                    trial_index=index, raw_data={"val_loss": loss}
                )
            else:
                client.mark_trial_failed(trial_index=index)
            done = time.perf_counter()
            trials.append(Trial(
                number, dict(params), loss,
                train_seconds=told - trained,
                method_seconds=(trained - asked) + (done - told),
            ))
        best_params, best_number = None, None
        # with no data, Ax has no best point to name
        if not all(t.diverged for t in trials):
            best, _, best_index, _ = client.get_best_parameterization()
            best_params, best_number = dict(best), best_index + 1
        summary = client.summarize()[["trial_index", "generation_node"]]
        node_of = dict(zip(*summary.to_numpy().T, strict=True))
        nodes = [str(node_of[index]) for index in indices]
    return AxSearch(
        trials, best_params, best_number, nodes, messages, len(deprecations),
        import_seconds,
    )
