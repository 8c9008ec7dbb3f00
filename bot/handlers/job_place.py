"""What /entreprises, /marche, /evolution and /savoiretre share: reading "métier [à lieu]",
finding the métier (``ft_client.matching.find_jobs``: curated aliases, typo-tolerant titles, a
recognised job only) and the place in the offline referential, and calling an optional France
Travail service with a clear French answer when it is off (not subscribed), busy (429) or down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Final, TypeVar

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot import callbacks
from bot.handlers.common import (
    Context,
    answer_query,
    has_letter,
    record_ft_error,
    reply_html,
    services,
)
from bot.render import escape
from bot.texts import services as t
from ft_client import FTError, FTRateLimited, FTServiceNotEnabled
from ft_client.matching import find_jobs, is_recognised
from ft_client.query import ROME_CODE_RE
from ft_client.referential import Job, JobHit, Place, Referential

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_INPUT_CHARS: Final = 200
MAX_PLACE_CHARS: Final = 100
# "serveur à Lyon": the last " à " separates the place; "G1803 69": a trailing département.
_PLACE_ONLY_RE: Final = re.compile(r"^(?:à|a|au)\s+(?P<place>\S.*)$", re.I)
_PLACE_RE: Final = re.compile(r"^(?P<job>.*\S)\s+(?:à|a|au)\s+(?P<place>\S.*)$", re.I)
_TRAILING_CODE_RE: Final = re.compile(r"^(?P<job>.*\S)\s+(?P<code>\d{5}|\d{2,3}|2[AB])$", re.I)
# find_jobs confidence of a text that is a job itself ("aide à domicile" 0.97, an alias), not job
# words followed by a place ("serveur à Lyon": 0.8, the alias "serveur" inside longer words).
JOB_TITLE_SCORE: Final = 0.9


def split_job_place(text: str) -> tuple[str, str | None]:
    """ "serveur à Lyon" → ("serveur", "Lyon") (the last " à "); "à Lyon" → ("", "Lyon");
    "G1803 69" → ("G1803", "69"); "serveur 75015" → ("serveur", "75015"); "serveur" →
    ("serveur", None). Whether "aide à domicile" is a job or a place is for the caller."""
    text = " ".join(text.split())
    for regex, group in (
        (_PLACE_ONLY_RE, "place"),
        (_PLACE_RE, "place"),
        (_TRAILING_CODE_RE, "code"),
    ):
        match = regex.match(text)
        if match is not None:
            job = (match.groupdict().get("job") or "").strip()
            place = match.group(group)[:MAX_PLACE_CHARS]
            return job, place.upper() if group == "code" else place
    return text, None


async def names_a_job(referential: Referential, text: str) -> bool:
    """Whether the whole text is a job title (near-exact), so its " à " is no place."""
    hits = await _find_jobs(referential, text)
    return bool(hits) and hits[0].score >= JOB_TITLE_SCORE


async def find_job(referential: Referential, words: str) -> tuple[str, str] | None:
    """(ROME code, label) for a code or job words; None when no job is recognised (close
    matches are no answer here: "Paris", "vaisselle")."""
    code = words.strip().upper()
    if ROME_CODE_RE.match(code):
        job = referential.job(code)
        return (job.code, job.label) if job else None
    if not has_letter(words):
        return None
    hits = await _find_jobs(referential, words)
    if not is_recognised(hits):
        return None
    return hits[0].rome_code, hits[0].job_label


async def _find_jobs(referential: Referential, words: str) -> list[JobHit]:
    # CPU work (the first call builds indexes): off the event loop.
    try:
        return await asyncio.to_thread(find_jobs, words[:MAX_INPUT_CHARS], referential, 1)
    except ValueError:
        return []


def departement_of(referential: Referential, words: str) -> str | None:
    """A département code typed as such ("69", "2A", "974"), if it exists."""
    code = words.strip().upper()
    if re.fullmatch(r"\d{2,3}|2[AB]", code) and referential.departement_name(code):
        return code
    return None


async def find_place(referential: Referential, words: str) -> Place | None:
    try:
        found = await asyncio.to_thread(referential.find_places, words[:MAX_PLACE_CHARS], 1)
    except ValueError:
        return None
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class JobPlaceRequest:
    """ "métier [à lieu]" read: the job words (maybe empty) and the place, as a département code
    typed as such or as a town of the referential (at most one of the two)."""

    job_words: str
    departement: str | None = None
    place: Place | None = None


class UnknownPlace(Exception):
    """The words after " à " are neither a place nor part of a job title."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


async def read_job_place(referential: Referential, text: str) -> JobPlaceRequest:
    """Read "métier [à lieu]" the same way for every command that takes it.

    "aide à domicile" stays a job when "domicile" is no place; raises ``UnknownPlace`` when the
    place words are neither a place nor part of a job title."""
    job_words, place_words = split_job_place(text)
    if not place_words:
        return JobPlaceRequest(job_words)
    departement = departement_of(referential, place_words)
    place = None if departement else await find_place(referential, place_words)
    if departement is None and place is None:
        if await names_a_job(referential, text):
            return JobPlaceRequest(text)
        raise UnknownPlace(place_words)
    return JobPlaceRequest(job_words, departement, place)


async def pressed_job(update: Update, context: Context) -> Job | None:
    """The métier a button under /match names (the press answered), or None after saying the
    button is out of date."""
    data = callbacks.from_update(update)
    job = services(context).referential.job(data.args[0]) if data is not None else None
    if job is None:
        await callbacks.stale_button(update, context)
        return None
    await answer_query(update)
    return job


async def call_service(
    update: Update, context: Context, service: str, coro: Awaitable[T]
) -> tuple[T] | None:
    """``(result,)``, or None after telling the user why the service gave nothing.

    Off (``FTServiceNotEnabled``): "service non activé pour ce bot", nothing recorded (it is
    configuration, not an outage). Busy (429 through every wait) and down: recorded for /stats.
    """
    chat = update.effective_chat
    if chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    try:
        return (await coro,)
    except FTServiceNotEnabled:
        await reply_html(update, context, t.SERVICE_OFF.format(service=escape(service)))
    except FTRateLimited as error:
        await record_ft_error(context, error)
        await reply_html(update, context, t.SERVICE_BUSY.format(service=escape(service)))
    except FTError as error:
        logger.warning(
            "France Travail %s on %s (status %s)",
            type(error).__name__,
            error.endpoint,
            error.status,
        )
        await record_ft_error(context, error)
        await reply_html(update, context, t.SERVICE_DOWN.format(service=escape(service)))
    return None
