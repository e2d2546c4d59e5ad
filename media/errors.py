"""Exceptions raised by the media package; messages are written to be shown to staff."""


class MediaError(ValueError):
    """Base class for every problem with a media file or asset."""


class UnsupportedMedia(MediaError):
    """The content is not a file of an allowed type, or it is damaged."""


class TooLarge(MediaError):
    """More bytes arrived than the caller allowed."""


class InvalidKey(MediaError):
    """A storage key or extension that could name a file outside the storage root."""
