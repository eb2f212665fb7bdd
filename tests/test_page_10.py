"""The claims page 10 (autoencoders) makes in its prose, checked through linreg."""

import pytest
import torch

from linreg import digits, models


@pytest.fixture(scope="module")
def data():
    return digits.sklearn_digits(seed=0)


@pytest.fixture(scope="module")
def trained(data):
    return digits.train_autoencoder(data, latent=8, epochs=20, seed=0, lr=1e-3)


def test_final_validation_loss_is_the_printed_0_080(trained):
    _, history = trained
    assert history.val_loss[-1] == pytest.approx(0.0803, abs=0.002)


def test_validation_loss_is_still_falling_at_epoch_20(trained):
    _, history = trained
    assert history.val_loss[-1] < history.val_loss[-5] < history.val_loss[0]


def test_validation_follows_training_closely(trained):
    _, history = trained
    assert history.val_loss[-1] < 1.25 * history.train_loss[-1]


def test_final_validation_loss_is_well_below_drawing_the_mean_image(data, trained):
    _, history = trained
    mean_image_error = ((data.x_val - data.x_train.mean(dim=0)) ** 2).mean().item()
    assert history.val_loss[-1] < 0.5 * mean_image_error


def test_a_2d_code_gives_a_higher_validation_loss_than_an_8d_code(data, trained):
    _, history_2d = digits.train_autoencoder(data, latent=2, epochs=20, seed=0)
    assert history_2d.val_loss[-1] > trained[1].val_loss[-1]


@pytest.mark.parametrize("scale", [8.0, 127.5])  # [0, 16] raw digits, [0, 255] raw-MNIST scale
def test_raw_pixel_tanh_error_floor_exceeds_the_mean_image_error(data, scale):
    targets = (data.x_train + 1) * scale
    mean_image_error = ((targets - targets.mean(dim=0)) ** 2).mean().item()
    assert digits.tanh_error_floor(targets) > mean_image_error


def test_pixels_in_0_1_or_minus_1_1_have_no_tanh_error_floor(data):
    assert digits.tanh_error_floor(data.x_train) == 0.0
    assert digits.tanh_error_floor((data.x_train + 1) / 2) == 0.0


def test_explicit_and_sequential_models_train_to_identical_losses_from_the_same_seed(data):
    _, explicit = digits.train_autoencoder(data, latent=8, epochs=2, seed=0, model_class=models.Autoencoder)
    _, sequential = digits.train_autoencoder(data, latent=8, epochs=2, seed=0)
    assert explicit.val_loss == sequential.val_loss


def test_a_saved_and_reloaded_state_dict_gives_identical_outputs(data, trained, tmp_path):
    model, _ = trained
    torch.save(model.state_dict(), tmp_path / "autoencoder.pt")
    restored = models.SequentialAutoencoder(n_inputs=64, latent=8)
    restored.load_state_dict(torch.load(tmp_path / "autoencoder.pt", weights_only=True))
    model.eval()
    restored.eval()
    with torch.no_grad():
        assert torch.equal(restored(data.x_test), model(data.x_test))
