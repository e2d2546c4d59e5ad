"""prepare_artwork(): JPEG/PNG in, square RGB JPEG of 1400-3000 px out."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from media.artwork import make_banner, prepare_artwork
from media.errors import UnsupportedMedia


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_wide_png_with_alpha_is_cropped_flattened_and_upscaled() -> None:
    source = Image.new("RGBA", (2000, 1000), (0, 0, 0, 0))
    # An opaque red square in the middle; the transparent rest must turn white.
    source.paste((255, 0, 0, 255), (900, 400, 1100, 600))
    art = prepare_artwork(encode(source, "PNG"))
    result = decode(art.data)
    assert (result.format, result.mode, result.size) == ("JPEG", "RGB", (1400, 1400))
    assert (art.mime_type, art.extension, art.width, art.height) == (
        "image/jpeg",
        ".jpg",
        1400,
        1400,
    )
    assert art.resized and art.upscaled and art.cropped
    corner = result.getpixel((10, 10))
    centre = result.getpixel((700, 700))
    assert isinstance(corner, tuple) and min(corner) > 245
    assert isinstance(centre, tuple) and centre[0] > 200 and centre[1] < 60


def test_small_square_is_upscaled_and_flagged() -> None:
    art = prepare_artwork(encode(Image.new("RGB", (500, 500), (10, 120, 200)), "JPEG"))
    assert decode(art.data).size == (1400, 1400)
    assert art.upscaled and art.resized and not art.cropped


def test_huge_square_is_downscaled() -> None:
    art = prepare_artwork(encode(Image.new("RGB", (4000, 4000), (10, 120, 200)), "JPEG"))
    assert decode(art.data).size == (3000, 3000)
    assert art.resized and not art.upscaled


def test_size_in_range_is_kept() -> None:
    art = prepare_artwork(encode(Image.new("RGB", (1600, 2000), (90, 90, 90)), "PNG"))
    assert decode(art.data).size == (1600, 1600)
    assert not art.resized and art.cropped


def test_exif_is_dropped() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {1: "N"}  # a GPS block
    data = encode(Image.new("RGB", (1500, 1500), (1, 2, 3)), "JPEG", exif=exif.tobytes())
    assert decode(data).getexif()  # the source really has EXIF
    result = decode(prepare_artwork(data).data)
    assert not result.getexif()
    assert "exif" not in result.info


def test_grey_and_cmyk_become_rgb() -> None:
    for mode in ("L", "CMYK"):
        art = prepare_artwork(encode(Image.new(mode, (1500, 1500)), "JPEG"))
        assert decode(art.data).mode == "RGB"


def test_gif_is_rejected() -> None:
    with pytest.raises(UnsupportedMedia, match="JPEG or PNG"):
        prepare_artwork(encode(Image.new("RGB", (1500, 1500)), "GIF"))


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\xff\xd8\xff" + bytes(50)])
def test_junk_is_rejected(data: bytes) -> None:
    with pytest.raises(UnsupportedMedia):
        prepare_artwork(data)


def test_truncated_jpeg_is_rejected() -> None:
    data = encode(Image.effect_noise((1500, 1500), 60).convert("RGB"), "JPEG")
    with pytest.raises(UnsupportedMedia, match="damaged"):
        prepare_artwork(data[: len(data) // 2])


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [8_000, 100_000])
def test_decompression_bomb_is_refused_before_decoding(side: int) -> None:
    # Only the header exists: decoding would fail, so the refusal comes from the declared size.
    with pytest.raises(UnsupportedMedia, match="too large"):
        prepare_artwork(_png_header_only(side, side))


def test_banner_is_twice_as_wide_with_the_art_whole_in_the_middle() -> None:
    art = Image.new("RGB", (1400, 1400), (200, 30, 30))
    banner = decode(make_banner(encode(art, "PNG")))
    assert banner.format == "JPEG"
    assert banner.size == (800, 400)
    # The square sits in the middle; the sides are the art's own colour, not black bars.
    for x in (10, 400, 790):
        red, green, blue = banner.getpixel((x, 200))
        assert red > 180 and green < 60 and blue < 60


def test_banner_refuses_what_is_not_an_image() -> None:
    with pytest.raises(UnsupportedMedia):
        make_banner(b"<svg/>")
