"""linreg: the library behind the linreg PyTorch tutorials.

Every tutorial page imports this package; one module per purpose:

* data: :mod:`linreg.data` (recipes), :mod:`linreg.datasets`, :mod:`linreg.digits`;
* the lessons' own machinery: :mod:`linreg.tensors`, :mod:`linreg.scratch`,
  :mod:`linreg.torch_gd`, :mod:`linreg.surfaces`, :mod:`linreg.distributed`;
* models and training: :mod:`linreg.models`, :mod:`linreg.training`;
* media: :mod:`linreg.plots`, :mod:`linreg.animation`, :mod:`linreg.graphs`.

A notebook reads like a short story; the library does the work. Submodules are
imported on demand (``from linreg import plots``), so importing ``linreg`` alone
stays cheap.
"""

from linreg._checks import DivergedError

__all__ = ["DivergedError", "__version__"]
__version__ = "0.1.0"
