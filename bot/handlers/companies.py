"""/entreprises [métier] [à lieu]: companies likely to hire (La Bonne Boîte), for spontaneous
applications, with a ⭐ button to keep one; ``/entreprises favoris`` lists the kept ones.

Without a métier the profile's target jobs are used, without a place the profile's commune and
radius. Kept companies live in ``user_data`` (PTB persistence): ``/mesdonnees`` exports them and
``/supprimer`` erases them with the rest, and no storage table is needed for a handful of
snapshots per person. The service is optional: when the bot is not subscribed to it the person
is told so and everything else keeps working.
"""

from __future__ import annotations

from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.criteria import Criteria
from bot.handlers.common import (
    Context,
    answer_query,
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
from bot.searches import recall_search
from bot.services import Services
from bot.texts import services as t
from ft_client.models.companies import HiringCompany
from ft_client.referential import Place, haversine_km
from storage.models import DEFAULT_RADIUS_KM

COMMANDS: list[tuple[str, str]] = [("entreprises", t.COMPANIES_DESCRIPTION)]

SHOWN: Final = 5
MIN_RADIUS_KM: Final = 5  # "my commune only" (0 km) would find next to nothing
SHOWN_KEY: Final = "companies_shown"  # siret -> snapshot of the companies last shown
SAVED_KEY: Final = "saved_companies"  # list of snapshots, newest first
SHOWN_KEPT: Final = 30
SAVED_LIMIT: Final = 30
FAVOURITE_WORDS: Final = frozenset({"favoris", "favori", "sauvegardées", "sauvegardees", "mes"})
SIRET: Final = r"\d{14}"

callbacks.register_action("cofav", SIRET)  # keep a company shown by /entreprises
callbacks.register_action("counfav", SIRET)  # drop a kept company
ACTION_JOB: Final = "coj"  # <ROME code>: companies for a métier near the person (/match)
ACTION_SEARCH: Final = "cos"  # <search key>: companies for an empty search's métier and place
callbacks.register_action(ACTION_JOB, callbacks.ROME_CODE)
callbacks.register_action(ACTION_SEARCH, callbacks.KEY)
BUTTON_LABEL: Final = "🏢 Entreprises"
SEARCH_BUTTON_LABEL: Final = "🏢 Entreprises qui recrutent"
SERVICE_API: Final = "labonneboite"


def companies_button(rome_code: str, svc: Services) -> InlineKeyboardButton | None:
    """« 🏢 Entreprises » for a métier (under /match); None while La Bonne Boîte is off."""
    if not svc.ft.service_enabled(SERVICE_API):
        return None
    return InlineKeyboardButton(BUTTON_LABEL, callback_data=callbacks.encode(ACTION_JOB, rome_code))


def search_companies_button(
    criteria: Criteria, search_key: str, svc: Services
) -> InlineKeyboardButton | None:
    """« 🏢 Entreprises qui recrutent » under an empty search of a métier; None for a search by
    keywords only, or while La Bonne Boîte is off."""
    if not criteria.rome_codes or not svc.ft.service_enabled(SERVICE_API):
        return None
    return InlineKeyboardButton(
        SEARCH_BUTTON_LABEL, callback_data=callbacks.encode(ACTION_SEARCH, search_key)
    )


def _snapshot(company: HiringCompany, distance_km: float | None) -> dict[str, Any]:
    """What is kept of a company: enough to show it again without asking La Bonne Boîte."""
    return {
        "siret": company.siret,
        "name": company.name,
        "city": company.city,
        "naf_label": company.naf_label,
        "headcount": [company.headcount_min, company.headcount_max],
        "email": company.email_available,
        "distance_km": distance_km,
        "rome": company.rome,
    }


def _distance(place: Place | None, company: HiringCompany) -> float | None:
    if place is None or place.latitude is None or place.longitude is None:
        return None
    if company.latitude is None or company.longitude is None:
        return None
    return haversine_km(place.latitude, place.longitude, company.latitude, company.longitude)


def _company_lines(number: int, snap: dict[str, Any], company: HiringCompany | None) -> str:
    where = escape(snap.get("city") or "")
    distance = snap.get("distance_km")
    if distance is not None:
        where += f", {distance:.1f} km".replace(".", ",")
    low, high = (snap.get("headcount") or [None, None])[:2]
    facts = [escape(truncate(snap.get("naf_label") or "", 60)), t.employees(low, high)]
    lines = [f"{number}. <b>{escape(truncate(snap['name'], 60))}</b> — {where}"]
    lines.append(" · ".join(f for f in facts if f))
    details = []
    if company is not None:
        if company.is_high_potential:
            details.append(t.COMPANY_HIGH_POTENTIAL)
        elif company.hiring_potential is not None:
            score = f"{company.hiring_potential:.1f}".replace(".", ",")
            details.append(t.COMPANY_POTENTIAL.format(score=score))
    if snap.get("email") is True:
        details.append(t.COMPANY_EMAIL_YES)
    elif snap.get("email") is False:
        details.append(t.COMPANY_EMAIL_NO)
    if details:
        lines.append(" · ".join(details))
    return "\n".join(lines)


async def companies_command(update: Update, context: Context) -> None:
    text = command_args_text(context)
    if len(text) > MAX_INPUT_CHARS:
        await reply_html(
            update,
            context,
            t.INPUT_TOO_LONG.format(limit=MAX_INPUT_CHARS, example=t.COMPANIES_EXAMPLE),
        )
        return
    if text.lower() in FAVOURITE_WORDS:
        await show_saved(update, context)
        return
    svc = services(context)
    ref = svc.referential
    profile = await get_profile(update, context)
    try:
        request = await read_job_place(ref, text)
    except UnknownPlace as unknown:
        place_text = escape(truncate(unknown.words, 60))
        await reply_html(
            update, context, t.UNKNOWN_PLACE.format(place=place_text, example=t.COMPANIES_EXAMPLE)
        )
        return
    job_words, place, departement = request.job_words, request.place, request.departement
    if job_words:
        job = await find_job(ref, job_words)
        if job is None:
            words = escape(truncate(job_words, 60))
            await reply_html(update, context, t.COMPANIES_UNKNOWN_JOB.format(words=words))
            return
        jobs = [job]
    elif profile is not None and profile.target_jobs:
        jobs = [(j.code, j.label) for j in profile.target_jobs]
    else:
        await reply_html(update, context, t.COMPANIES_USAGE)
        return
    radius = DEFAULT_RADIUS_KM
    if place is None and departement is None and profile is not None and profile.place_code:
        place = ref.place(profile.place_code)
        radius = max(MIN_RADIUS_KM, profile.radius_km)
    await show_companies(update, context, jobs, place, departement, radius)


async def show_companies(
    update: Update,
    context: Context,
    jobs: list[tuple[str, str]],
    place: Place | None,
    departement: str | None,
    radius: int,
) -> None:
    """The companies likely to hire for ``jobs`` (code, label) around ``place`` (within
    ``radius`` km) or in ``departement``; the person is told when neither is known."""
    svc = services(context)
    ref = svc.referential
    job_label = escape(truncate(jobs[0][1], 60)) + (" …" if len(jobs) > 1 else "")
    if departement is None and (place is None or place.latitude is None):
        await reply_html(update, context, t.COMPANIES_NEED_PLACE.format(job=escape(jobs[0][0])))
        return
    codes = [code for code, _ in jobs]
    if departement is not None:
        search = svc.ft.search_companies(codes, department=departement, page_size=SHOWN)
        where = escape(ref.departement_name(departement) or departement)
    else:
        assert place is not None
        search = svc.ft.search_companies(
            codes,
            latitude=place.latitude,
            longitude=place.longitude,
            distance_km=radius,
            page_size=SHOWN,
        )
        where = escape(place.name)
    result = await call_service(update, context, t.LA_BONNE_BOITE, search)
    if result is None:
        return
    page = result[0]
    if not page.items:
        await reply_html(
            update, context, t.COMPANIES_NONE.format(job=job_label, km=radius, place=where)
        )
        return
    snaps = [_snapshot(c, _distance(place, c)) for c in page.items]
    _remember_shown(context, snaps)
    title = t.COMPANIES_TITLE.format(
        job=job_label, place=where, km=radius, count=t.companies_count(page.hits)
    )
    body = [
        _company_lines(n, snap, c)
        for n, (snap, c) in enumerate(zip(snaps, page.items, strict=True), start=1)
    ]
    buttons = [
        InlineKeyboardButton(
            t.COMPANY_SAVE_BUTTON.format(n=n), callback_data=callbacks.encode("cofav", s["siret"])
        )
        for n, s in enumerate(snaps, start=1)
    ]
    text_out = "\n\n".join([title, *body, t.COMPANIES_HOW_TO_APPLY])
    await reply_html(update, context, text_out, InlineKeyboardMarkup([buttons]))


async def job_button(update: Update, context: Context) -> None:
    """« 🏢 Entreprises » under /match: that métier around the person's place."""
    job = await pressed_job(update, context)
    if job is None:
        return
    svc = services(context)
    profile = await get_profile(update, context)
    place = svc.referential.place(profile.place_code) if profile and profile.place_code else None
    radius = max(MIN_RADIUS_KM, profile.radius_km) if profile else DEFAULT_RADIUS_KM
    await show_companies(update, context, [(job.code, job.label)], place, None, radius)


async def search_button(update: Update, context: Context) -> None:
    """« 🏢 Entreprises qui recrutent » under an empty search: its métier and its place (the
    profile's when the search had none, or only a region)."""
    data = callbacks.from_update(update)
    search = recall_search(context, data.args[0]) if data is not None else None
    criteria = Criteria.from_dict(search.get("c")) if search is not None else None
    svc = services(context)
    ref = svc.referential
    job = ref.job(criteria.rome_codes[0]) if criteria and criteria.rome_codes else None
    if criteria is None or job is None:
        await callbacks.stale_button(update, context)
        return
    await answer_query(update)
    place = ref.place(criteria.commune_code) if criteria.commune_code else None
    radius = max(MIN_RADIUS_KM, criteria.radius_km or DEFAULT_RADIUS_KM)
    departement = criteria.departement if place is None else None
    if place is None and departement is None:
        profile = await get_profile(update, context)
        if profile is not None and profile.place_code:
            place = ref.place(profile.place_code)
            radius = max(MIN_RADIUS_KM, profile.radius_km)
    await show_companies(update, context, [(job.code, job.label)], place, departement, radius)


def _remember_shown(context: Context, snaps: list[dict[str, Any]]) -> None:
    if context.user_data is None:
        return
    shown = context.user_data.get(SHOWN_KEY)
    shown = dict(shown) if isinstance(shown, dict) else {}
    for snap in snaps:
        shown.pop(snap["siret"], None)
        shown[snap["siret"]] = snap
    while len(shown) > SHOWN_KEPT:
        shown.pop(next(iter(shown)))
    context.user_data[SHOWN_KEY] = shown


def saved_companies(context: Context) -> list[dict[str, Any]]:
    saved = context.user_data.get(SAVED_KEY) if context.user_data is not None else None
    return [s for s in saved if isinstance(s, dict)] if isinstance(saved, list) else []


async def save_company(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    siret = data.arg(0) if data else None
    shown = context.user_data.get(SHOWN_KEY) if context.user_data is not None else None
    snap = shown.get(siret) if isinstance(shown, dict) and siret else None
    if snap is None or context.user_data is None:  # shown too long ago (or forged)
        await callbacks.stale_button(update, context)
        return
    saved = saved_companies(context)
    if any(s.get("siret") == siret for s in saved):
        await answer_query(update, t.COMPANY_ALREADY_SAVED)
        return
    if len(saved) >= SAVED_LIMIT:
        await answer_query(update, t.COMPANIES_FULL.format(limit=SAVED_LIMIT), alert=True)
        return
    context.user_data[SAVED_KEY] = [snap, *saved]
    # Written now, not at the next periodic flush: /mesdonnees reads the database.
    await context.application.update_persistence()
    await answer_query(update)
    name = escape(truncate(snap["name"], 60))
    await reply_html(update, context, t.COMPANY_SAVED.format(name=name))


async def show_saved(update: Update, context: Context) -> None:
    saved = saved_companies(context)
    if not saved:
        await reply_html(update, context, t.COMPANIES_SAVED_NONE)
        return
    body = [_company_lines(n, snap, None) for n, snap in enumerate(saved, start=1)]
    rows = [
        InlineKeyboardButton(
            t.COMPANY_REMOVE_BUTTON.format(n=n),
            callback_data=callbacks.encode("counfav", s["siret"]),
        )
        for n, s in enumerate(saved, start=1)
    ]
    keyboard = InlineKeyboardMarkup([rows[i : i + 5] for i in range(0, len(rows), 5)])
    await reply_html(update, context, "\n\n".join([t.COMPANIES_SAVED_TITLE, *body]), keyboard)


async def remove_company(update: Update, context: Context) -> None:
    data = callbacks.from_update(update)
    siret = data.arg(0) if data else None
    saved = saved_companies(context)
    kept = [s for s in saved if s.get("siret") != siret]
    if context.user_data is None or len(kept) == len(saved):
        await callbacks.stale_button(update, context)
        return
    context.user_data[SAVED_KEY] = kept
    await context.application.update_persistence()
    await answer_query(update, t.COMPANY_REMOVED)
    await show_saved(update, context)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("entreprises", companies_command, block=False))
    application.add_handler(CallbackQueryHandler(save_company, pattern=callbacks.pattern("cofav")))
    application.add_handler(
        CallbackQueryHandler(remove_company, pattern=callbacks.pattern("counfav"))
    )
    application.add_handler(
        CallbackQueryHandler(job_button, pattern=callbacks.pattern(ACTION_JOB), block=False)
    )
    application.add_handler(
        CallbackQueryHandler(search_button, pattern=callbacks.pattern(ACTION_SEARCH), block=False)
    )
