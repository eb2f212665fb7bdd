"""Specification of media extraction from executed notebooks (hooks/media.py)."""

from __future__ import annotations

import base64

import nbformat

from hooks import media

LIGHT, DARK, MP4, POSTER = b"light png", b"dark png", b"mp4 bytes", b"poster png"
NARROW_LIGHT, NARROW_DARK = b"narrow light png", b"narrow dark png"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _notebook(*outputs) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta) for data, meta in outputs]
    return nbformat.v4.new_notebook(cells=[cell])


def _figure(alt: str = "a loss curve", dark: bool = True, narrow: bool = False):
    data = {"image/png": _b64(LIGHT), "text/plain": "<Figure>"}
    meta = {"image/png": {"width": 300, "height": 200}, "linreg": {"alt": alt}}
    if dark:
        data[media.DARK_PNG] = _b64(DARK)
    if narrow:
        data[media.NARROW_PNG] = _b64(NARROW_LIGHT)
        data[media.NARROW_DARK_PNG] = _b64(NARROW_DARK)
        meta["linreg"]["narrow"] = {"width": 150, "height": 250}
    return data, meta


def _html(nb) -> str:
    return nb.cells[0].outputs[0]["data"]["text/html"]


def test_a_figure_becomes_two_lazy_images_one_per_palette_with_alt_and_size():
    nb = _notebook(_figure())
    files = media.extract(nb, lambda name: f"../m/{name}")
    light, dark = media.file_name(LIGHT, "image/png"), media.file_name(DARK, "image/png")
    assert files == {light: LIGHT, dark: DARK}
    img = '<img alt="a loss curve" loading="lazy" width="300" height="200" src="../m/{}">'
    assert _html(nb) == ('<div class="linreg-figure">' + img.format(f"{light}#only-light")
                         + img.format(f"{dark}#only-dark") + "</div>")


def test_a_figure_with_narrow_renderings_serves_them_to_narrow_screens_in_its_palette():
    nb = _notebook(_figure(narrow=True))
    files = media.extract(nb, lambda name: f"m/{name}")
    names = {data: media.file_name(data, "image/png") for data in (LIGHT, DARK, NARROW_LIGHT, NARROW_DARK)}
    assert files == {name: data for data, name in names.items()}
    source = '<source media="(max-width: 719px)" srcset="m/{}" width="150" height="250">'
    img = '<img alt="a loss curve" loading="lazy" width="300" height="200" src="m/{}">'
    assert _html(nb) == ('<div class="linreg-figure">'
                         f"<picture>{source.format(names[NARROW_LIGHT])}{img.format(names[LIGHT] + '#only-light')}"
                         "</picture>"
                         f"<picture>{source.format(names[NARROW_DARK])}{img.format(names[DARK] + '#only-dark')}"
                         "</picture></div>")


def test_the_figure_output_keeps_only_the_html_and_its_alt_in_metadata():
    nb = _notebook(_figure())
    media.extract(nb, str)
    output = nb.cells[0].outputs[0]
    assert list(output["data"]) == ["text/html"]  # no base64 left for the renderer to embed
    assert output["metadata"]["linreg"]["alt"] == "a loss curve"


def test_alt_text_is_escaped_in_the_markup():
    nb = _notebook(_figure(alt='loss "x" < 1 & falling'))
    media.extract(nb, str)
    assert 'alt="loss &quot;x&quot; &lt; 1 &amp; falling"' in _html(nb)


def test_a_figure_without_a_dark_rendering_is_one_image_shown_in_both_palettes():
    nb = _notebook(_figure(dark=False))
    files = media.extract(nb, str)
    assert len(files) == 1 and "#only" not in _html(nb) and _html(nb).count("<img") == 1


def test_a_videos_data_uris_become_files_and_its_markup_stays():
    markup = ('<figure class="linreg-video"><video controls poster="data:image/png;base64,{}#only-light">'
              '<source src="data:video/mp4;base64,{}" type="video/mp4"></video></figure>')
    nb = _notebook(({"text/html": markup.format(_b64(POSTER), _b64(MP4))}, {}))
    files = media.extract(nb, lambda name: f"m/{name}")
    assert files == {media.file_name(POSTER, "image/png"): POSTER, media.file_name(MP4, "video/mp4"): MP4}
    # the markup stays, but for the poster, which site.js hands to the player shown only
    assert _html(nb) == markup.format("m/" + media.file_name(POSTER, "image/png"),
                                      "m/" + media.file_name(MP4, "video/mp4")).replace(
        "data:image/png;base64,", "").replace("data:video/mp4;base64,", "").replace(" poster=", " data-poster=")


def test_file_names_are_the_hash_of_the_bytes_so_equal_media_share_one_file():
    nb = _notebook(_figure(), _figure(alt="the same picture again"))
    assert len(media.extract(nb, str)) == 2
    assert media.file_name(LIGHT, "image/png") != media.file_name(LIGHT + b"!", "image/png")


def test_outputs_without_media_are_left_alone():
    nb = _notebook(({"text/plain": "42"}, {}), ({"text/html": "<b>bold</b>"}, {}))
    before = nbformat.writes(nb)
    assert media.extract(nb, str) == {} and nbformat.writes(nb) == before


def test_the_build_reads_the_dark_and_narrow_renderings_under_the_types_linreg_writes_them():
    # the hooks read it from linreg._figure_markup (no matplotlib import), the kernel from linreg.display
    from linreg import display

    assert media.DARK_PNG == display.DARK_PNG
    assert (media.NARROW_PNG, media.NARROW_DARK_PNG) == (display.NARROW_PNG, display.NARROW_DARK_PNG)
