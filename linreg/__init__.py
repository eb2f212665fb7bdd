"""linreg: the library behind the linreg PyTorch tutorials.

Every tutorial page imports this package; one module per purpose:

* data: [`linreg.data`][linreg.data] (recipes), [`linreg.datasets`][linreg.datasets],
  [`linreg.digits`][linreg.digits];
* the lessons' own machinery: [`linreg.tensors`][linreg.tensors], [`linreg.scratch`][linreg.scratch],
  [`linreg.torch_gd`][linreg.torch_gd], [`linreg.surfaces`][linreg.surfaces],
  [`linreg.distributed`][linreg.distributed], [`linreg.tuning`][linreg.tuning];
* models and training: [`linreg.models`][linreg.models], [`linreg.training`][linreg.training];
* media: [`linreg.plots`][linreg.plots] (kinds of figure) in the house style of
  [`linreg.style`][linreg.style], shown by [`linreg.display`][linreg.display];
  [`linreg.animation`][linreg.animation], [`linreg.graphs`][linreg.graphs];
* the pages themselves: [`linreg.glue`][linreg.glue] (numbers cited in prose),
  [`linreg.source`][linreg.source] (library code shown on the page that teaches it).

A notebook reads like a short story; the library does the work. Submodules are
imported on demand (``from linreg import plots``), so importing ``linreg`` alone
stays cheap.
"""

from linreg._checks import DivergedError

__all__ = ["DivergedError", "__version__"]
__version__ = "0.1.0"
