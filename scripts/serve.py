"""`make serve`: check that the port is free, then run `mkdocs serve` with live reload.

mkdocs itself fails on a busy port with an OSError traceback from deep inside
its HTTP server; a reader deserves one clear sentence instead.

MkDocs looks for changed files by polling the watched folders every half
second, so a saved file waited up to 0.5 s before its rebuild began; here it
polls every :data:`POLL_S` (a stat of the few hundred files of ``docs/``,
``linreg/`` and ``hooks/``, cheap at that rate).
"""

from __future__ import annotations

import os
import socket
import sys

POLL_S = 0.1


def poll_faster() -> None:
    """Make mkdocs' live-reload server poll the watched files every :data:`POLL_S` seconds (its default: 0.5)."""
    from mkdocs import livereload

    init = livereload.LiveReloadServer.__init__

    def polling_faster(self, *args, polling_interval: float = POLL_S, **kwargs) -> None:
        init(self, *args, polling_interval=polling_interval, **kwargs)

    livereload.LiveReloadServer.__init__ = polling_faster


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def main() -> int:
    host, port = "127.0.0.1", int(os.environ.get("PORT", "8000"))
    if not port_is_free(host, port):
        print(
            f"Port {port} on {host} is already in use (another `make serve`?).\n"
            f"Stop that server, or choose another port: make serve PORT={port + 1}",
            file=sys.stderr,
        )
        return 1
    # mkdocs serves under site_url's path (/linreg/ on GitHub Pages): serve at the root instead.
    os.environ["SITE_URL"] = f"http://{host}:{port}/"
    os.environ.setdefault("NBCONVERT_DISABLE_CONFIG_EXPORTERS", "1")  # a faster start (see the Makefile)
    print(f"Serving the site at http://{host}:{port}/ (live reload also watches linreg/)")
    poll_faster()
    from mkdocs.__main__ import cli

    return cli.main(["serve", "--dev-addr", f"{host}:{port}", "--livereload"], standalone_mode=True)


if __name__ == "__main__":
    sys.exit(main())
