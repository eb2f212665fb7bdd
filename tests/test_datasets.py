"""Specification of linreg.datasets and recipe B (linreg.data.gaussian_line_data)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from linreg.data import gaussian_line_data
from linreg.datasets import AugmentedLineDataset, LineDataset, make_loader, seed_worker, seeded_split

# --------------------------------------------------------------------------- recipe B


def test_gaussian_line_data_reproduces_the_classic_manual_seed_recipe():
    x, y = gaussian_line_data()
    state = torch.random.get_rng_state()
    torch.manual_seed(420)
    classic_x = torch.randn(200)
    classic_y = 1.5 + 2.0 * classic_x + 0.1 * torch.randn(200)
    torch.random.set_rng_state(state)
    assert torch.equal(x.view(-1), classic_x) and torch.equal(y.view(-1), classic_y)


def test_gaussian_line_data_returns_float32_columns():
    x, y = gaussian_line_data()
    assert x.shape == y.shape == (200, 1) and x.dtype == torch.float32


def test_gaussian_line_data_leaves_the_global_random_state_alone():
    state = torch.random.get_rng_state()
    gaussian_line_data()
    assert torch.equal(state, torch.random.get_rng_state())


def test_gaussian_line_data_rejects_negative_noise_and_bad_sizes():
    with pytest.raises(ValueError, match="noise"):
        gaussian_line_data(noise=-1)
    with pytest.raises(ValueError, match="n"):
        gaussian_line_data(n=0)


# --------------------------------------------------------------------------- LineDataset


def test_line_dataset_has_one_sample_per_point():
    assert len(LineDataset(*gaussian_line_data())) == 200


def test_line_dataset_returns_the_pair_at_an_index():
    x, y = gaussian_line_data()
    sample_x, sample_y = LineDataset(x, y)[7]
    assert torch.equal(sample_x, x[7]) and torch.equal(sample_y, y[7])


def test_line_dataset_counts_negative_indices_from_the_end():
    x, y = gaussian_line_data()
    assert torch.equal(LineDataset(x, y)[-1][0], x[-1])


@pytest.mark.parametrize("index", [200, -201, 10**6])
def test_line_dataset_raises_index_error_out_of_range(index):
    with pytest.raises(IndexError, match="out of range"):
        LineDataset(*gaussian_line_data())[index]


def test_line_dataset_iteration_stops_at_the_end():
    assert len(list(LineDataset(torch.arange(3.0), torch.arange(3.0)))) == 3


def test_line_dataset_accepts_numpy_and_torch_integer_indices():
    dataset = LineDataset(torch.arange(3.0), torch.arange(3.0))
    assert dataset[np.int64(2)][0].item() == dataset[torch.tensor(2)][0].item() == 2.0


def test_line_dataset_rejects_a_float_index():
    with pytest.raises(TypeError, match="index"):
        LineDataset(torch.arange(3.0), torch.arange(3.0))[1.0]


def test_line_dataset_slices_like_tensor_dataset():
    x, y = gaussian_line_data()
    ours, theirs = LineDataset(x, y)[:10], TensorDataset(x, y)[:10]
    assert all(torch.equal(a, b) for a, b in zip(ours, theirs, strict=True))


def test_line_dataset_keeps_float32_cpu_columns():
    dataset = LineDataset(np.arange(4), np.arange(4))
    assert dataset.x.shape == (4, 1) and dataset.x.dtype == torch.float32 and dataset.x.device.type == "cpu"


def test_line_dataset_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same number"):
        LineDataset(torch.zeros(3), torch.zeros(4))


def test_line_dataset_rejects_empty_or_3d_inputs():
    with pytest.raises(ValueError, match="empty"):
        LineDataset(torch.zeros(0), torch.zeros(0))
    with pytest.raises(ValueError, match="shape"):
        LineDataset(torch.zeros(2, 1, 1), torch.zeros(2))


def test_line_dataset_batches_have_shape_batch_by_one():
    x_batch, y_batch = next(iter(DataLoader(LineDataset(*gaussian_line_data()), batch_size=16)))
    assert x_batch.shape == y_batch.shape == (16, 1)


# --------------------------------------------------------------------------- seeded_split


def test_seeded_split_makes_subsets_of_the_given_sizes():
    train, test = seeded_split(LineDataset(*gaussian_line_data()), [160, 40], seed=42)
    assert (len(train), len(test)) == (160, 40)


def test_seeded_split_is_a_partition():
    train, test = seeded_split(LineDataset(*gaussian_line_data()), [160, 40], seed=42)
    assert sorted(train.indices + test.indices) == list(range(200))


def test_seeded_split_depends_only_on_the_seed():
    dataset = LineDataset(*gaussian_line_data())
    first = seeded_split(dataset, [160, 40], seed=42)[1].indices
    torch.manual_seed(0)  # the global state must not matter
    assert seeded_split(dataset, [160, 40], seed=42)[1].indices == first
    assert seeded_split(dataset, [160, 40], seed=43)[1].indices != first


def test_seeded_split_accepts_fractions():
    train, test = seeded_split(LineDataset(*gaussian_line_data()), [0.8, 0.2], seed=0)
    assert (len(train), len(test)) == (160, 40)


def test_seeded_split_rejects_lengths_that_do_not_add_up():
    with pytest.raises(ValueError, match="add up"):
        seeded_split(LineDataset(*gaussian_line_data()), [100, 40], seed=0)


def test_seeded_split_rejects_a_bad_seed_and_a_bad_dataset():
    with pytest.raises(ValueError, match="seed"):
        seeded_split(LineDataset(*gaussian_line_data()), [160, 40], seed=-1)
    with pytest.raises(TypeError, match="dataset"):
        seeded_split(42, [1], seed=0)


# --------------------------------------------------------------------------- loaders and workers


def _epoch_order(loader):
    return torch.cat([x for x, _ in loader]).view(-1).tolist()


def test_make_loader_shuffles_the_same_way_for_the_same_seed():
    dataset = LineDataset(torch.arange(32.0), torch.arange(32.0))
    assert _epoch_order(make_loader(dataset, seed=3)) == _epoch_order(make_loader(dataset, seed=3))
    assert _epoch_order(make_loader(dataset, seed=3)) != _epoch_order(make_loader(dataset, seed=4))


def test_make_loader_shuffles_each_epoch_differently():
    loader = make_loader(LineDataset(torch.arange(32.0), torch.arange(32.0)), seed=3)
    assert _epoch_order(loader) != _epoch_order(loader)


def test_make_loader_without_shuffle_keeps_the_order():
    loader = make_loader(LineDataset(torch.arange(8.0), torch.arange(8.0)), batch_size=3, shuffle=False)
    assert _epoch_order(loader) == list(range(8))


@pytest.mark.parametrize("kwargs, name", [({"batch_size": 0}, "batch_size"), ({"seed": -1}, "seed"),
                                          ({"num_workers": -1}, "num_workers"), ({"shuffle": "yes"}, "shuffle")])
def test_make_loader_rejects_bad_arguments(kwargs, name):
    with pytest.raises((TypeError, ValueError), match=name):
        make_loader(LineDataset(torch.arange(8.0), torch.arange(8.0)), **kwargs)


def _jitters(loader):
    return [x.view(-1).tolist() for x, _ in loader]  # one batch per worker (batch i -> worker i % 2)


def test_a_dataset_owned_generator_repeats_across_workers_without_seed_worker():
    dataset = AugmentedLineDataset(torch.zeros(8), torch.zeros(8), jitter=1.0, seed=0)
    first, second = _jitters(DataLoader(dataset, batch_size=4, num_workers=2))
    assert first == second  # the pitfall: both workers drew the same "random" numbers


def test_seed_worker_gives_each_worker_different_and_reproducible_noise():
    dataset = AugmentedLineDataset(torch.zeros(8), torch.zeros(8), jitter=1.0, seed=0)
    run = _jitters(make_loader(dataset, batch_size=4, shuffle=False, seed=5, num_workers=2))
    assert run[0] != run[1]
    assert run == _jitters(make_loader(dataset, batch_size=4, shuffle=False, seed=5, num_workers=2))


def test_seed_worker_seeds_numpy_from_the_torch_seed_in_the_main_process():
    state = np.random.get_state()
    try:
        seed_worker(0)
        expected = np.random.RandomState(torch.initial_seed() % 2**32).rand()
        assert np.random.rand() == expected
    finally:
        np.random.set_state(state)


def test_seed_worker_rejects_a_negative_worker_id():
    with pytest.raises(ValueError, match="worker_id"):
        seed_worker(-1)


def test_augmented_dataset_jitters_x_and_keeps_y():
    dataset = AugmentedLineDataset(torch.zeros(4), torch.ones(4), jitter=0.5, seed=1)
    x, y = dataset[0]
    assert x.item() != 0.0 and y.item() == 1.0


def test_augmented_dataset_without_jitter_returns_the_plain_samples():
    dataset = AugmentedLineDataset(torch.arange(4.0), torch.ones(4), jitter=0, seed=1)
    assert dataset[2][0].item() == 2.0


def test_augmented_dataset_rejects_negative_jitter():
    with pytest.raises(ValueError, match="jitter"):
        AugmentedLineDataset(torch.zeros(4), torch.ones(4), jitter=-0.1)


def test_line_dataset_takes_a_list_of_indices():
    x, y = gaussian_line_data()
    batch_x, _ = LineDataset(x, y)[[3, 0, -1]]
    assert torch.equal(batch_x, x[[3, 0, -1]])


def test_line_dataset_list_index_out_of_range_raises_index_error():
    with pytest.raises(IndexError):
        LineDataset(*gaussian_line_data())[[0, 200]]


def test_a_split_subset_slices_to_its_own_samples_only():
    dataset = LineDataset(*gaussian_line_data())
    _, test = seeded_split(dataset, [160, 40], seed=42)
    x_test, _ = test[:]
    assert x_test.shape == (40, 1) and torch.equal(x_test, dataset.x[test.indices])


def test_line_b_loaders_split_recipe_b_into_shuffled_train_and_one_batch_validation():
    from linreg.datasets import line_b_loaders

    train_loader, val_loader = line_b_loaders()
    assert (len(train_loader.dataset), len(val_loader.dataset)) == (160, 40)
    assert len(train_loader) == 10 and len(val_loader) == 1
    assert set(train_loader.dataset.indices).isdisjoint(val_loader.dataset.indices)


def test_line_b_loaders_are_reproducible():
    from linreg.datasets import line_b_loaders

    assert _epoch_order(line_b_loaders()[0]) == _epoch_order(line_b_loaders()[0])


# --------------------------------------------------------------------------- worker seeding


def test_global_numpy_randomness_already_differs_between_workers():
    # True since torch 1.9: each worker reseeds NumPy's global generator; page 6 says so.
    dataset = AugmentedLineDataset(torch.zeros(8), torch.zeros(8), jitter=1.0)
    first, second = _jitters(DataLoader(dataset, batch_size=4, num_workers=2,
                                        generator=torch.Generator().manual_seed(0)))
    assert first != second


def test_a_dataset_owned_generator_repeats_every_epoch_without_seed_worker():
    dataset = AugmentedLineDataset(torch.zeros(8), torch.zeros(8), jitter=1.0, seed=0)
    loader = DataLoader(dataset, batch_size=4, num_workers=2, generator=torch.Generator().manual_seed(0))
    assert _jitters(loader) == _jitters(loader)


def test_seed_worker_gives_new_jitter_every_epoch():
    dataset = AugmentedLineDataset(torch.zeros(8), torch.zeros(8), jitter=1.0, seed=0)
    loader = make_loader(dataset, batch_size=4, shuffle=False, seed=0, num_workers=2)
    assert _jitters(loader) != _jitters(loader)


class _SeedProbe(torch.utils.data.Dataset):
    """Returns, for every sample, the seed its worker's copy was reseeded with and the worker's torch seed."""

    def __init__(self):
        self.reseeded_with = -1

    def reseed(self, seed):
        self.reseeded_with = seed

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return torch.tensor([self.reseeded_with, torch.initial_seed() % 2**32])


def _probe(dataset):
    loader = DataLoader(dataset, batch_size=2, num_workers=2, worker_init_fn=seed_worker,
                        generator=torch.Generator().manual_seed(0))
    return [batch[0].tolist() for batch in loader]  # first sample of each batch: one per worker


def test_seed_worker_reseeds_the_workers_copy_with_the_workers_torch_seed():
    (reseeded_0, seed_0), (reseeded_1, seed_1) = _probe(_SeedProbe())
    assert (reseeded_0, reseeded_1) == (seed_0, seed_1) and seed_0 != seed_1


def test_seed_worker_finds_the_dataset_inside_a_split():
    (reseeded, seed), _ = _probe(torch.utils.data.Subset(_SeedProbe(), [0, 1, 2, 3]))
    assert reseeded == seed


def test_seed_worker_leaves_the_main_process_copy_alone():
    dataset = _SeedProbe()
    _probe(dataset)
    seed_worker(0)  # in the main process there is no worker copy to reseed
    assert dataset.reseeded_with == -1


def test_augmented_dataset_reseed_restarts_its_own_generator():
    dataset = AugmentedLineDataset(torch.zeros(4), torch.zeros(4), jitter=1.0, seed=0)
    dataset.reseed(3)
    first = dataset[0][0].item()
    dataset.reseed(3)
    assert dataset[0][0].item() == first != AugmentedLineDataset(torch.zeros(4), torch.zeros(4), jitter=1.0,
                                                                  seed=0)[0][0].item()


def test_augmented_dataset_reseed_rejects_a_negative_seed():
    with pytest.raises(ValueError, match="seed"):
        AugmentedLineDataset(torch.zeros(4), torch.zeros(4), seed=0).reseed(-1)
