"""Publishing: catalogue rows to feed documents, the on-disk feed cache and WebSub pings."""
