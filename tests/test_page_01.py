"""The claims page 1 (tensors) makes in its prose, checked against PyTorch and linreg."""

import numpy as np
import pytest
import torch

from linreg import tensors


def test_torch_tensor_infers_int64_from_ints_and_float32_from_floats():
    assert torch.tensor([1, 2, 3]).dtype == torch.int64
    assert torch.tensor([1.0, 2.0]).dtype == torch.float32


def test_arange_stops_before_the_end_and_linspace_includes_it():
    assert torch.arange(0, 1, 0.25)[-1].item() == 0.75
    assert torch.linspace(0, 1, 5)[-1].item() == 1.0


def test_a_seeded_generator_reproduces_the_global_seed():
    torch.manual_seed(42)
    expected = torch.rand(2, 3)
    assert torch.equal(torch.rand(2, 3, generator=torch.Generator().manual_seed(42)), expected)


def test_slices_are_views_and_masks_are_copies():
    x = torch.arange(12).view(3, 4)
    assert tensors.shares_memory(x, x[:, 2])
    assert not tensors.shares_memory(x, x[x % 2 == 0])


def test_add_underscore_returns_the_same_tensor_and_add_a_new_one():
    a, b = torch.ones(3), torch.arange(3.0)
    assert a.add(b) is not a
    assert a.add_(b) is a


def test_out_writes_into_the_existing_memory():
    result = torch.empty(3)
    address = result.data_ptr()
    torch.add(torch.ones(3), torch.arange(3.0), out=result)
    assert result.data_ptr() == address
    assert result.tolist() == [1.0, 2.0, 3.0]


def test_an_in_place_op_cannot_change_the_dtype():
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.ones(3, dtype=torch.int64).add_(0.5)


def test_view_refuses_a_shape_that_does_not_divide_the_elements():
    with pytest.raises(RuntimeError, match=r"invalid for input of size 12"):
        torch.arange(12.0).view(5, -1)


def test_view_of_a_transpose_fails_and_reshape_copies():
    x = torch.arange(6.0).view(2, 3)
    assert not x.t().is_contiguous()
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        x.t().view(-1)
    assert not tensors.shares_memory(x, x.t().reshape(-1))
    assert tensors.shares_memory(x, x.reshape(-1))


def test_contiguous_then_view_gives_an_independent_row_order_copy():
    x = torch.arange(6.0).view(2, 3)
    flat = x.t().contiguous().view(-1)
    assert flat.tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    assert not tensors.shares_memory(x, flat)


def test_numpy_arrays_default_to_float64_which_a_linear_layer_refuses():
    features = np.random.RandomState(42).rand(4, 1)
    assert torch.from_numpy(features).dtype == torch.float64
    with pytest.raises(RuntimeError, match="same dtype"):
        torch.nn.Linear(1, 1)(torch.from_numpy(features))
    assert torch.nn.Linear(1, 1)(torch.from_numpy(features).float()).shape == (4, 1)


def test_numpy_refuses_a_tensor_that_requires_grad_and_detach_fixes_it():
    prediction = torch.ones(3, requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        prediction.numpy()
    assert prediction.detach().numpy().tolist() == [2.0, 2.0, 2.0]


def test_numpy_refuses_a_tensor_outside_cpu_memory_and_names_cpu():
    with pytest.raises(TypeError, match=r"Use Tensor.cpu\(\)"):
        torch.ones(3, device="meta").numpy()


def test_cpu_and_to_on_the_same_device_return_the_tensor_itself():
    x = torch.arange(3.0)
    assert x.cpu() is x
    assert x.to("cpu") is x


def test_float16_overflows_where_bfloat16_does_not():
    big = torch.tensor(70000.0)
    assert big.half().item() == float("inf")
    assert np.isfinite(big.bfloat16().item())


def test_bfloat16_loses_precision_that_float16_keeps():
    close_to_one = torch.tensor(1.001)
    assert close_to_one.bfloat16().item() == 1.0
    assert close_to_one.half().item() > 1.0


def test_long_truncates_toward_zero():
    assert torch.tensor([1.7, -1.7]).long().tolist() == [1, -1]


def test_exercise_bytes_per_dtype():
    sizes = [torch.zeros(1000, 1000, dtype=d).element_size() * 10**6 for d in (torch.float32, torch.bfloat16,
                                                                              torch.int8)]
    assert sizes == [4_000_000, 2_000_000, 1_000_000]
