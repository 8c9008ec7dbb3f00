"""/marche <métier> [lieu]: the job market of a métier (Marché du travail v1) — recruitment
tension 1–5 with its strongest factors, offers and hires over the quarter, salary range.

The territory is the département of the place typed ("à Lyon", "69", "75015"), else the
profile's, else France. Answers are cached by the client per (métier, territory, quarter).
"""

from __future__ import annotations

from typing import Final

from telegram import InlineKeyboardButton, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.handlers.common import (
    Context,
    command_args_text,
    get_profile,
    reply_html,
    services,
)
from bot.handlers.job_place import (
    MAX_INPUT_CHARS,
    UnknownPlace,
    call_service,
    find_job,
    pressed_job,
    read_job_place,
)
from bot.render import escape, truncate
from bot.texts import services as t
from ft_client.models.market import MarketSnapshot

COMMANDS: list[tuple[str, str]] = [("marche", t.MARKET_DESCRIPTION)]

FACTORS_SHOWN: Final = 3
ACTION_JOB: Final = "mkj"  # <ROME code>: the market of a métier in the person's département
callbacks.register_action(ACTION_JOB, callbacks.ROME_CODE)
BUTTON_LABEL: Final = "📊 Marché"


def market_button(rome_code: str) -> InlineKeyboardButton:
    """« 📊 Marché » for a métier (under /match)."""
    return InlineKeyboardButton(BUTTON_LABEL, callback_data=callbacks.encode(ACTION_JOB, rome_code))


def market_card(job_label: str, snapshot: MarketSnapshot, territory_name: str) -> str:
    """The /marche answer, short enough for a phone screen."""
    period = f" · {escape(snapshot.period_label)}" if snapshot.period_label else ""
    title = t.MARKET_TITLE.format(
        job=escape(truncate(job_label, 70)), territory=escape(territory_name), period=period
    )
    if snapshot.empty:
        return "\n".join([title, "", t.MARKET_EMPTY.format(job=escape(truncate(job_label, 70)))])
    lines = [title, ""]
    if snapshot.tension is not None:
        level = snapshot.tension
        lines.append(
            t.MARKET_TENSION.format(
                bar="●" * level + "○" * (5 - level), level=level, word=t.TENSION_WORDS[level]
            )
        )
        if snapshot.factors:
            lines.append(t.MARKET_FACTORS)
            lines += [
                t.MARKET_FACTOR.format(label=escape(f.label), level=f.level)
                for f in snapshot.factors[:FACTORS_SHOWN]
            ]
        lines.append("")
    if snapshot.offers is not None:
        lines.append(t.MARKET_OFFERS.format(count=t.thousands(snapshot.offers)))
    if snapshot.hires is not None:
        lines.append(t.MARKET_HIRES.format(count=t.thousands(snapshot.hires)))
    if snapshot.salary_low is not None and snapshot.salary_high is not None:
        median = snapshot.salary_median or (snapshot.salary_low + snapshot.salary_high) / 2
        lines.append(
            t.MARKET_SALARY.format(
                low=t.thousands(snapshot.salary_low),
                high=t.thousands(snapshot.salary_high),
                median=t.thousands(median),
            )
        )
    lines += ["", t.MARKET_SOURCE]
    return "\n".join(lines)


async def market_command(update: Update, context: Context) -> None:
    text = command_args_text(context)
    if len(text) > MAX_INPUT_CHARS:
        example = t.MARKET_EXAMPLE
        await reply_html(
            update, context, t.INPUT_TOO_LONG.format(limit=MAX_INPUT_CHARS, example=example)
        )
        return
    svc = services(context)
    ref = svc.referential
    try:
        request = await read_job_place(ref, text)
    except UnknownPlace as unknown:
        place_text = escape(truncate(unknown.words, 60))
        await reply_html(
            update, context, t.UNKNOWN_PLACE.format(place=place_text, example=t.MARKET_EXAMPLE)
        )
        return
    job_words = request.job_words
    departement = request.departement
    if departement is None and request.place is not None:
        departement = request.place.departement
    profile = await get_profile(update, context)
    if not job_words:
        if profile is None or not profile.target_jobs:
            await reply_html(update, context, t.MARKET_USAGE)
            return
        job = (profile.target_jobs[0].code, profile.target_jobs[0].label)
    else:
        found = await find_job(ref, job_words)
        if found is None:
            words = escape(truncate(job_words, 60))
            await reply_html(update, context, t.MARKET_UNKNOWN_JOB.format(words=words))
            return
        job = found
    if departement is None and profile is not None and profile.place_code:
        home = ref.place(profile.place_code)
        departement = home.departement if home is not None else None
    await show_market(update, context, job, departement)


async def show_market(
    update: Update, context: Context, job: tuple[str, str], departement: str | None
) -> None:
    """The market card of ``job`` (code, label) in ``departement``, else in France."""
    svc = services(context)
    ref = svc.referential
    if departement is not None:
        request = svc.ft.get_market(job[0], "DEP", departement)
        territory_name = ref.departement_name(departement) or departement
    else:
        request = svc.ft.get_market(job[0])
        territory_name = t.MARKET_FRANCE
    result = await call_service(update, context, t.MARKET_SERVICE, request)
    if result is None:
        return
    snapshot = result[0]
    await reply_html(update, context, market_card(job[1], snapshot, territory_name))


async def job_button(update: Update, context: Context) -> None:
    """« 📊 Marché » under /match: that métier in the person's département."""
    job = await pressed_job(update, context)
    if job is None:
        return
    svc = services(context)
    profile = await get_profile(update, context)
    home = svc.referential.place(profile.place_code) if profile and profile.place_code else None
    departement = home.departement if home is not None else None
    await show_market(update, context, (job.code, job.label), departement)


def register(application: Application) -> None:
    # block=False: a slow France Travail answer must not hold up the other users' updates.
    application.add_handler(CommandHandler("marche", market_command, block=False))
    application.add_handler(
        CallbackQueryHandler(job_button, pattern=callbacks.pattern(ACTION_JOB), block=False)
    )
