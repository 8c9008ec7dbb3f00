"""/match <ROME code | job words>: the user's skills against a job, and the best offers near them.

Also home of the "the bot asked a question, the next plain text is the answer" mechanism
(`AwaitingTextHandler`, `set_awaiting`), used here to ask for skills inline when the user has
none yet, by /metiers for the same reason and by /alertes for a typed time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import re
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Final

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks, cards, offer_cards
from bot.criteria import Criteria, criteria_for, origin_of
from bot.handlers.common import (
    Context,
    answer_query,
    command_args_text,
    ft_guard,
    has_letter,
    reply_html,
    services,
)
from bot.handlers.market import market_button
from bot.handlers.match_links import (
    departement_of_profile,
    market_tension,
    services_row,
    soft_skill_labels,
)
from bot.handlers.offer import remember_offers
from bot.handlers.soft_skills import soft_skills_button
from bot.hidden_offers import hidden_set, visible
from bot.job_lookup import look_up_jobs
from bot.render import escape, truncate
from bot.searches import remember_criteria
from bot.services import Services
from bot.soft_skill_profile import coverage_line
from bot.texts import commands as t
from ft_client import OfferQuery
from ft_client.matching import (
    FIND_JOBS_THRESHOLD,
    MatchReport,
    clean_phrases,
    find_jobs,
    is_alias,
    is_recognised,
    looks_like_place,
    match_job,
    rank_offers,
)
from ft_client.referential import Job, JobHit, Referential
from storage import Profile
from storage.models import MAX_SKILL_LENGTH, MAX_SKILLS

logger = logging.getLogger(__name__)

COMMANDS: list[tuple[str, str]] = [("match", t.MATCH_DESCRIPTION)]

OFFERS_SHOWN: Final = 3  # with the score and skills, all on one phone screen
OFFERS_RANKED: Final = 50  # one France Travail page, ranked locally
ALTERNATIVES_SHOWN: Final = 3
# A close match worth offering as a button when the words name no job with confidence.
MIN_CLOSE_MATCH: Final = 0.5
MAX_QUERY_CHARS: Final = 200
_ROME_CODE_RE: Final = re.compile(r"^\s*([A-Na-n])\s*(\d{4})\s*$")
_CODE_LIKE_RE: Final = re.compile(r"^\s*[A-Za-z]\s*\d{3,5}\s*$")

# ------------------------------------------------------------------ awaiting a typed answer

AWAIT_KEY: Final = "awaiting"
AWAIT_SECONDS: Final = 15 * 60
AWAIT_SKILLS_FOR_MATCH: Final = "skills_match"

TextCallback = Callable[[Update, Context], Coroutine[Any, Any, Any]]


def set_awaiting(context: Context, kind: str, **data: str) -> None:
    """Remember that the next plain text of this user answers question ``kind``."""
    if context.user_data is not None:
        context.user_data[AWAIT_KEY] = {"kind": kind, "at": int(time.time()), **data}


def get_awaiting(context: Context) -> dict[str, Any]:
    found = context.user_data.get(AWAIT_KEY) if context.user_data is not None else None
    return found if isinstance(found, dict) else {}


def clear_awaiting(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop(AWAIT_KEY, None)


class AwaitingTextHandler(MessageHandler):
    """Plain text (not a command) from a user the bot just asked question ``kind``.

    The question is stored in ``user_data`` (persisted, so it survives a restart) with the time
    it was asked; after ``AWAIT_SECONDS`` the text is no longer taken as the answer.
    """

    def __init__(self, kind: str, callback: TextCallback, application: Application) -> None:
        # New private messages only: editing an old message must not answer a new question.
        super().__init__(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
            callback,
        )
        self.kind = kind
        self._application = application

    def check_update(self, update: object) -> Any:
        result = super().check_update(update)
        if not result or not isinstance(update, Update) or update.effective_user is None:
            return False
        awaiting = pending_question(self._application, update.effective_user.id)
        if awaiting is None or awaiting.get("kind") != self.kind:
            return False
        return result


def pending_question(application: Application, user_id: int) -> dict[str, Any] | None:
    """The question the bot asked this user and still waits for (skills, a time…), if fresh."""
    # Mapping access without creating an entry (user_data is a defaultdict underneath).
    data = application.user_data.get(user_id)
    awaiting = data.get(AWAIT_KEY) if isinstance(data, dict) else None
    if not isinstance(awaiting, dict):
        return None
    if time.time() - float(awaiting.get("at", 0)) > AWAIT_SECONDS:
        return None
    return awaiting


def parse_skills(text: str) -> tuple[list[str], int]:
    """Skills typed by the user → (phrases kept, number refused as too long).

    Comma-, semicolon- or line-separated; phrases without any letter (emoji, punctuation) and
    duplicates are dropped; at most ``MAX_SKILLS`` are kept (storage limits).
    """
    phrases = clean_phrases(text[: MAX_SKILLS * (MAX_SKILL_LENGTH + 2)])
    kept = [p for p in phrases if len(p) <= MAX_SKILL_LENGTH and any(c.isalpha() for c in p)]
    too_long = sum(1 for p in phrases if len(p) > MAX_SKILL_LENGTH)
    return kept, too_long


async def store_typed_skills(update: Update, context: Context) -> list[str] | None:
    """Parse and store the skills in the user's message; None (after explaining) if none."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not message.text:
        return None
    skills, too_long = parse_skills(message.text)
    if not skills:
        await reply_html(update, context, t.SKILLS_EMPTY)
        return None
    notes = []
    if len(skills) > MAX_SKILLS:
        skills = skills[:MAX_SKILLS]
        notes.append(t.SKILLS_TOO_MANY.format(limit=MAX_SKILLS))
    if too_long:
        notes.append(t.skills_too_long(too_long, MAX_SKILL_LENGTH))
    storage = services(context).storage
    # Private chats only (bot.private_chat): the private chat's id is the user's id.
    await storage.upsert_user(user.id, user.id, user.first_name, user.language_code)
    if await storage.get_profile(user.id) is None:
        # A first profile from this one answer: the user never chose daily alerts, so they
        # stay off until /start or /alertes (storage's default would subscribe them).
        await storage.upsert_profile(
            Profile(user_id=user.id, skills=tuple(skills), alerts_enabled=False)
        )
    else:
        await storage.set_skills(user.id, skills)
    clear_awaiting(context)
    await reply_html(update, context, "\n".join([t.skills_saved(len(skills)), *notes]))
    return skills


