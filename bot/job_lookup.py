"""The job a person typed, by ROMEO when the bot is subscribed to it, else by the offline
look-up — one call for many texts.

``look_up_jobs(texts, services)`` returns, per text, the métiers best first as ``JobHit``s
(``score`` = confidence in [0, 1], ``why`` = where the hit comes from, in French):
- the offline ``ft_client.matching.find_jobs`` always runs (the answer is complete without
  ROMEO);
- ROMEO v2 is asked at the same time for all texts (the client sends at most 20 texts per
  call), under a deadline of 2 s; when its best prediction for a text scores at least
  ``ROMEO_CONFIDENT``, its predictions come first and the offline hits follow (no duplicate
  code); otherwise the offline hits stand alone;
- ROMEO off (no scope), busy (429), down (5xx, timeouts) or slow: the offline hits, as if
  ROMEO did not exist.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Final

from bot.services import Services
from ft_client import FTError, FTServiceNotEnabled
from ft_client.matching import find_jobs
from ft_client.models.romeo import RomeoMatch
from ft_client.referential import JobHit, Referential

logger = logging.getLogger(__name__)

ROMEO_API: Final = "romeo"
ROMEO_DEADLINE_SECONDS: Final = 2.0
# ROMEO's prediction score at and above which its answer goes first. The score's scale is the
# API's own (0..1); 0.75 is the offline look-up's recognition threshold (FIND_JOBS_THRESHOLD),
# kept the same so that "recognised" means one thing whoever recognised it.
ROMEO_CONFIDENT: Final = 0.75
ROMEO_WHY: Final = "ROMEO (France Travail) : {title}"
MAX_TEXT_CHARS: Final = 300
DEFAULT_LIMIT: Final = 5


def _offline(texts: Sequence[str], referential: Referential, limit: int) -> list[list[JobHit]]:
    found: list[list[JobHit]] = []
    for text in texts:
        try:
            found.append(find_jobs(text[:MAX_TEXT_CHARS], referential, limit))
        except ValueError:  # blank or not a text
            found.append([])
    return found


def _romeo_hits(matches: Sequence[RomeoMatch], referential: Referential) -> list[JobHit]:
    """ROMEO's predictions as hits, one per ROME code known to the bundled referential."""
    hits: dict[str, JobHit] = {}
    for match in matches:
        job = referential.job(match.rome_code)
        if job is None or match.rome_code in hits:
            continue
        title = match.appellation_label or match.rome_label or job.label
        score = round(max(0.0, min(1.0, match.score)), 4)
        hits[job.code] = JobHit(job.code, job.label, title, score, ROMEO_WHY.format(title=title))
    return list(hits.values())


def combine(
    romeo: Sequence[RomeoMatch] | None, offline: list[JobHit], referential: Referential, limit: int
) -> list[JobHit]:
    """ROMEO first when its best prediction is confident, then the offline hits; else offline."""
    romeo_hits = _romeo_hits(romeo or (), referential)
    if not romeo_hits or romeo_hits[0].score < ROMEO_CONFIDENT:
        return offline[:limit]
    seen = {hit.rome_code for hit in romeo_hits}
    return (romeo_hits + [hit for hit in offline if hit.rome_code not in seen])[:limit]


async def _ask_romeo(
    texts: list[str], services: Services, limit: int
) -> list[tuple[RomeoMatch, ...]] | None:
    """ROMEO's predictions per text, or None when it is off, failing or too slow."""
    if not services.ft.service_enabled(ROMEO_API):
        return None
    try:
        return await asyncio.wait_for(
            services.ft.predict_jobs(texts, results=limit), ROMEO_DEADLINE_SECONDS
        )
    except TimeoutError:
        logger.info("ROMEO slower than %s s: offline look-up only", ROMEO_DEADLINE_SECONDS)
    except FTError as error:
        logger.info("ROMEO unavailable (%s): offline look-up only", type(error).__name__)
        await _record(services, error)
    return None


async def _record(services: Services, error: FTError) -> None:
    if isinstance(error, FTServiceNotEnabled):
        return  # configuration, not an outage
    try:
        await services.storage.record_ft_error(error.endpoint or ROMEO_API, error.status)
    except Exception:
        logger.exception("could not record the ROMEO error")


async def look_up_jobs(
    texts: Sequence[str], services: Services, *, limit: int = DEFAULT_LIMIT
) -> list[list[JobHit]]:
    """Per text (same order), the métiers it names, best first; see the module docstring."""
    if limit < 1:
        raise ValueError("limit must be ≥ 1")
    cleaned = [" ".join(str(text).split())[:MAX_TEXT_CHARS] for text in texts]
    if not cleaned:
        return []
    offline_task = asyncio.to_thread(_offline, cleaned, services.referential, limit)
    wanted = [text for text in cleaned if text]
    romeo_task = _ask_romeo(wanted, services, limit) if wanted else asyncio.sleep(0, None)
    offline, predicted = await asyncio.gather(offline_task, romeo_task)
    by_text = dict(zip(wanted, predicted, strict=True)) if predicted is not None else {}
    return [
        combine(by_text.get(text), hits, services.referential, limit)
        for text, hits in zip(cleaned, offline, strict=True)
    ]
