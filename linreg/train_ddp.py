"""Page 11's DDP recipe as a script for ``torchrun``.

Run it with ``torchrun --standalone --nproc_per_node=2 -m linreg.train_ddp``.

``torchrun`` starts one process per rank and sets ``RANK``, ``LOCAL_RANK``,
``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT`` in each one's environment,
so ``init_process_group`` needs no rank, world size or address: its default
``init_method``, ``"env://"``, reads them there. (The backend may be left out
too, but then PyTorch registers only the backend of the machine's accelerator,
NCCL with CUDA and gloo without; ``"cpu:gloo,cuda:nccl"`` registers both. The
script names its backend.)

The training is page 11's recipe with page 5's ``nn.Linear`` model. Rank 0
saves the trained model to ``model.pt`` in the working directory and prints
its fit.
"""

import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from linreg import data, models


def main():
    """Train recipe A's line with DDP on the ranks ``torchrun`` started.

    Rank 0 saves ``model.pt`` and prints its fit.
    """
    # NCCL only with a GPU for every rank on this machine (torchrun's
    # --nproc_per_node); otherwise gloo on the CPU, as choose_backend decides
    use_gpu = torch.cuda.device_count() >= int(os.environ["LOCAL_WORLD_SIZE"])
    # rank, world size and address: from torchrun
    dist.init_process_group("nccl" if use_gpu else "gloo")
    # this process's GPU on its machine
    local_rank = int(os.environ["LOCAL_RANK"])
    device = torch.device(f"cuda:{local_rank}" if use_gpu else "cpu")
    if use_gpu:
        torch.cuda.set_device(device)

    x_train, y_train, _, _ = data.line_data().tensors()
    dataset = TensorDataset(x_train, y_train)
    sampler = DistributedSampler(dataset, shuffle=True, seed=0)
    # 16 per rank at lr 0.3, as page 11's DDP job:
    # 2 ranks make its global batch of 32.
    loader = DataLoader(dataset, batch_size=16, sampler=sampler)

    torch.manual_seed(0)
    model = models.LinearRegression().to(device)
    device_ids = [local_rank] if use_gpu else None
    model = DistributedDataParallel(model, device_ids=device_ids)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)

    for epoch in range(50):
        sampler.set_epoch(epoch)
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss = nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()  # gradients are all-reduced here
            optimizer.step()

    if dist.get_rank() == 0:  # one writer, not world_size of them
        # .module: the model inside the wrapper
        torch.save(model.module.state_dict(), "model.pt")
        linear = model.module.linear
        weight, bias = linear.weight.item(), linear.bias.item()
        print(f"rank 0 of {dist.get_world_size()}: slope {weight:.4f}, "
              f"intercept {bias:.4f}, saved model.pt")
    # Leave together: a rank that tears its connections down while another
    # still uses them can abort (SIGABRT) instead of exiting.
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
