"""Print the package index to install torch's CPU build from, or nothing when PyPI's torch will do.

On Linux, PyPI's torch wheels bundle CUDA (several GB of ``nvidia-*``
packages); PyTorch's own CPU index serves the same version without it
(``torch==2.13.0+cpu``, which satisfies the lock's ``torch==2.13.0``). macOS
and Windows wheels on PyPI are CPU builds already.

The index is probed once with a short timeout: where it cannot be reached (no
network, a firewall, a machine that only sees a local mirror) this prints
nothing within seconds, and the Makefile never hands the URL to pip, whose own
timeouts and retries would otherwise cost minutes. ``$LINREG_TORCH_INDEX``
names another index (a mirror); set it empty to skip the CPU index.
"""

from __future__ import annotations

import os
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
ENV_VAR = "LINREG_TORCH_INDEX"
PROBE_TIMEOUT_S = 3.0


def _answers(url: str, timeout: float) -> bool:
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "linreg-setup"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status < 400
    except (urllib.error.URLError, OSError, ValueError):  # HTTP errors, timeouts, refused, bad URL
        return False


def reachable(url: str, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Whether ``url`` answers an HTTP request within ``timeout`` seconds (any status below 400).

    The request runs in a thread that is abandoned at the deadline: urlopen's
    own timeout does not cover the DNS lookup, which can hang for longer.
    """
    answer: list[bool] = []
    probe = threading.Thread(target=lambda: answer.append(_answers(url, timeout)), daemon=True)
    probe.start()
    probe.join(timeout)
    return bool(answer and answer[0])


def torch_index(platform: str = sys.platform, environ: Mapping[str, str] | None = None,
                probe: Callable[[str], bool] = reachable) -> str | None:
    """The index to take torch from, or None for the default index.

    >>> torch_index("darwin", {}, probe=lambda url: True) is None
    True
    >>> torch_index("linux", {}, probe=lambda url: True)
    'https://download.pytorch.org/whl/cpu'
    >>> torch_index("linux", {}, probe=lambda url: False) is None
    True
    """
    environ = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return None
    url = environ.get(ENV_VAR, CPU_INDEX).rstrip("/")
    if not url:
        return None
    # torch's own page of the index: small, and proves the index serves torch
    return url if probe(f"{url}/torch/") else None


def main() -> int:
    url = torch_index()
    if url:
        print(url)
    else:
        print("torch: PyTorch's CPU index is not reachable (or not needed here); "
              "installing torch from the default index", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
