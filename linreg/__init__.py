"""linreg: the library behind the linreg PyTorch tutorials.

Every tutorial page imports this package: data recipes (:mod:`linreg.data`),
models (:mod:`linreg.models`), training helpers (:mod:`linreg.training`),
figures (:mod:`linreg.plots`), animations (:mod:`linreg.animation`) and
autograd graphs (:mod:`linreg.graphs`). A notebook reads like a short story;
the library does the work.
"""

from linreg._checks import DivergedError

__all__ = ["DivergedError", "__version__"]
__version__ = "0.1.0"
