"""The trial-budget explorable of page 12: how good each search was after its first k trials.

A search's verdict depends on its budget: a method that leads after 16 trials
may trail after 4. [`budget_explorer()`][linreg.budget_explorer.budget_explorer]
reads the [`Trial`][linreg.tuning.Trial] records the page's searches already made
(nothing is run again) and, for each budget k, keeps each method's lowest
validation loss among its first k trials and the trial that found it: the data
of a slider over k that the site's script (``docs/assets/javascripts/explorables.js``)
draws. A method's trials may carry the step that proposed them (Ax's centre
point, Sobol points or model), so the figure can tell the trials a model chose
from those placed before any model existed. What a notebook cell displays is
[`linreg.interactive.explorable()`][linreg.interactive.explorable]'s.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from linreg.explorables import Control, _check_size
from linreg.tuning import Trial, _check_trials

__all__ = ["BudgetMethod", "BudgetExplorer", "budget_explorer", "STEP_NAMES", "MODEL_STEP"]

STEP_NAMES: dict[str, str] = {
    "CenterOfSearchSpace": "the centre of the space",
    "Sobol": "a Sobol point",
    "MBM": "chosen by the model",
}
"""What the figure calls each step of Ax's generation strategy (``AxSearch.nodes``)."""
MODEL_STEP = "MBM"
"""The step whose trials a model chose (drawn filled; the others hollow)."""


@dataclass(frozen=True)
class BudgetMethod:
    """One search: its trials' validation losses in the order it ran them (``inf`` for a diverged run).

    ``steps`` names, per trial, the step that proposed it (empty when the
    method has none, as grid and random search decide every trial in advance).
    """

    name: str
    losses: tuple[float, ...]
    steps: tuple[str, ...] = ()

    def best_within(self, k: int) -> tuple[float, int | None]:
        """The lowest loss among the first ``k`` trials and the trial (from 1) that found it, earliest on a tie.

        Examples:
            >>> BudgetMethod("a", (0.5, 0.2, 0.2, 0.1)).best_within(3)
            (0.2, 2)
        """
        finite = [(loss, number) for number, loss in enumerate(self.losses[:k], start=1) if math.isfinite(loss)]
        return min(finite) if finite else (math.inf, None)


@dataclass(frozen=True)
class BudgetExplorer:
    """Searches compared at every budget k = 1 ... ``budget`` (the one control)."""

    title: str
    controls: tuple[Control, ...]
    methods: tuple[BudgetMethod, ...]
    zoom: float

    @property
    def budget(self) -> int:
        """The largest budget the slider reaches: the number of trials of each method."""
        return len(self.methods[0].losses)

    @property
    def runs(self) -> tuple[dict, ...]:
        """One entry per budget k: ``{"settings": {"k": k}, "best": [...], "trial": [...]}``, methods in order."""
        entries = []
        for k in range(1, self.budget + 1):
            found = [method.best_within(k) for method in self.methods]
            entries.append({"settings": {"k": k}, "best": [_number(loss) for loss, _ in found],
                            "trial": [number for _, number in found]})
        return tuple(entries)

    def leaders(self, k: int) -> list[str]:
        """The methods with the lowest loss within ``k`` trials (several on an exact tie).

        Examples:
            >>> explorer = budget_explorer({"a": [Trial(1, {}, 0.3), Trial(2, {}, 0.1)],
            ...                             "b": [Trial(1, {}, 0.2), Trial(2, {}, 0.2)]})
            >>> explorer.leaders(1), explorer.leaders(2)
            (['b'], ['a'])
        """
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k <= self.budget:
            raise ValueError(f"k must be a whole number of trials from 1 to {self.budget}, got {k!r}")
        bests = {method.name: method.best_within(k)[0] for method in self.methods}
        lowest = min(bests.values())
        return [name for name, loss in bests.items() if loss == lowest and math.isfinite(loss)]

    def to_json(self) -> str:
        """The JSON the page embeds: every loss at full precision, so the readout rounds as the page's prints do."""
        document = {
            "kind": "budget",
            "title": self.title,
            "controls": [{"name": c.name, "label": c.label, "values": list(c.values)} for c in self.controls],
            "methods": [{"name": m.name, "losses": [_number(v) for v in m.losses], "steps": list(m.steps)}
                        for m in self.methods],
            "stepNames": STEP_NAMES,
            "modelStep": MODEL_STEP,
            "runs": list(self.runs),
            "zoom": self.zoom,
        }
        return json.dumps(document, separators=(",", ":"), allow_nan=False)


