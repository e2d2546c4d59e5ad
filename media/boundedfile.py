"""A file for mutagen to read that never hands out more than it holds.

mutagen reads as many bytes as a box or chunk header declares, and Python allocates that much
before it finds the file shorter: a 16-byte upload declaring a 4 GiB chunk costs 4 GiB of
memory, or a MemoryError where memory is limited. Capping each read at the bytes left in the
file gives mutagen the same short read, without the allocation.
"""

from __future__ import annotations

import io
import os
from pathlib import Path


class BoundedReader(io.BufferedReader):
    """A buffered binary file whose reads stop at its end, whatever size is asked for."""

    def __init__(self, raw: io.RawIOBase) -> None:
        super().__init__(raw)
        self._size = os.fstat(raw.fileno()).st_size

    def read(self, size: int | None = -1, /) -> bytes:
        """Read like any file, asking the system for no more than the file still holds."""
        if size is not None and size > 0:
            size = min(size, max(0, self._size - self.tell()))
            if size == 0:
                return b""
        return super().read(size)


def open_bounded(path: Path) -> BoundedReader:
    """Open a file for reading through BoundedReader."""
    return BoundedReader(io.FileIO(path, "r"))
