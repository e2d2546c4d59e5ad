"""Check and reshape cover art for podcast directories.

Apple Podcasts wants a square RGB JPEG or PNG between 1400 and 3000 pixels a side. We accept a
JPEG or PNG of any shape, crop the centre square, scale it into that range and write a JPEG
without metadata (EXIF can carry GPS positions and a rotation players ignore).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from media.errors import UnsupportedMedia

MIN_SIDE = 1400
MAX_SIDE = 3000
# Far more than any real cover (6000 x 6000), far less than a decompression bomb needs.
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 90
_ACCEPTED = ("JPEG", "PNG")


@dataclass(frozen=True)
class Artwork:
    """Cover art ready to publish; ``upscaled`` warns that the source was too small."""

    data: bytes
    mime_type: str
    extension: str
    width: int
    height: int
    resized: bool
    upscaled: bool = False
    cropped: bool = False


def prepare_artwork(data: bytes) -> Artwork:
    """Validate a JPEG/PNG by content and return a square RGB JPEG of 1400-3000 px."""
    image = _open(data)
    image = ImageOps.exif_transpose(image) or image
    rgb = _flatten(image)
    side = min(rgb.size)
    cropped = rgb.width != rgb.height
    if cropped:
        left = (rgb.width - side) // 2
        top = (rgb.height - side) // 2
        rgb = rgb.crop((left, top, left + side, top + side))
    target = min(max(side, MIN_SIDE), MAX_SIDE)
    if target != side:
        rgb = rgb.resize((target, target), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # The ICC profile is colour, not metadata: without it wide-gamut covers look washed out.
    # A CMYK or grey profile would not fit the RGB output, so only an RGB one is kept.
    icc = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA") else None
    rgb.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, icc_profile=icc)
    return Artwork(
        data=out.getvalue(),
        mime_type="image/jpeg",
        extension=".jpg",
        width=target,
        height=target,
        resized=target != side,
        upscaled=target > side,
        cropped=cropped,
    )


def _open(data: bytes) -> Image.Image:
    if not data:
        raise UnsupportedMedia("The image is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_ACCEPTED)
            # Check the declared size before decoding a single pixel.
            if image.width * image.height > MAX_PIXELS:
                raise UnsupportedMedia(
                    f"The image is too large ({image.width} x {image.height} pixels); "
                    f"use one of at most {MAX_SIDE} x {MAX_SIDE}."
                )
            image.load()
    except UnsupportedMedia:
        raise
    except UnidentifiedImageError as exc:
        raise UnsupportedMedia(
            "Cover art must be a JPEG or PNG image; this file is neither."
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnsupportedMedia("The image is too large to process safely.") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedMedia("The image is damaged or incomplete and cannot be read.") from exc
    if image.width < 1 or image.height < 1:
        raise UnsupportedMedia("The image has no pixels.")
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB without alpha: transparent areas become white, as they would look on most pages."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


BANNER_HEIGHT = 400


def make_banner(data: bytes, height: int = BANNER_HEIGHT) -> bytes:
    """A JPEG twice as wide as high (an Atom logo) with the artwork centred on its own
    average colour, so a square cover fills a wide slot without being cropped."""
    image = _open(data)
    art = _flatten(ImageOps.exif_transpose(image) or image)
    art = ImageOps.contain(art, (height, height), Image.Resampling.LANCZOS)
    colour = art.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    banner = Image.new("RGB", (2 * height, height), colour)
    banner.paste(art, ((2 * height - art.width) // 2, (height - art.height) // 2))
    out = io.BytesIO()
    banner.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def make_size(data: bytes, width: int) -> bytes:
    """The square artwork scaled to ``width`` pixels a side (never up), as a JPEG."""
    image = _open(data)
    art = _flatten(ImageOps.exif_transpose(image) or image)
    side = min(width, art.width, art.height)
    art = ImageOps.fit(art, (side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    art.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
