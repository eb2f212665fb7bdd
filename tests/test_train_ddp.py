"""linreg.train_ddp: page 11's recipe as a torchrun script really trains, and rank 0 alone saves the model."""

import subprocess
import sys

import pytest
import torch

from linreg.models import LinearRegression


@pytest.mark.slow
def test_torchrun_on_two_processes_trains_the_line_and_rank_0_saves_a_plain_state_dict(tmp_path):
    launch = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         f"--log-dir={tmp_path / 'logs'}", "-m", "linreg.train_ddp"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    assert launch.returncode == 0, launch.stderr
    assert launch.stdout.count("saved model.pt") == 1  # one writer
    model = LinearRegression()
    model.load_state_dict(torch.load(tmp_path / "model.pt"))  # unwrapped: no "module." prefix
    assert model.linear.weight.item() == pytest.approx(2, abs=0.05)
    assert model.linear.bias.item() == pytest.approx(1, abs=0.05)
