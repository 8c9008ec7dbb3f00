"""Job look-up (placeholder, replaced below)."""

from __future__ import annotations

from ft_client.referential import JobHit, Referential


def find_jobs(query: str, referential: Referential | None = None, limit: int = 5) -> list[JobHit]:
    ref = referential if referential is not None else Referential.load()
    return ref.find_jobs(query, limit)
