"""Media files for Talkcast: probing, content-addressed storage, artwork and text assets.

Nothing here imports Flask or the database, so jobs, the CLI and tests can use it directly.
"""

from media.errors import InvalidKey, MediaError, TooLarge, UnsupportedMedia

__all__ = ["InvalidKey", "MediaError", "TooLarge", "UnsupportedMedia"]
