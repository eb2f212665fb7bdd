"""Images of handwritten digits for the autoencoder page, offline by default.

Two sources, one result ([`DigitImages`][linreg.digits.DigitImages]: flattened images scaled to
[-1, 1], integer labels, a seeded train/validation/test split):

* [`sklearn_digits()`][linreg.digits.sklearn_digits] — scikit-learn's 1,797 8×8 digits. They ship inside
  the scikit-learn wheel, so the site builds without a network.
* [`mnist()`][linreg.digits.mnist] — the real 28×28 MNIST, read from the four IDX files of the
  original distribution (plain or ``.gz``) in a directory you point at, or in
  ``$LINREG_MNIST_DIR``. Nothing is ever downloaded.

[`load_digit_images()`][linreg.digits.load_digit_images] picks MNIST when a directory is given or the
environment variable is set, and the 8×8 digits otherwise.

The IDX format (http://yann.lecun.com/exdb/mnist/): a big-endian header —
two zero bytes, a type code (``0x08`` = unsigned byte), the number of
dimensions — then one big-endian ``uint32`` per dimension, then the data, row
by row. So images start with the magic number ``0x00000803`` (bytes, 3 dims)
and labels with ``0x00000801`` (bytes, 1 dim).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from linreg._checks import check_fraction, check_non_negative_int, check_positive_number

__all__ = [
    "ENV_VAR",
    "IMAGES_MAGIC",
    "LABELS_MAGIC",
    "MNIST_FILES",
    "DigitImages",
    "IDXFormatError",
    "read_idx",
    "read_idx_images",
    "read_idx_labels",
    "scale_pixels",
    "tanh_error_floor",
    "sklearn_digits",
    "mnist",
    "load_digit_images",
]

ENV_VAR = "LINREG_MNIST_DIR"
"""Environment variable naming a directory with the four MNIST IDX files."""
IMAGES_MAGIC = 0x00000803
"""Magic number of an IDX file of unsigned bytes with 3 dimensions (images)."""
LABELS_MAGIC = 0x00000801
"""Magic number of an IDX file of unsigned bytes with 1 dimension (labels)."""
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
"""The four files of the MNIST distribution (each may also end in ``.gz``)."""

# IDX type code -> big-endian NumPy dtype
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class IDXFormatError(ValueError):
    """A file is not a valid IDX file (bad magic number, wrong size, truncated, not gzip)."""


@dataclass(frozen=True)
class DigitImages:
    """Flattened digit images in [-1, 1] with their labels, split three ways.

    ``x_*`` are float32 tensors of shape ``(N, height * width)``; ``labels_*``
    are int64 tensors of shape ``(N,)``; ``source`` says where the images came from;
    ``max_value`` is the raw pixel value of full ink, which became 1 (16 for the 8×8
    digits, 255 for MNIST): ``(x + 1) / 2 * max_value`` gives the raw pixels back.
    """

    x_train: torch.Tensor
    labels_train: torch.Tensor
    x_val: torch.Tensor
    labels_val: torch.Tensor
    x_test: torch.Tensor
    labels_test: torch.Tensor
    image_shape: tuple[int, int]
    source: str
    max_value: int

    @property
    def n_pixels(self) -> int:
        """Number of values per flattened image (64 for 8×8, 784 for 28×28)."""
        return self.image_shape[0] * self.image_shape[1]

    def summary(self) -> str:
        """One line: source, image size and split sizes."""
        h, w = self.image_shape
        return (f"{self.source}: {h}x{w} images, {len(self.x_train)} train / "
                f"{len(self.x_val)} validation / {len(self.x_test)} test")


# --- IDX files ---------------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: {path}")
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise IDXFormatError(
            f"{path} ends in .gz but is not a complete gzip file ({exc})"
        ) from exc


def read_idx(path: str | Path, *,
             expected_magic: int | None = None) -> np.ndarray:
    """Read an IDX file (plain or gzip-compressed ``.gz``) into a NumPy array.

    Raises [`IDXFormatError`][linreg.digits.IDXFormatError] naming the file if the magic number is not
    an IDX one (or not ``expected_magic``), or if the data is shorter or longer
    than the dimensions in the header say.

    Examples:
        >>> import tempfile, struct
        >>> path = Path(tempfile.mkdtemp()) / "labels-idx1-ubyte"
        >>> _ = path.write_bytes(
        ...     struct.pack(">II", LABELS_MAGIC, 3) + bytes([7, 2, 1]))
        >>> read_idx(path)
        array([7, 2, 1], dtype=uint8)
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise IDXFormatError(
            f"{path} is too short to be an IDX file: {len(raw)} bytes, "
            "the header alone needs 4"
        )
    (magic,) = struct.unpack(">I", raw[:4])
    zeros, type_code, ndim = magic >> 16, (magic >> 8) & 0xFF, magic & 0xFF
    if zeros != 0 or type_code not in _IDX_DTYPES or ndim == 0:
        raise IDXFormatError(
            f"{path} has magic number 0x{magic:08x}, which is not an IDX "
            f"header (expected 0x{IMAGES_MAGIC:08x} for images or "
            f"0x{LABELS_MAGIC:08x} for labels)"
        )
    if expected_magic is not None and magic != expected_magic:
        raise IDXFormatError(
            f"{path} has magic number 0x{magic:08x}, "
            f"expected 0x{expected_magic:08x}"
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise IDXFormatError(
            f"{path} is truncated inside its header: {ndim} dimensions need "
            f"{header_size} bytes, found {len(raw)}"
        )
    dims = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = np.dtype(_IDX_DTYPES[type_code])
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header_size
    if found != expected:
        problem = "truncated" if found < expected else "has the wrong size"
        raise IDXFormatError(
            f"{path} {problem}: dimensions {dims} need {expected} data bytes, "
            f"found {found}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(dims)
    # native byte order, and a writable copy
    return data.astype(dtype.newbyteorder("="))


def read_idx_images(path: str | Path) -> np.ndarray:
    """Read an IDX image file (magic ``0x00000803``): uint8 array of shape
    ``(N, rows, cols)``.

    Examples:
        >>> import tempfile, struct
        >>> path = Path(tempfile.mkdtemp()) / "images-idx3-ubyte"
        >>> _ = path.write_bytes(struct.pack(">IIII", IMAGES_MAGIC, 1, 2, 2)
        ...                      + bytes([0, 255, 255, 0]))
        >>> read_idx_images(path).shape
        (1, 2, 2)
    """
    return read_idx(path, expected_magic=IMAGES_MAGIC)


def read_idx_labels(path: str | Path) -> np.ndarray:
    """Read an IDX label file (magic ``0x00000801``): uint8 array of shape ``(N,)``.

    Examples:
        >>> import tempfile, struct
        >>> path = Path(tempfile.mkdtemp()) / "labels-idx1-ubyte"
        >>> _ = path.write_bytes(struct.pack(">II", LABELS_MAGIC, 2) + bytes([3, 9]))
        >>> read_idx_labels(path).tolist()
        [3, 9]
    """
    return read_idx(path, expected_magic=LABELS_MAGIC)


def _find_mnist_files(directory: Path) -> dict[str, Path]:
    expected = ", ".join(f"{name}[.gz]" for name in MNIST_FILES.values())
    if not directory.is_dir():
        raise FileNotFoundError(f"MNIST directory not found: {directory}. Expected a directory holding the four "
                                f"files of the original distribution: {expected}")
    found, missing = {}, []
    for key, name in MNIST_FILES.items():
        candidates = [directory / name, directory / f"{name}.gz"]
        existing = [p for p in candidates if p.is_file()]
        if existing:
            found[key] = existing[0]
        else:
            missing.append(name)
    if missing:
        raise FileNotFoundError(
            f"MNIST directory {directory} lacks {', '.join(missing)} (plain or .gz). "
            f"Expected the four files of the original distribution: {expected}"
        )
    return found


# --- scaling and splitting ---------------------------------------------------------------------


def scale_pixels(images, max_value: float, low: float = -1.0,
                 high: float = 1.0) -> torch.Tensor:
    """Map pixel values from ``[0, max_value]`` to ``[low, high]`` (default
    [-1, 1]), as float32.

    [-1, 1] matches a ``tanh`` output layer: every target pixel is a value the
    model can produce or approach (tanh reaches ±1 only in the limit, or by
    float32 rounding).

    Examples:
        >>> scale_pixels(np.array([0, 8, 16]), max_value=16)
        tensor([-1.,  0.,  1.])
    """
    max_value = check_positive_number("max_value", max_value)
    if not high > low:
        raise ValueError(
            f"high must be greater than low, got low={low!r}, high={high!r}"
        )
    pixels = torch.as_tensor(np.asarray(images), dtype=torch.float32)
    return low + (high - low) * pixels / max_value


def tanh_error_floor(targets: torch.Tensor) -> float:
    """The mean squared error no ``tanh`` output can get below on ``targets``.

    ``tanh`` outputs lie in the open interval (-1, 1): for a target above 1 the
    best it can do is come ever closer to 1 (below -1, to -1), so the floor is
    the mean squared distance of the targets from [-1, 1]. It is 0 for pixels
    scaled to [-1, 1] (or [0, 1]) and huge for raw pixel values.

    Examples:
        >>> tanh_error_floor(torch.tensor([0.5, 3.0]))
        2.0
    """
    if not isinstance(targets, torch.Tensor):
        raise TypeError(
            f"targets must be a torch.Tensor, got {type(targets).__name__}"
        )
    targets = targets.float()
    return float(((targets - targets.clamp(-1, 1)) ** 2).mean())


def _split(n: int, fractions: tuple[float, float], seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.random.RandomState(seed).permutation(n)
    n_val, n_test = (int(round(f * n)) for f in fractions)
    return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]


def sklearn_digits(seed: int = 0, val_fraction: float = 0.15,
                   test_fraction: float = 0.15) -> DigitImages:
    """scikit-learn's 1,797 handwritten 8×8 digits, scaled to [-1, 1],
    flattened and split.

    The pixel values run from 0 to 16; a ``RandomState(seed)`` permutation
    picks the validation and test images.

    Examples:
        >>> data = sklearn_digits(seed=0)
        >>> data.image_shape, tuple(data.x_train.shape)
        ((8, 8), (1257, 64))
    """
    from sklearn.datasets import load_digits

    check_non_negative_int("seed", seed)
    check_fraction("val_fraction", val_fraction)
    check_fraction("test_fraction", test_fraction)
    if val_fraction + test_fraction >= 1:
        raise ValueError(
            "val_fraction + test_fraction must be below 1 to leave training "
            f"images, got {val_fraction} + {test_fraction}"
        )
    # images (1797, 8, 8) with values 0..16, target (1797,)
    bundle = load_digits()
    x = scale_pixels(  # (1797, 64)
        bundle.images.reshape(len(bundle.images), -1), max_value=16
    )
    labels = torch.as_tensor(bundle.target, dtype=torch.int64)
    train, val, test = _split(len(x), (val_fraction, test_fraction), seed)
    return DigitImages(
        x[train], labels[train], x[val], labels[val], x[test], labels[test],
        image_shape=(8, 8), source="scikit-learn digits", max_value=16,
    )


def mnist(directory: str | Path | None = None, seed: int = 0,
          val_fraction: float = 1 / 6) -> DigitImages:
    """Real MNIST from its four IDX files in ``directory`` (default:
    ``$LINREG_MNIST_DIR``).

    The 60,000 training images are split into training and validation
    (``val_fraction``, seeded); the 10,000 ``t10k`` images are the test set.
    Pixels 0..255 are scaled to [-1, 1] and each 28×28 image flattened to 784
    values. Nothing is downloaded: a missing directory or file raises
    ``FileNotFoundError`` naming the path and the expected file names, a
    damaged file [`IDXFormatError`][linreg.digits.IDXFormatError].

    Examples:
        >>> data = mnist("~/data/mnist")  # doctest: +SKIP
        >>> data.image_shape  # doctest: +SKIP
        (28, 28)
    """
    check_non_negative_int("seed", seed)
    check_fraction("val_fraction", val_fraction)
    if directory is None:
        directory = os.environ.get(ENV_VAR)
        if not directory:
            raise FileNotFoundError(
                "no MNIST directory given: pass directory=... "
                f"or set ${ENV_VAR}"
            )
    directory = Path(directory).expanduser()
    files = _find_mnist_files(directory)
    arrays, shapes = {}, set()
    for split in ("train", "test"):
        images = read_idx_images(files[f"{split}_images"])  # (N, 28, 28) uint8
        shapes.add(images.shape[1:])
        labels = read_idx_labels(files[f"{split}_labels"])  # (N,) uint8
        if len(images) != len(labels):
            raise IDXFormatError(
                f"{files[f'{split}_images']} holds {len(images)} images but "
                f"{files[f'{split}_labels']} holds {len(labels)} labels"
            )
        arrays[split] = (
            # (N, 784)
            scale_pixels(images.reshape(len(images), -1), max_value=255),
            torch.as_tensor(labels, dtype=torch.int64),
        )
    if len(shapes) != 1:
        raise IDXFormatError(
            f"training and test images in {directory} differ in size: "
            f"{sorted(shapes)}"
        )
    image_shape = tuple(int(d) for d in shapes.pop())  # (rows, cols)
    (x, labels), (x_test, labels_test) = arrays["train"], arrays["test"]
    train, val, _ = _split(len(x), (val_fraction, 0.0), seed)
    return DigitImages(
        x[train], labels[train], x[val], labels[val], x_test, labels_test,
        image_shape=image_shape, source=f"MNIST from {directory}",
        max_value=255,
    )


def load_digit_images(seed: int = 0,
                      mnist_dir: str | Path | None = None) -> DigitImages:
    """MNIST if ``mnist_dir`` is given or ``$LINREG_MNIST_DIR`` is set, else
    the 8×8 scikit-learn digits.

    Examples:
        >>> data = load_digit_images(seed=0)  # with LINREG_MNIST_DIR unset
        >>> data.source  # doctest: +SKIP
        'scikit-learn digits'
    """
    if mnist_dir is not None or os.environ.get(ENV_VAR):
        return mnist(mnist_dir, seed=seed)
    return sklearn_digits(seed=seed)