# ------------------------------------------------------------------ resolving the job


@dataclass(frozen=True, slots=True)
class ResolvedJob:
    """What /match's words name: a recognised job (with alternatives), or close matches only,
    or a place typed instead of a job."""

    job: Job | None
    alternatives: tuple[tuple[str, str], ...] = ()  # (code, label): other recognised jobs
    close: tuple[tuple[str, str], ...] = ()  # (code, label) when no job is recognised
    place: str | None = None  # the town's name when the words name a place, not a job


def resolve_job(ref: Referential, text: str, hits: Sequence[JobHit] | None = None) -> ResolvedJob:
    """The job meant by ``text`` (a ROME code or words), up to 3 alternatives, or, when the
    words name no job with enough confidence, the close matches or the place they name.

    ``hits``: the métiers already looked up for the words (ROMEO and offline, best first);
    the offline look-up alone when not given."""
    text = text[:MAX_QUERY_CHARS]
    code = _ROME_CODE_RE.match(text)
    if code:
        return ResolvedJob(ref.job(code.group(1).upper() + code.group(2)))
    if not has_letter(text):
        return ResolvedJob(None)
    if hits is None:
        try:
            hits = find_jobs(text, ref, limit=1 + ALTERNATIVES_SHOWN)
        except ValueError:
            return ResolvedJob(None)
    if not is_recognised(list(hits)):
        place = looks_like_place(text, ref)
        if place is not None:
            return ResolvedJob(None, place=place.name)
        close = tuple((h.rome_code, h.job_label) for h in hits if h.score >= MIN_CLOSE_MATCH)
        return ResolvedJob(None, close=close[:ALTERNATIVES_SHOWN])
    job = ref.job(hits[0].rome_code)
    recognised = [h for h in hits[1:] if h.score >= FIND_JOBS_THRESHOLD]
    return ResolvedJob(job, tuple((h.rome_code, h.job_label) for h in recognised))


