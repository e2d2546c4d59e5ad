"""The fixed table of file extensions and MIME types Talkcast serves.

Python's ``mimetypes`` reads the machine's own tables, so the same file could be announced
with different types on different hosts; feeds must not depend on that.
"""

from types import MappingProxyType
from typing import Literal

Kind = Literal["audio", "video", "image", "text", "chapters"]

MIME_TYPES: MappingProxyType[str, str] = MappingProxyType(
    {
        ".mp3": "audio/mpeg",
        ".m4a": "audio/x-m4a",
        ".mp4": "video/mp4",
        ".m4v": "video/x-m4v",
        ".mov": "video/quicktime",
        ".ogg": "audio/ogg",
        ".oga": "audio/ogg",
        ".opus": "audio/opus",
        ".flac": "audio/flac",
        ".wav": "audio/wav",
        ".jpg": "image/jpeg",
        ".png": "image/png",
        ".vtt": "text/vtt",
        ".srt": "application/x-subrip",
        ".json": "application/json+chapters",
    }
)

# The extension we write for each type: ".ogg" rather than ".oga" because podcast apps know it.
EXTENSIONS: MappingProxyType[str, str] = MappingProxyType(
    {mime: ext for ext, mime in reversed(list(MIME_TYPES.items()))}
)


def mime_for_extension(extension: str) -> str:
    """Return the MIME type for an extension such as ".mp3"; KeyError if it is not in the table."""
    ext = extension.lower()
    if not ext.startswith("."):
        ext = "." + ext
    return MIME_TYPES[ext]


def extension_for_mime(mime_type: str) -> str:
    """Return the canonical extension for a MIME type in the table; KeyError if unknown."""
    return EXTENSIONS[mime_type.lower()]


def kind_of(mime_type: str) -> Kind:
    """Return the broad kind of a MIME type in the table."""
    if mime_type == "application/json+chapters":
        return "chapters"
    if mime_type in ("text/vtt", "application/x-subrip"):
        return "text"
    major = mime_type.split("/", 1)[0]
    if major == "audio":
        return "audio"
    if major == "video":
        return "video"
    if major == "image":
        return "image"
    raise KeyError(mime_type)
