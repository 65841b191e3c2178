"""The process's heap once started: long-lived objects moved out of the cyclic GC's sight (stdlib `gc.freeze`)."""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """One full collection, then every object alive now frozen: later full collections walk only what was made since
    (the catalog, the classifier and the SDK modules cost ~110 ms per full collection here otherwise)."""
    gc.collect()
    gc.freeze()
