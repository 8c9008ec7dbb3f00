"""/evolution [métier]: career moves — the métiers the ROME mobility links lead to from the
person's target jobs (or from the métier typed), ranked by how much of each their skills already
cover, with the key skills to add and, when Marché du travail is on, the recruitment tension.

Offline first: the moves and coverages come from the bundled referential
(``ft_client.careers``). The tension is a bonus fetched under a deadline: whatever has not come
back by then is left out (and keeps loading into the client's cache for next time); the service
off, busy or down never stops the answer.

Callback data (other screens link here): ``v1|evo|<ROME>`` — the moves from that métier, for
the person's skills (``evolution_button`` builds the button).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.handlers.common import (
    Context,
    answer_query,
    command_args_text,
    get_profile,
    record_ft_error,
    reply_html,
    services,
)
from bot.handlers.job_place import MAX_INPUT_CHARS, find_job
from bot.render import escape, truncate
from bot.services import Services
from bot.texts import careers as t
from bot.texts.scores import covers_short
from ft_client import FTError, FTServiceNotEnabled
from ft_client.careers import CareerMove, career_moves
from ft_client.models.market import MarketSnapshot

logger = logging.getLogger(__name__)

COMMANDS: list[tuple[str, str]] = [("evolution", t.EVOLUTION_DESCRIPTION)]

ACTION_EVOLUTION: Final = "evo"  # <ROME code>: the career moves from that métier
callbacks.register_action(ACTION_EVOLUTION, callbacks.ROME_CODE)

MOVES_SHOWN: Final = 6
MARKET_API: Final = "marche"
# The tension is looked up for the best moves only (4 calls each) and waited for this long.
TENSION_MOVES: Final = 5
MARKET_DEADLINE_SECONDS: Final = 2.5
BUTTON_LABEL: Final = "🧭 Évolution"

# Market look-ups still running after the deadline: kept referenced until they finish (they
# fill the client's cache), their errors read so that none goes unretrieved.
_background: set[asyncio.Task[MarketSnapshot]] = set()


def evolution_callback_data(rome_code: str) -> str:
    """``v1|evo|<ROME>``: the callback data of an "Évolution" button for a métier."""
    return callbacks.encode(ACTION_EVOLUTION, rome_code)


def evolution_button(rome_code: str) -> InlineKeyboardButton:
    """The "Évolution" button other screens put under a métier (works offline: always shown)."""
    return InlineKeyboardButton(BUTTON_LABEL, callback_data=evolution_callback_data(rome_code))


def _forget(task: asyncio.Task[MarketSnapshot]) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.debug("late market look-up failed: %s", type(task.exception()).__name__)


async def tensions(
    svc: Services, codes: list[str], departement: str | None
) -> tuple[dict[str, int], bool, FTError | None]:
    """(ROME code → tension 1–5, whether some figure is missing because the service was busy,
    down or slow, the first error to count). Empty when Marché du travail is off."""
    if not codes or not svc.ft.service_enabled(MARKET_API):
        return {}, False, None
    tasks = {
        code: asyncio.ensure_future(
            svc.ft.get_market(code, "DEP", departement) if departement else svc.ft.get_market(code)
        )
        for code in codes
    }
    done, pending = await asyncio.wait(tasks.values(), timeout=MARKET_DEADLINE_SECONDS)
    for task in pending:
        _background.add(task)
        task.add_done_callback(_forget)
    found: dict[str, int] = {}
    missing = bool(pending)
    first_error: FTError | None = None
    for code, task in tasks.items():
        if task not in done:
            continue
        error = task.exception()
        if isinstance(error, FTServiceNotEnabled):
            return {}, False, None  # off: the feature is hidden, nothing to explain
        if error is not None:
            missing = True
            if isinstance(error, FTError) and first_error is None:
                first_error = error
            else:
                logger.warning("market look-up failed: %s", type(error).__name__)
            continue
        snapshot = task.result()
        if snapshot.tension is not None:
            found[code] = snapshot.tension
    return found, missing, first_error


def evolution_card(
    origins: list[str], moves: list[CareerMove], tension: dict[str, int], market_missing: bool
) -> str:
    jobs = ", ".join(escape(truncate(label, 60)) for label in origins)
    if not moves:
        return t.EVOLUTION_NONE.format(jobs=jobs)
    lines = [t.EVOLUTION_TITLE.format(jobs=jobs), t.EVOLUTION_INTRO, ""]
    for number, move in enumerate(moves, start=1):
        lines.append(
            t.EVOLUTION_MOVE.format(
                n=number,
                label=escape(truncate(move.label, 70)),
                code=move.rome_code,
                covers=covers_short(move.coverage),
            )
        )
        if len(origins) > 1:
            lines.append(t.EVOLUTION_FROM.format(origin=escape(truncate(move.from_label, 60))))
        level = tension.get(move.rome_code)
        if level is not None:
            bar = "●" * level + "○" * (5 - level)
            word = t.TENSION_WORDS.get(level, "")
            lines.append(t.EVOLUTION_TENSION.format(bar=bar, level=level, word=word))
        if move.skills_to_add:
            skills = " ; ".join(escape(truncate(s, 80)) for s in move.skills_to_add)
            lines.append(t.EVOLUTION_TO_ADD.format(skills=skills))
        else:
            lines.append(t.EVOLUTION_NOTHING_TO_ADD)
        lines.append("")
    if market_missing:
        lines.append(t.EVOLUTION_MARKET_LATER)
    lines += [t.EVOLUTION_ADD_SKILLS, t.EVOLUTION_SOURCE]
    return "\n".join(lines)


def evolution_keyboard(moves: list[CareerMove]) -> InlineKeyboardMarkup | None:
    """One "🎯 n" button a move: /match for that métier."""
    if not moves:
        return None
    buttons = [
        InlineKeyboardButton(
            t.EVOLUTION_MATCH_BUTTON.format(n=number),
            callback_data=callbacks.encode("match", move.rome_code),
        )
        for number, move in enumerate(moves, start=1)
    ]
    return InlineKeyboardMarkup([buttons[:3], buttons[3:]] if len(buttons) > 3 else [buttons])


async def _answer(
    update: Update, context: Context, skills: tuple[str, ...], origins: list[tuple[str, str]]
) -> None:
    svc = services(context)
    codes = [code for code, _ in origins]
    moves = await asyncio.to_thread(career_moves, skills, codes, svc.referential, limit=MOVES_SHOWN)
    profile = await get_profile(update, context)
    departement = None
    if profile is not None and profile.place_code:
        home = svc.referential.place(profile.place_code)
        departement = home.departement if home is not None else None
    shown_codes = [m.rome_code for m in moves[:TENSION_MOVES]]
    tension, missing, error = await tensions(svc, shown_codes, departement)
    if error is not None:
        # Once per answer for /stats, not once per métier.
        await record_ft_error(context, error)
    text = evolution_card([label for _, label in origins], moves, tension, missing)
    await reply_html(update, context, text, evolution_keyboard(moves))


async def evolution_command(update: Update, context: Context) -> None:
    words = command_args_text(context)
    profile = await get_profile(update, context)
    if profile is None:
        await reply_html(update, context, t.EVOLUTION_NO_PROFILE)
        return
    if len(words) > MAX_INPUT_CHARS:
        await reply_html(update, context, t.EVOLUTION_TOO_LONG.format(limit=MAX_INPUT_CHARS))
        return
    if words:
        found = await find_job(services(context).referential, words)
        if found is None:
            escaped = escape(truncate(words, 60))
            await reply_html(update, context, t.EVOLUTION_UNKNOWN_WORDS.format(words=escaped))
            return
        origins = [found]
    else:
        origins = [(job.code, job.label) for job in profile.target_jobs]
        if not origins:
            await reply_html(update, context, t.EVOLUTION_NO_TARGETS)
            return
    await _answer(update, context, tuple(profile.skills), origins)


async def evolution_button_pressed(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    await answer_query(update)
    if data is None:
        return
    profile = await get_profile(update, context)
    if profile is None:
        await reply_html(update, context, t.EVOLUTION_NO_PROFILE)
        return
    job = services(context).referential.job(data.args[0])
    if job is None:
        await reply_html(update, context, t.EVOLUTION_UNKNOWN_JOB)
        return
    await _answer(update, context, tuple(profile.skills), [(job.code, job.label)])


def register(application: Application) -> None:
    # block=False: the market look-up must not hold up the other users' updates.
    application.add_handler(CommandHandler("evolution", evolution_command, block=False))
    application.add_handler(
        CallbackQueryHandler(
            evolution_button_pressed, pattern=callbacks.pattern(ACTION_EVOLUTION), block=False
        )
    )
