"""Extract media: images and videos leave the executed notebook as content-addressed files.

Runs on the executed notebook, before anything renders it. Each output that
carries media is rewritten so the page references files instead of embedding
base64, and the files are handed back (``{name: bytes}``) for the build to
register with MkDocs as generated files. A file's name is a hash of its bytes:
an unchanged figure keeps its URL from build to build (browser caches hold),
and two builds write the same names.

Two output forms (see ``linreg.display``):

* a figure: ``image/png`` (the light rendering: what Jupyter, Colab and a
  downloaded notebook show) beside :data:`DARK_PNG` (the dark rendering), with
  ``{"image/png": {"width", "height"}, "linreg": {"alt"}}`` as output metadata.
  It becomes two ``<img>`` tags, ``#only-light`` and ``#only-dark``: Material
  hides the one that does not match the palette in force, and a hidden lazy
  image is never fetched;
* HTML with ``data:`` URIs (a video: ``linreg.animation.Video``): each URI
  becomes a file URL, the markup (and any ``#only-light``/``#only-dark`` after
  a URI) stays as the kernel wrote it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

import nbformat

MEDIA_DIR = "assets/media"
_DATA_URI = re.compile(r"data:(image/png|image/jpeg|video/mp4);base64,([A-Za-z0-9+/=]+)")
_VIDEO_POSTER = re.compile(r"(<video\b[^>]*?\s)poster=")
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "video/mp4": "mp4"}

UrlFor = Callable[[str], str]  # media file name -> its URL from the page


def __getattr__(name: str):
    """``media.DARK_PNG``: the dark rendering's MIME type, as linreg.display writes it (imported when asked for)."""
    if name == "DARK_PNG":
        from linreg._figure_markup import DARK_PNG

        return DARK_PNG
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def file_name(data: bytes, mime: str) -> str:
    """The content-addressed name of a media file.

    >>> file_name(b"abc", "image/png")
    'ba7816bf8f01cfea4141.png'
    """
    return f"{hashlib.sha256(data).hexdigest()[:20]}.{_EXTENSIONS[mime]}"


def _to_file(payload: str, mime: str, url_for: UrlFor, files: dict[str, bytes]) -> str:
    """Decode a base64 ``payload`` into ``files`` under its content-addressed name; return its URL."""
    data = base64.b64decode(payload)
    name = file_name(data, mime)
    files[name] = data
    return url_for(name)


def replace_data_uris(text: str, url_for: UrlFor, files: dict[str, bytes]) -> str:
    """``text`` (HTML a kernel printed) with each base64 ``data:`` URI replaced by a file's URL."""
    with_files = _DATA_URI.sub(lambda match: _to_file(match[2], match[1], url_for, files), text)
    # A video's poster is fetched even when its player is hidden (the other palette's):
    # site.js hands the poster over to the player shown only.
    return _VIDEO_POSTER.sub(r"\1data-poster=", with_files)


def extract(notebook: nbformat.NotebookNode, url_for: UrlFor) -> dict[str, bytes]:
    """Rewrite ``notebook``'s media outputs in place to reference files; return the files."""
    # What linreg.display writes, from a module that imports no plotting library. Imported here: importing
    # linreg imports NumPy, a tenth of a second of every build, and a build that renders no notebook needs none.
    from linreg._figure_markup import DARK_PNG, figure_markup

    files: dict[str, bytes] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                meta = output.get("metadata", {})
                light = _to_file(data["image/png"], "image/png", url_for, files)
                dark = _to_file(data[DARK_PNG], "image/png", url_for, files) if DARK_PNG in data else None
                alt = meta.get("linreg", {}).get("alt", "Figure")
                output["data"] = {"text/html": figure_markup(light, dark, alt, meta.get("image/png", {}))}
            elif "data:" in "".join(data.get("text/html", "")):  # a list of lines in a notebook not read by nbformat
                output["data"]["text/html"] = replace_data_uris("".join(data["text/html"]), url_for, files)
    return files
