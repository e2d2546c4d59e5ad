"""Exceptions raised by the media package; messages are written to be shown to staff."""

import errno


class MediaError(ValueError):
    """Base class for every problem with a media file or asset."""


class UnsupportedMedia(MediaError):
    """The content is not a file of an allowed type, or it is damaged."""


class TooLarge(MediaError):
    """More bytes arrived than the caller allowed."""


class InvalidKey(MediaError):
    """A storage key or extension that could name a file outside the storage root."""


# A full disk, or a full quota: the same to anyone writing a file.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(exc: BaseException) -> bool:
    """True for the OSError a write raises when there is no space left."""
    return isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS
