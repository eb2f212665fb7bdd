"""linreg: the library behind the linreg PyTorch tutorials.

Every tutorial page imports this package; one module per purpose:

* data: [`linreg.data`][linreg.data] (recipes), [`linreg.datasets`][linreg.datasets],
  [`linreg.digits`][linreg.digits];
* the lessons' own machinery: [`linreg.tensors`][linreg.tensors], [`linreg.scratch`][linreg.scratch],
  [`linreg.autograd_descent`][linreg.autograd_descent], [`linreg.surfaces`][linreg.surfaces] (loss surfaces),
  [`linreg.optimizer_paths`][linreg.optimizer_paths] (where optimizers walk across them),
  [`linreg.ddp_training`][linreg.ddp_training] and its launcher [`linreg.distributed`][linreg.distributed]
  (or `torchrun` and [`linreg.train_ddp`][linreg.train_ddp]),
  [`linreg.tuning`][linreg.tuning] and [`linreg.bayesian`][linreg.bayesian];
* models and training: [`linreg.models`][linreg.models], [`linreg.training`][linreg.training];
* media: [`linreg.plots`][linreg.plots] (kinds of figure), [`linreg.optimizer_plots`][linreg.optimizer_plots]
  (loss surfaces, optimizer paths, sweeps) and [`linreg.search_plots`][linreg.search_plots] (searches)
  in the house style of
  [`linreg.style`][linreg.style], shown by [`linreg.display`][linreg.display];
  [`linreg.animation`][linreg.animation], [`linreg.graphs`][linreg.graphs];
* the pages themselves: [`linreg.glue`][linreg.glue] (numbers cited in prose),
  [`linreg.tables`][linreg.tables] (Markdown tables),
  [`linreg.source`][linreg.source] (library code shown on the page that teaches it).

Results share one convention: a frozen dataclass (a record of what a run did,
which no later cell can change by accident) whose per-epoch or per-step series
are NumPy arrays (they index, slice, compare and plot like the data they came
from, and ``len()`` still counts epochs). The one exception,
[`linreg.training.History`][linreg.training.History], is filled in while
training runs, can be passed back to continue it, and holds plain lists so that
a checkpoint can carry it.

A notebook reads like a short story; the library does the work. Submodules are
imported on demand (``from linreg import plots``), so importing ``linreg`` alone
stays cheap.
"""

from linreg._checks import DivergedError

__all__ = ["DivergedError", "__version__"]
__version__ = "0.1.0"