async def resolve_words(svc: Services, text: str) -> ResolvedJob:
    """``resolve_job`` with the words looked up by ROMEO when subscribed and confident (the
    offline look-up otherwise), like onboarding: words the curated alias table knows keep the
    offline answer, and a ROME code needs no look-up."""
    text = text[:MAX_QUERY_CHARS]
    hits: list[JobHit] | None = None
    if has_letter(text) and not _ROME_CODE_RE.match(text) and not is_alias(text):
        hits = (await look_up_jobs([text], svc, limit=1 + ALTERNATIVES_SHOWN))[0]
    # CPU work (the offline look-up, the place question): off the event loop.
    offline = await asyncio.to_thread(resolve_job, svc.referential, text)
    if hits is None or offline.place is not None:
        # A town stays a town: ROMEO may be confident about "Tours" too.
        return offline
    return await asyncio.to_thread(resolve_job, svc.referential, text, hits)


def match_criteria(profile: Profile, ref: Referential, rome_code: str) -> Criteria:
    """The profile's criteria (place, radius, contract types) for this one job."""
    return criteria_for(profile, ref, rome_codes=(rome_code,))


def offer_query(profile: Profile, ref: Referential, rome_code: str) -> OfferQuery:
    """Offers of this job around the user's place (the whole city for an arrondissement)."""
    return match_criteria(profile, ref, rome_code).query(ref)


def match_view(
    job: Job,
    report: MatchReport,
    ranked: Sequence[Any],
    profile: Profile,
    *,
    offers_error: bool,
    other_targets: Sequence[tuple[str, str]],
    origin: tuple[float, float] | None = None,
    soft_line: str | None = None,
    tension: int | None = None,
) -> cards.MatchView:
    return cards.MatchView(
        job_code=job.code,
        job_label=job.label,
        score=report.score,
        matched=tuple(cards.MatchedSkillView(m.user_skill, m.skill_label) for m in report.matched),
        missing=tuple(m.label for m in report.missing),
        recommendations=tuple(report.recommendations),
        offers=tuple(cards.RankedOfferView(r.offer, r.score, tuple(r.reasons)) for r in ranked),
        place_label=profile.place_label if profile.place_code else None,
        radius_km=profile.radius_km if profile.place_code else None,
        offers_error=offers_error,
        other_targets=tuple(other_targets),
        transversal=tuple((x.label, x.category) for x in report.transversal),
        origin=origin,
        soft_line=soft_line,
        tension=tension,
    )


async def show_match(
    update: Update,
    context: Context,
    job: Job,
    *,
    other_targets: Sequence[tuple[str, str]] = (),
) -> None:
    """The match report for ``job``, or the inline question for skills if there are none."""
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    profile = await svc.storage.get_profile(user.id)
    if profile is None or not profile.skills:
        set_awaiting(context, AWAIT_SKILLS_FOR_MATCH, job=job.code)
        await reply_html(update, context, t.MATCH_ASK_SKILLS.format(job=escape(job.label)))
        return
    # Matching is CPU work: off the event loop so that other users keep being served.
    report = await asyncio.to_thread(
        functools.partial(match_job, profile.skills, job, referential=svc.referential)
    )
    criteria = match_criteria(profile, svc.referential, job.code)
    # The market line is a bonus asked at the same time as the offers, under its own deadline.
    page, tension = await asyncio.gather(
        ft_guard(
            update,
            context,
            svc.search_offers(criteria.query(svc.referential), 0, OFFERS_RANKED),
        ),
        market_tension(svc, job.code, departement_of_profile(profile, svc.referential)),
    )
    ranked: list[Any] = []
    if page is not None:
        hidden = await hidden_set(svc.storage, profile.user_id, context.user_data)
        ranked = (
            await asyncio.to_thread(
                functools.partial(
                    rank_offers,
                    svc.match_profile(profile),
                    visible(page.offers, hidden),
                    referential=svc.referential,
                )
            )
        )[:OFFERS_SHOWN]
        remember_offers(context, [r.offer for r in ranked])
    if not other_targets:
        other_targets = [(j.code, j.label) for j in profile.target_jobs if j.code != job.code]
    view = match_view(
        job,
        report,
        ranked,
        profile,
        offers_error=page is None,
        other_targets=other_targets,
        origin=origin_of(svc.referential, criteria.commune_code),
        soft_line=coverage_line(context.user_data, job.code),
        tension=tension,
    )
    exits: list[Any] = []
    if page is not None and not ranked:
        # No offer: a way forward (wider radius, all of France, any contract) as a search.
        key = remember_criteria(context, job.label, criteria)
        exits = offer_cards.change_buttons(criteria, key)
    await reply_html(
        update,
        context,
        cards.match_report(view, criteria.summary()),
        cards.match_keyboard(
            view,
            exits,
            services=services_row(job.code, svc),
            market=market_button(job.code) if tension is not None else None,
        ),
    )