def _number(value: float) -> float | None:
    """A loss as JSON: ``None`` (null) for a diverged run's ``inf``."""
    return float(value) if math.isfinite(value) else None


def budget_explorer(results: Mapping[str, Sequence[Trial]], *, steps: Mapping[str, Sequence[str]] | None = None,
                    zoom: float = 1.25, title: str = "Best validation loss within a budget of k trials"
                    ) -> BudgetExplorer:
    """Each search's best validation loss within its first k trials, for every k up to the budget.

    ``results`` maps a method's name to its trials in the order they ran (each
    method the same number); ``steps`` maps a method's name to the step that
    proposed each of its trials (``AxSearch.nodes``); ``zoom`` is how far above
    the best loss the figure's close-up panel reaches (as in
    [`search_plots.best_so_far_figure()`][linreg.search_plots.best_so_far_figure]).

    Examples:
        >>> trials = {"grid": [Trial(1, {}, 0.4), Trial(2, {}, 0.1)],
        ...           "Ax": [Trial(1, {}, 0.2), Trial(2, {}, 0.3)]}
        >>> explorer = budget_explorer(trials, steps={"Ax": ["CenterOfSearchSpace", "MBM"]})
        >>> [entry["best"] for entry in explorer.runs]
        [[0.4, 0.2], [0.1, 0.2]]
        >>> explorer.leaders(1), explorer.leaders(2)
        (['Ax'], ['grid'])
    """
    if not isinstance(results, Mapping) or not results:
        raise TypeError("results must be a non-empty dict of method name -> list of Trial")
    steps = dict(steps or {})
    if not isinstance(steps, dict) or not set(steps) <= set(results):
        raise ValueError(f"steps must name methods of results {sorted(results)}, got {sorted(steps)}")
    if isinstance(zoom, bool) or not isinstance(zoom, numbers.Real) or not zoom > 1:
        raise ValueError(f"zoom must be a number greater than 1 (a factor above the best loss), got {zoom!r}")
    methods = []
    for name, trials in results.items():
        trials = _check_trials(trials, f"results[{name!r}]")
        if [t.number for t in trials] != list(range(1, len(trials) + 1)):
            raise ValueError(f"results[{name!r}] must hold trials 1, 2, ... in the order they ran")
        proposed = tuple(steps.get(name, ()))
        if proposed and (len(proposed) != len(trials) or not all(isinstance(s, str) for s in proposed)):
            raise ValueError(f"steps[{name!r}] must name one step (a string) per trial: {len(trials)}, "
                             f"got {len(proposed)}")
        methods.append(BudgetMethod(str(name), tuple(t.val_loss for t in trials), proposed))
    if len({len(m.losses) for m in methods}) != 1:
        raise ValueError("every method must have the same budget (number of trials), got "
                         + ", ".join(f"{m.name}: {len(m.losses)}" for m in methods))
    if not any(math.isfinite(v) for m in methods for v in m.losses):
        raise ValueError("every trial diverged: there is no best loss to show")
    budget = len(methods[0].losses)
    explorer = BudgetExplorer(title=title, controls=(Control("k", "Budget k", tuple(range(1, budget + 1))),),
                              methods=tuple(methods), zoom=float(zoom))
    _check_size(explorer)
    return explorer
