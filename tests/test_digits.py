"""linreg.digits: IDX parsing on files written here, MNIST discovery and errors, the 8x8 digits, training."""

import gzip
import struct

import numpy as np
import pytest
import torch

from linreg import digits

# --- helpers: write real IDX files byte by byte (not with linreg, so the parser is checked independently)


def idx_images_bytes(images: np.ndarray) -> bytes:
    n, rows, cols = images.shape
    return struct.pack(">IIII", 0x00000803, n, rows, cols) + images.astype(np.uint8).tobytes()


def idx_labels_bytes(labels: np.ndarray) -> bytes:
    return struct.pack(">II", 0x00000801, len(labels)) + labels.astype(np.uint8).tobytes()


def write_mnist(directory, *, n_train=12, n_test=4, size=28, compress=False):
    """A tiny fake MNIST: image k is filled with the value 20 * label, label k = k % 10."""
    rng = np.random.RandomState(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = np.arange(n) % 10
        images = np.repeat((20 * labels)[:, None, None], size * size, axis=1).reshape(n, size, size)
        images = images + rng.randint(0, 5, size=images.shape)
        for name, payload in ((f"{prefix}-images-idx3-ubyte", idx_images_bytes(images)),
                              (f"{prefix}-labels-idx1-ubyte", idx_labels_bytes(labels))):
            if compress:
                (directory / f"{name}.gz").write_bytes(gzip.compress(payload))
            else:
                (directory / name).write_bytes(payload)
    return directory


# --- read_idx


def test_read_idx_images_parses_a_plain_file(tmp_path):
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(idx_images_bytes(images))
    result = digits.read_idx_images(path)
    assert result.dtype == np.uint8 and result.shape == (2, 3, 4)
    assert np.array_equal(result, images)


def test_read_idx_images_parses_a_gzipped_file(tmp_path):
    images = np.arange(2 * 2 * 2).reshape(2, 2, 2) * 30
    path = tmp_path / "images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_images_bytes(images)))
    assert np.array_equal(digits.read_idx_images(path), images)


def test_read_idx_labels_parses_labels(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(idx_labels_bytes(np.array([5, 0, 4, 1, 9])))
    assert digits.read_idx_labels(path).tolist() == [5, 0, 4, 1, 9]


def test_read_idx_reads_big_endian_wider_types(tmp_path):
    path = tmp_path / "ints-idx1-int"
    path.write_bytes(struct.pack(">I", 0x00000C01) + struct.pack(">I", 2) + struct.pack(">ii", 1000, -7))
    assert digits.read_idx(path).tolist() == [1000, -7]


def test_read_idx_rejects_a_bad_magic_number_naming_the_file(tmp_path):
    path = tmp_path / "bad-idx3-ubyte"
    path.write_bytes(struct.pack(">IIII", 0x12345678, 1, 1, 1) + b"\x00")
    with pytest.raises(digits.IDXFormatError, match=r"bad-idx3-ubyte.*0x12345678"):
        digits.read_idx(path)


def test_read_idx_images_rejects_a_label_file(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(idx_labels_bytes(np.array([1, 2])))
    with pytest.raises(digits.IDXFormatError, match="expected 0x00000803"):
        digits.read_idx_images(path)


def test_read_idx_rejects_truncated_data(tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(idx_images_bytes(np.zeros((2, 4, 4)))[:-5])
    with pytest.raises(digits.IDXFormatError, match=r"truncated: dimensions \(2, 4, 4\) need 32 data bytes, found 27"):
        digits.read_idx_images(path)


def test_read_idx_rejects_extra_bytes_as_the_wrong_size(tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(idx_images_bytes(np.zeros((1, 2, 2))) + b"\x00\x00")
    with pytest.raises(digits.IDXFormatError, match="wrong size"):
        digits.read_idx_images(path)


def test_read_idx_rejects_a_header_cut_short(tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(struct.pack(">II", 0x00000803, 2))
    with pytest.raises(digits.IDXFormatError, match="truncated inside its header"):
        digits.read_idx_images(path)


def test_read_idx_rejects_a_file_shorter_than_the_magic_number(tmp_path):
    path = tmp_path / "empty-idx1-ubyte"
    path.write_bytes(b"\x00")
    with pytest.raises(digits.IDXFormatError, match="too short"):
        digits.read_idx(path)


def test_read_idx_rejects_a_gz_file_that_is_not_gzip(tmp_path):
    path = tmp_path / "images-idx3-ubyte.gz"
    path.write_bytes(idx_images_bytes(np.zeros((1, 2, 2))))
    with pytest.raises(digits.IDXFormatError, match="not a complete gzip file"):
        digits.read_idx_images(path)


def test_read_idx_rejects_a_truncated_gzip_file(tmp_path):
    path = tmp_path / "images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_images_bytes(np.zeros((4, 8, 8))))[:-12])
    with pytest.raises(digits.IDXFormatError, match="gzip"):
        digits.read_idx_images(path)


def test_read_idx_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing-idx3-ubyte"):
        digits.read_idx(tmp_path / "nothing-idx3-ubyte")


# --- mnist


@pytest.mark.parametrize("compress", [False, True])
def test_mnist_loads_a_directory_of_idx_files(tmp_path, compress):
    data = digits.mnist(write_mnist(tmp_path, compress=compress), seed=0, val_fraction=0.25)
    assert data.image_shape == (28, 28) and data.n_pixels == 784
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (9, 3, 4)
    assert data.x_train.shape == (9, 784) and data.x_train.dtype == torch.float32
    assert data.labels_test.tolist() == [0, 1, 2, 3]


def test_mnist_scales_pixels_0_to_255_into_minus_1_to_1(tmp_path):
    directory = tmp_path
    images = np.array([[[0, 255], [51, 204]]])
    for prefix in ("train", "t10k"):
        (directory / f"{prefix}-images-idx3-ubyte").write_bytes(idx_images_bytes(np.repeat(images, 6, axis=0)))
        (directory / f"{prefix}-labels-idx1-ubyte").write_bytes(idx_labels_bytes(np.zeros(6)))
    data = digits.mnist(directory, val_fraction=0.5)
    assert torch.allclose(data.x_test[0], torch.tensor([-1.0, 1.0, -0.6, 0.6]))


def test_mnist_reads_the_directory_from_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("LINREG_MNIST_DIR", str(write_mnist(tmp_path)))
    assert digits.mnist().source == f"MNIST from {tmp_path}"
    assert digits.load_digit_images().image_shape == (28, 28)


def test_load_digit_images_uses_the_8x8_digits_without_the_environment_variable(monkeypatch):
    monkeypatch.delenv("LINREG_MNIST_DIR", raising=False)
    assert digits.load_digit_images().image_shape == (8, 8)


def test_mnist_split_is_reproducible_for_a_seed(tmp_path):
    directory = write_mnist(tmp_path)
    assert torch.equal(digits.mnist(directory, seed=1).labels_val, digits.mnist(directory, seed=1).labels_val)


def test_mnist_names_the_directory_and_the_expected_files_when_some_are_missing(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError) as error:
        digits.mnist(tmp_path)
    message = str(error.value)
    assert str(tmp_path) in message and "lacks t10k-labels-idx1-ubyte" in message
    assert all(name in message for name in digits.MNIST_FILES.values())


def test_mnist_names_a_missing_directory_and_the_files_it_should_hold(tmp_path):
    with pytest.raises(FileNotFoundError, match="MNIST directory not found: .*nowhere") as error:
        digits.mnist(tmp_path / "nowhere")
    assert all(name in str(error.value) for name in digits.MNIST_FILES.values())


def test_each_source_says_which_raw_pixel_value_became_1(tmp_path):
    data = digits.sklearn_digits(seed=0)
    assert data.max_value == 16
    raw = (data.x_train + 1) / 2 * data.max_value
    assert raw.min().item() == 0 and raw.max().item() == 16
    assert torch.equal(raw, raw.round())  # whole numbers again
    assert digits.mnist(write_mnist(tmp_path)).max_value == 255


def test_mnist_without_a_directory_or_environment_variable_says_how_to_give_one(monkeypatch):
    monkeypatch.delenv("LINREG_MNIST_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match="LINREG_MNIST_DIR"):
        digits.mnist()


def test_mnist_rejects_image_and_label_counts_that_differ(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_labels_bytes(np.zeros(5)))
    with pytest.raises(digits.IDXFormatError, match="12 images but .* 5 labels"):
        digits.mnist(tmp_path)


def test_mnist_reports_a_corrupt_file_by_name(tmp_path):
    write_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(digits.IDXFormatError, match="train-images-idx3-ubyte truncated"):
        digits.mnist(tmp_path)


# --- the 8x8 digits and scaling


def test_sklearn_digits_are_flattened_8x8_images_scaled_to_minus_1_to_1():
    data = digits.sklearn_digits(seed=0)
    assert data.image_shape == (8, 8) and data.x_train.shape[1] == 64
    for x in (data.x_train, data.x_val, data.x_test):
        assert x.dtype == torch.float32
        assert x.min().item() == -1.0 and x.max().item() == 1.0


def test_sklearn_digits_split_uses_every_image_once():
    data = digits.sklearn_digits(seed=0)
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (1257, 270, 270)
    labels = torch.cat([data.labels_train, data.labels_val, data.labels_test])
    assert torch.equal(torch.bincount(labels), torch.bincount(torch.as_tensor(__import__("sklearn.datasets").datasets
                                                                            .load_digits().target)))


def test_sklearn_digits_split_depends_on_the_seed_only():
    assert torch.equal(digits.sklearn_digits(seed=2).x_val, digits.sklearn_digits(seed=2).x_val)
    assert not torch.equal(digits.sklearn_digits(seed=2).x_val, digits.sklearn_digits(seed=3).x_val)


def test_sklearn_digits_rejects_fractions_leaving_no_training_images():
    with pytest.raises(ValueError, match="val_fraction \\+ test_fraction"):
        digits.sklearn_digits(val_fraction=0.5, test_fraction=0.5)


def test_scale_pixels_maps_0_and_max_to_the_ends_of_the_range():
    assert torch.equal(digits.scale_pixels(np.array([0, 255]), 255), torch.tensor([-1.0, 1.0]))
    assert torch.equal(digits.scale_pixels(np.array([0, 16]), 16, low=0, high=1), torch.tensor([0.0, 1.0]))


def test_scale_pixels_rejects_a_non_positive_max_value():
    with pytest.raises(ValueError, match="max_value"):
        digits.scale_pixels(np.array([1]), 0)


def test_tanh_error_floor_is_zero_inside_minus_1_to_1_and_the_squared_overshoot_outside():
    assert digits.tanh_error_floor(torch.tensor([-1.0, 0.0, 1.0])) == 0.0
    assert digits.tanh_error_floor(torch.tensor([3.0, -2.0])) == pytest.approx((4 + 1) / 2)


# --- page 10 on MNIST


def test_the_autoencoder_page_runs_unchanged_on_mnist_files(tmp_path, monkeypatch):
    """Page 10 says every one of its cells runs on MNIST once LINREG_MNIST_DIR is set, except the code-plane
    explorable's, which stops with an error that says why (and the cell that records its numbers): run them
    on a small MNIST written here (60 training and 20 test images of 28x28 pixels)."""
    import json
    from pathlib import Path

    page = Path(__file__).resolve().parent.parent / "docs" / "tutorials" / "10-autoencoders.ipynb"
    cells = [cell for cell in json.loads(page.read_text())["cells"]
             if cell["cell_type"] == "code" and "colab-setup" not in cell["metadata"].get("tags", [])]
    monkeypatch.setenv("LINREG_MNIST_DIR", str(write_mnist(tmp_path, n_train=60, n_test=20)))
    from IPython.display import display

    namespace: dict = {"display": display}  # a builtin in Jupyter and Colab, where the page runs
    skip_record = False
    for number, cell in enumerate(cells):
        source = "".join(cell["source"])
        if skip_record and "record" in cell["metadata"].get("tags", []):
            skip_record = False
            continue
        if "latent_explorer.latent_explorer(" in source:  # 21 x 21 decodes of 28x28 pixels exceed a page's budget
            with pytest.raises(ValueError, match=r"too large for a page.*the 8×8 digits fit"):
                exec(compile(source, f"page 10, code cell {number}", "exec"), namespace)
            skip_record = True
            continue
        exec(compile(source, f"page 10, code cell {number}", "exec"), namespace)
    data = namespace["data"]
    assert data.source == f"MNIST from {tmp_path}" and data.image_shape == (28, 28) and data.max_value == 255
    assert namespace["model"].n_inputs == 784 and namespace["ratio"] == 784 / 8
    assert namespace["raw"].x_train.max() <= 255  # Exercise 3's raw pixels on MNIST's scale