async def detail_button(update: Update, context: Context) -> None:
    """ "Détail": every matched and missing skill and the advice, for the job of the report."""
    data = callbacks.from_update(update)
    user = update.effective_user
    svc = services(context)
    job = svc.referential.job(data.args[0]) if data is not None else None
    profile = await svc.storage.get_profile(user.id) if user is not None else None
    if job is None or profile is None or not profile.skills:
        await answer_query(update, t.STALE_BUTTON, alert=True)
        return
    await answer_query(update)
    report = await asyncio.to_thread(
        functools.partial(match_job, profile.skills, job, referential=svc.referential)
    )
    soft_skills = await soft_skill_labels(svc, job.code)
    view = match_view(job, report, [], profile, offers_error=False, other_targets=())
    view = dataclasses.replace(view, soft_skills=soft_skills or ())
    button = soft_skills_button(job.code, svc) if soft_skills else None
    keyboard = InlineKeyboardMarkup([[button]]) if button is not None else None
    await reply_html(update, context, cards.match_detail(view), keyboard)


# ------------------------------------------------------------------ handlers


async def match_command(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    text = command_args_text(context)
    if not text:
        profile = await svc.storage.get_profile(user.id)
        targets = [(j.code, j.label) for j in profile.target_jobs] if profile else []
        if len(targets) == 1 and (job := svc.referential.job(targets[0][0])) is not None:
            await show_match(update, context, job)
        elif targets:
            await reply_html(
                update, context, t.MATCH_PICK_TARGET, cards.target_jobs_keyboard(targets)
            )
        else:
            await reply_html(update, context, t.MATCH_USAGE)
        return
    resolved = await resolve_words(svc, text)
    if resolved.job is None:
        shown = escape(truncate(" ".join(text.split()), 60))
        if _CODE_LIKE_RE.match(text):
            await reply_html(update, context, t.MATCH_UNKNOWN_CODE.format(code=shown))
        elif resolved.place is not None:
            await reply_html(update, context, t.match_is_place(escape(resolved.place)))
        elif resolved.close:
            await reply_html(
                update,
                context,
                t.MATCH_NOT_RECOGNISED.format(words=shown),
                cards.target_jobs_keyboard(list(resolved.close)),
            )
        else:
            await reply_html(update, context, t.MATCH_UNKNOWN_WORDS.format(words=shown))
        return
    await show_match(update, context, resolved.job, other_targets=resolved.alternatives)


async def match_button(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    job = services(context).referential.job(data.args[0]) if data is not None else None
    if job is None:  # a well-formed code that is not in the referential: a forged button
        await answer_query(update, t.STALE_BUTTON, alert=True)
        return
    await answer_query(update)
    await show_match(update, context, job)


async def skills_for_match(update: Update, context: Context) -> None:
    code = str(get_awaiting(context).get("job", ""))
    skills = await store_typed_skills(update, context)
    if skills is None:
        return
    job = services(context).referential.job(code)
    if job is not None:
        await show_match(update, context, job)


def register(application: Application) -> None:
    # block=False: a slow France Travail answer must not hold up the other users' updates
    # (PTB handles updates one after the other otherwise).
    application.add_handler(CommandHandler("match", match_command, block=False))
    application.add_handler(
        CallbackQueryHandler(
            match_button, pattern=callbacks.pattern(cards.ACTION_MATCH), block=False
        )
    )
    application.add_handler(
        CallbackQueryHandler(
            detail_button, pattern=callbacks.pattern(cards.ACTION_MATCH_DETAIL), block=False
        )
    )
    application.add_handler(
        AwaitingTextHandler(AWAIT_SKILLS_FOR_MATCH, skills_for_match, application)
    )
