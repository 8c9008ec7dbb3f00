"""Onboarding (/start): a persistent ConversationHandler building the user's profile.

Steps: welcome → target jobs → skills → place → radius → alerts → summary (confirm / modify).
The same conversation edits an existing profile from the /profil buttons (entry points
``pf|<part>``), going back to the summary after the edited part.

Answers in progress live in ``context.user_data["draft"]`` as JSON values only (the persistence
stores JSON); nothing reaches the profile tables before "Confirmer". A restart of the bot in the
middle resumes at the same step; /annuler leaves at any step without saving anything.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from datetime import time
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks, texts
from bot.callbacks import encode
from bot.handlers.common import (
    MIN_JOB_SCORE,
    Context,
    answer_query,
    edit_or_reply,
    has_letter,
    reply_html,
    services,
)
from bot.render import button_text, escape, format_days_fr

logger = logging.getLogger(__name__)
T = texts.onboarding

# Conversation states (strings: the persistence stores them as JSON).
WELCOME = "welcome"
JOBS = "jobs"
SKILLS = "skills"
PLACE = "place"
RADIUS = "radius"
CONTRACTS = "contracts"
ALERTS = "alerts"
SUMMARY = "summary"
END = ConversationHandler.END

CONVERSATION_NAME = "onboarding"
CONVERSATION_TIMEOUT_SECONDS = 30 * 60
DRAFT = "draft"

MAX_JOBS = T.MAX_JOBS
MAX_SKILLS = T.MAX_SKILLS
MAX_SKILL_LENGTH = T.MAX_SKILL_LENGTH
MAX_SHORT_INPUT = 200  # a job or a town: anything longer is not one
MAX_SKILLS_INPUT = 2000
PROPOSED_SKILLS = 8
JOB_CHOICES = 5
PLACE_CHOICES = 6
RADII = (5, 10, 20, 50, 100)
ALERT_TIMES = ("07:00", "08:00", "12:00", "18:00")
DEFAULT_ALERT_TIME = "08:00"
CONTRACT_TYPES = ("CDI", "CDD", "MIS", "SAI", "LIB")
# Typed instead of pressing "Terminé" (normalised: lower case, no accents).
DONE_WORDS = frozenset(
    {"termine", "terminer", "fini", "finir", "c est tout", "cest tout", "suivant", "ok", "valider"}
)

_ROME_RE = re.compile(r"^\s*([A-Na-n])\s?(\d{4})\s*$")
_TIME_RE = re.compile(r"^\s*([01]?\d|2[0-3])\s*(?:[:hH.]\s*([0-5]\d)?)?\s*$")
_RADIUS_RE = re.compile(r"^\s*(\d{1,3})\s*(?:km|kms|kilom[eè]tres?)?\s*$", re.IGNORECASE)
_SKILL_SPLIT_RE = re.compile(r"[,;\n•·]+|\s+-\s+|\s+/\s+")
_HAS_WORD_RE = re.compile(r"[^\W_]", re.UNICODE)


# --------------------------------------------------------------------------- draft helpers


def new_draft() -> dict[str, Any]:
    return {
        "jobs": [],  # [[code, label], ...]
        "skills": [],  # [str, ...]
        "proposed": [],  # skill labels offered as buttons, by index
        "place": None,  # {"code": insee, "label": display label}
        "radius": None,
        "contracts": [],
        "alerts": True,
        "alert_time": DEFAULT_ALERT_TIME,
        "editing": False,  # True: go back to the summary after the edited part
        "step": JOBS,
    }


def draft_from_profile(profile: Any) -> dict[str, Any]:
    draft = new_draft()
    draft.update(
        jobs=[[job.code, job.label] for job in profile.target_jobs],
        skills=list(profile.skills),
        place=(
            {"code": profile.place_code, "label": profile.place_label or profile.place_code}
            if profile.place_code
            else None
        ),
        radius=profile.radius_km,
        contracts=list(profile.contract_types),
        alerts=profile.alerts_enabled,
        alert_time=profile.alert_time.strftime("%H:%M"),
        editing=True,
        step=SUMMARY,
    )
    return draft


def get_draft(context: Context) -> dict[str, Any]:
    draft = context.user_data.get(DRAFT)
    if not isinstance(draft, dict):
        draft = new_draft()
        context.user_data[DRAFT] = draft
    return draft


def clear_draft(context: Context) -> None:
    context.user_data.pop(DRAFT, None)


def check_text(text: str | None, max_length: int = MAX_SHORT_INPUT) -> str | None:
    """None when the text is usable, else the French message explaining why not."""
    if text is None or not text.strip():
        return T.EMPTY_MESSAGE
    if len(text) > max_length:
        return T.TOO_LONG
    if not _HAS_WORD_RE.search(text):
        return T.ONLY_SYMBOLS
    return None


def parse_skills(text: str) -> list[str]:
    """Split a free-text answer into skills ("accueil, service en salle\\nhygiène")."""
    skills = []
    for part in _SKILL_SPLIT_RE.split(text):
        skill = " ".join(part.split()).strip(" .-–*")
        if skill and has_letter(skill):
            skills.append(skill)
    return skills


def parse_time(text: str) -> str | None:
    """ "8", "8h", "8h30", "08:30", "18.45" -> "HH:MM"; None when not a time."""
    match = _TIME_RE.match(text or "")
    if not match:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def is_done_word(text: str) -> bool:
    """The user typed "Terminé" (or "fini", "c'est tout"…) instead of pressing the button."""
    from ft_client.textnorm import normalize

    return normalize(text).strip(" .!") in DONE_WORDS


def pick_place(query: str, places: list[Any]) -> Any | None:
    """The one place the user obviously meant, or None when buttons must ask.

    "Paris" → Paris (exact name), "Lyon 3e" → the 3rd arrondissement (the only name holding
    every word), "75015" → the 15th arrondissement rather than the whole city; "Saint-Denis"
    (several communes of that exact name) → None.
    """
    from ft_client.textnorm import normalize, tokens

    if len(places) == 1:
        return places[0]
    wanted = normalize(query)
    exact = [p for p in places if normalize(p.name) == wanted]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None
    if re.fullmatch(r"\s*\d{5}\s*", query):
        parents = {p.parent_code for p in places if p.parent_code}
        specific = [p for p in places if p.insee_code not in parents]
        return specific[0] if len(specific) == 1 else None
    wanted_tokens = set(tokens(wanted))
    holding_all = [p for p in places if wanted_tokens <= set(tokens(normalize(p.name)))]
    return holding_all[0] if len(holding_all) == 1 else None


# --------------------------------------------------------------------------- keyboards


def _keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button_text(t), callback_data=d) for t, d in row] for row in rows]
    )


def done_button() -> list[tuple[str, str]]:
    return [(T.BTN_DONE, encode("ob", "done"))]


def jobs_keyboard(hits: list[tuple[str, str]], draft: dict[str, Any]) -> InlineKeyboardMarkup:
    rows = [[(f"{label} ({code})", encode("obj", code))] for code, label in hits]
    if draft["jobs"]:
        rows.append(done_button())
    return _keyboard(rows)


def skills_keyboard(draft: dict[str, Any]) -> InlineKeyboardMarkup:
    chosen = {s.casefold() for s in draft["skills"]}
    rows = []
    for index, label in enumerate(draft["proposed"]):
        mark = "✅ " if label.casefold() in chosen else "➕ "
        rows.append([(mark + label, encode("obs", index))])
    last = done_button()
    if draft["skills"]:
        last.append(("Tout effacer", encode("ob", "clear_skills")))
    rows.append(last)
    return _keyboard(rows)


def location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(T.BTN_SHARE_LOCATION, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder="Ville ou code postal",
    )


def radius_keyboard() -> InlineKeyboardMarkup:
    return _keyboard([[(f"{km} km", encode("obr", km)) for km in RADII]])


def alerts_keyboard() -> InlineKeyboardMarkup:
    return _keyboard(
        [
            [(t, encode("obt", t.replace(":", ""))) for t in ALERT_TIMES],
            [(T.BTN_ALERTS_OFF, encode("ob", "alerts_off"))],
        ]
    )


def contracts_keyboard(draft: dict[str, Any]) -> InlineKeyboardMarkup:
    chosen = set(draft["contracts"])
    rows = [
        [(("✅ " if code in chosen else "➕ ") + T.CONTRACT_LABELS[code], encode("pfc", code))]
        for code in CONTRACT_TYPES
    ]
    rows.append(done_button())
    return _keyboard(rows)


def summary_keyboard() -> InlineKeyboardMarkup:
    return _keyboard(
        [[(T.BTN_CONFIRM, encode("ob", "confirm")), (T.BTN_EDIT, encode("ob", "edit"))]]
    )


def edit_keyboard(action: str = "obe") -> InlineKeyboardMarkup:
    """Buttons to edit each part: "pf" from /profil (saved profile), "obe" from the summary."""
    back = [[(T.BTN_BACK, encode("ob", "back"))]] if action == "obe" else []
    return _keyboard(
        [
            [
                (T.PROFILE_EDIT_JOBS, encode(action, "jobs")),
                (T.PROFILE_EDIT_SKILLS, encode(action, "skills")),
            ],
            [
                (T.PROFILE_EDIT_PLACE, encode(action, "place")),
                (T.PROFILE_EDIT_RADIUS, encode(action, "radius")),
            ],
            [
                (T.PROFILE_EDIT_CONTRACTS, encode(action, "contracts")),
                (T.PROFILE_EDIT_ALERTS, encode(action, "alerts")),
            ],
            *back,
        ]
    )


def summary_text(draft: dict[str, Any]) -> str:
    return T.profile_card(
        jobs=[(code, label) for code, label in draft["jobs"]],
        skills=list(draft["skills"]),
        place_label=draft["place"]["label"] if draft["place"] else None,
        radius_km=draft["radius"],
        contract_types=list(draft["contracts"]),
        alerts_enabled=bool(draft["alerts"]),
        alert_time=draft["alert_time"],
        alert_days=draft.get("alert_days_label"),
    )


# --------------------------------------------------------------------------- step prompts


async def ask_jobs(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = JOBS
    if draft["jobs"]:
        listing = "\n".join(f"• {c} — {label}" for c, label in draft["jobs"])
        await reply_html(
            update,
            context,
            f"{T.ASK_JOB}\n\nDéjà choisis :\n{escape(listing)}",
            _keyboard([[*done_button(), ("Tout effacer", encode("ob", "clear_jobs"))]]),
        )
    else:
        await reply_html(update, context, T.ASK_JOB)
    return JOBS


def proposed_skills(context: Context, draft: dict[str, Any]) -> list[str]:
    """Top core skills of the chosen jobs, interleaved, savoir-faire first."""
    referential = services(context).referential
    per_job: list[list[str]] = []
    for code, _label in draft["jobs"]:
        job = referential.job(code)
        if job is None:
            continue
        core = [s for s in job.core_skills if s.kind == "savoir-faire"]
        others = [s for s in job.core_skills if s.kind != "savoir-faire"]
        per_job.append([s.label for s in core + others])
    proposed: list[str] = []
    seen: set[str] = set()
    for rank in range(max((len(x) for x in per_job), default=0)):
        for labels in per_job:
            if rank < len(labels) and labels[rank].casefold() not in seen:
                seen.add(labels[rank].casefold())
                proposed.append(labels[rank][:MAX_SKILL_LENGTH])
        if len(proposed) >= PROPOSED_SKILLS:
            break
    return proposed[:PROPOSED_SKILLS]


async def ask_skills(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = SKILLS
    draft["proposed"] = proposed_skills(context, draft)
    text = T.ASK_SKILLS
    if draft["skills"]:
        text += "\n\n" + T.skills_now(draft["skills"])
    await reply_html(update, context, text, skills_keyboard(draft))
    return SKILLS


async def ask_place(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = PLACE
    await reply_html(update, context, T.ASK_PLACE, location_keyboard())
    return PLACE


async def ask_radius(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = RADIUS
    await reply_html(update, context, T.ASK_RADIUS, radius_keyboard())
    return RADIUS


async def ask_alerts(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = ALERTS
    await reply_html(update, context, T.ASK_ALERTS, alerts_keyboard())
    return ALERTS


async def ask_contracts(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = CONTRACTS
    await reply_html(update, context, T.ASK_CONTRACTS, contracts_keyboard(draft))
    return CONTRACTS


async def show_summary(update: Update, context: Context) -> str:
    draft = get_draft(context)
    draft["step"] = SUMMARY
    await reply_html(
        update, context, f"{summary_text(draft)}\n\n{T.SUMMARY_QUESTION}", summary_keyboard()
    )
    return SUMMARY


STEP_PROMPTS = {
    JOBS: ask_jobs,
    SKILLS: ask_skills,
    PLACE: ask_place,
    RADIUS: ask_radius,
    ALERTS: ask_alerts,
    CONTRACTS: ask_contracts,
    SUMMARY: show_summary,
}


async def after_step(update: Update, context: Context, next_step: str) -> str:
    """Go to `next_step`, or back to the summary when editing one part of a full draft."""
    draft = get_draft(context)
    if draft.get("editing") and next_step != SUMMARY and _draft_complete(draft):
        return await show_summary(update, context)
    return await STEP_PROMPTS[next_step](update, context)


def _draft_complete(draft: dict[str, Any]) -> bool:
    return bool(draft["jobs"] and draft["skills"] and draft["place"] and draft["radius"])


# --------------------------------------------------------------------------- entry points


async def start(update: Update, context: Context) -> str:
    draft = context.user_data.get(DRAFT)
    if isinstance(draft, dict) and draft.get("step") in STEP_PROMPTS:
        return await resume(update, context)
    user = update.effective_user
    clear_draft(context)
    profile = await services(context).storage.get_profile(user.id) if user else None
    welcome = T.welcome(user.first_name if user else None)
    if profile is not None:
        context.user_data[DRAFT] = {**new_draft(), "step": WELCOME}
        await reply_html(
            update,
            context,
            f"{welcome}\n\n{summary_text_from(profile)}\n\n{T.WELCOME_EXISTING}",
            _keyboard(
                [[(T.BTN_KEEP, encode("ob", "keep")), (T.BTN_RESTART, encode("ob", "restart"))]]
            ),
        )
        return WELCOME
    context.user_data[DRAFT] = new_draft()
    await reply_html(update, context, welcome)
    return await ask_jobs(update, context)


async def resume(update: Update, context: Context) -> str:
    """/start while a conversation is going on: repeat the current step's question."""
    draft = get_draft(context)
    step = draft.get("step", JOBS)
    await reply_html(update, context, T.RESUMED)
    return await STEP_PROMPTS.get(step, ask_jobs)(update, context)


async def edit_entry(update: Update, context: Context) -> str | int:
    """/profil buttons (pf|part): edit one part of the saved profile, then the summary."""
    data = callbacks.from_update(update)
    if data is not None and data.args[0] not in EDIT_PARTS:
        await answer_query(update, texts.common.STALE_BUTTON, alert=True)
        return END
    await answer_query(update)
    user = update.effective_user
    profile = await services(context).storage.get_profile(user.id) if user else None
    if profile is None or data is None:
        await reply_html(update, context, texts.common.NO_PROFILE)
        return END
    draft = draft_from_profile(profile)
    draft["alert_days_label"] = format_days_fr(profile.alert_days)
    context.user_data[DRAFT] = draft
    return await _edit_part(update, context, data.args[0])


EDIT_PARTS = frozenset({"jobs", "skills", "place", "radius", "contracts", "alerts"})


async def _edit_part(update: Update, context: Context, part: str) -> str:
    draft = get_draft(context)
    draft["editing"] = True
    if part == "jobs":
        return await ask_jobs(update, context)
    if part == "skills":
        return await ask_skills(update, context)
    if part == "place":
        return await ask_place(update, context)
    if part == "radius":
        return await ask_radius(update, context)
    if part == "contracts":
        return await ask_contracts(update, context)
    if part == "alerts":
        return await ask_alerts(update, context)
    return await show_summary(update, context)


# --------------------------------------------------------------------------- welcome


async def welcome_choice(update: Update, context: Context) -> str | int:
    await answer_query(update)
    data = callbacks.from_update(update)
    choice = data.args[0] if data else ""
    if choice == "keep":
        clear_draft(context)
        await edit_or_reply(update, context, T.KEPT)
        return END
    if choice == "restart":
        context.user_data[DRAFT] = new_draft()
        return await ask_jobs(update, context)
    await reply_html(update, context, T.USE_BUTTONS)
    return WELCOME


# --------------------------------------------------------------------------- jobs


def _add_job(draft: dict[str, Any], code: str, label: str) -> str | None:
    """Add a job to the draft; the French refusal when it cannot be added."""
    if any(existing == code for existing, _ in draft["jobs"]):
        return T.job_already(label)
    if len(draft["jobs"]) >= MAX_JOBS:
        return T.JOB_LIMIT
    draft["jobs"].append([code, label])
    return None


async def jobs_text(update: Update, context: Context) -> str:
    draft = get_draft(context)
    text = update.effective_message.text or ""
    problem = check_text(text)
    if problem:
        await reply_html(update, context, problem)
        return JOBS
    if is_done_word(text):
        return await _jobs_done(update, context)
    referential = services(context).referential
    code_match = _ROME_RE.match(text)
    if code_match:
        code = (code_match.group(1) + code_match.group(2)).upper()
        job = referential.job(code)
        if job is None:
            await reply_html(update, context, T.UNKNOWN_ROME_CODE)
            return JOBS
        return await _job_chosen(update, context, code, job.label)
    if len(draft["jobs"]) >= MAX_JOBS:
        await reply_html(update, context, T.JOB_LIMIT, _keyboard([done_button()]))
        return JOBS
    try:
        hits = referential.find_jobs(text, limit=JOB_CHOICES) if has_letter(text) else []
    except ValueError:
        hits = []
    hits = [hit for hit in hits if hit.score >= MIN_JOB_SCORE]
    if not hits:
        await reply_html(update, context, T.job_not_found(text))
        return JOBS
    choices = [(hit.rome_code, hit.job_label) for hit in hits]
    await reply_html(update, context, T.job_choices(text), jobs_keyboard(choices, draft))
    return JOBS


async def _job_chosen(update: Update, context: Context, code: str, label: str) -> str:
    draft = get_draft(context)
    refusal = _add_job(draft, code, label)
    if refusal:
        await edit_or_reply(update, context, refusal, _keyboard([done_button()]))
        return JOBS
    jobs = [(c, lab) for c, lab in draft["jobs"]]
    await edit_or_reply(update, context, T.job_added(label, code, jobs), _keyboard([done_button()]))
    return JOBS


async def job_button(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    job = services(context).referential.job(data.args[0]) if data else None
    if job is None:
        await reply_html(update, context, T.UNKNOWN_ROME_CODE)
        return JOBS
    return await _job_chosen(update, context, job.code, job.label)


async def jobs_control(update: Update, context: Context) -> str:
    await answer_query(update)
    draft = get_draft(context)
    data = callbacks.from_update(update)
    choice = data.args[0] if data else ""
    if choice == "clear_jobs":
        draft["jobs"] = []
        await edit_or_reply(update, context, T.ASK_JOB)
        return JOBS
    if choice != "done":
        await reply_html(update, context, T.USE_BUTTONS)
        return JOBS
    return await _jobs_done(update, context)


async def _jobs_done(update: Update, context: Context) -> str:
    if not get_draft(context)["jobs"]:
        await reply_html(update, context, T.JOB_NEED_ONE)
        return JOBS
    # Even when editing: new jobs mean new skill proposals, offered before the summary.
    return await ask_skills(update, context)


# --------------------------------------------------------------------------- skills


async def skills_text(update: Update, context: Context) -> str:
    draft = get_draft(context)
    text = update.effective_message.text or ""
    problem = check_text(text, MAX_SKILLS_INPUT)
    if problem:
        await reply_html(update, context, problem, skills_keyboard(draft))
        return SKILLS
    if is_done_word(text):
        return await _skills_done(update, context)
    parsed = parse_skills(text)
    if not parsed:
        await reply_html(update, context, T.SKILLS_NOTHING, skills_keyboard(draft))
        return SKILLS
    if any(len(skill) > MAX_SKILL_LENGTH for skill in parsed):
        await reply_html(update, context, T.SKILLS_TOO_LONG, skills_keyboard(draft))
        return SKILLS
    known = {s.casefold() for s in draft["skills"]}
    added = 0
    limited = False
    for skill in parsed:
        if skill.casefold() in known:
            continue
        if len(draft["skills"]) >= MAX_SKILLS:
            limited = True
            break
        draft["skills"].append(skill)
        known.add(skill.casefold())
        added += 1
    message = T.skills_added(added, draft["skills"]) if added else T.skills_now(draft["skills"])
    if limited:
        message += "\n\n" + T.SKILLS_LIMIT
    await reply_html(update, context, message, skills_keyboard(draft))
    return SKILLS


async def skill_toggle(update: Update, context: Context) -> str:
    draft = get_draft(context)
    data = callbacks.from_update(update)
    index = int(data.args[0]) if data else -1
    if not 0 <= index < len(draft["proposed"]):
        await answer_query(update, texts.common.STALE_BUTTON, alert=True)
        return SKILLS
    label = draft["proposed"][index]
    lowered = [s.casefold() for s in draft["skills"]]
    if label.casefold() in lowered:
        draft["skills"].pop(lowered.index(label.casefold()))
        await answer_query(update, "Retirée")
    elif len(draft["skills"]) >= MAX_SKILLS:
        await answer_query(update, T.SKILLS_LIMIT, alert=True)
        return SKILLS
    else:
        draft["skills"].append(label)
        await answer_query(update, "Ajoutée")
    text = T.ASK_SKILLS + "\n\n" + T.skills_now(draft["skills"])
    await edit_or_reply(update, context, text, skills_keyboard(draft))
    return SKILLS


async def skills_control(update: Update, context: Context) -> str:
    await answer_query(update)
    draft = get_draft(context)
    data = callbacks.from_update(update)
    choice = data.args[0] if data else ""
    if choice == "clear_skills":
        draft["skills"] = []
        await edit_or_reply(update, context, T.ASK_SKILLS, skills_keyboard(draft))
        return SKILLS
    if choice != "done":
        await reply_html(update, context, T.USE_BUTTONS)
        return SKILLS
    return await _skills_done(update, context)


async def _skills_done(update: Update, context: Context) -> str:
    draft = get_draft(context)
    if not draft["skills"]:
        await reply_html(update, context, T.SKILLS_NEED_ONE, skills_keyboard(draft))
        return SKILLS
    return await after_step(update, context, PLACE)


# --------------------------------------------------------------------------- place


def _place_label(place: Any) -> str:
    return place.display_label


async def _place_chosen(update: Update, context: Context, place: Any) -> str:
    draft = get_draft(context)
    draft["place"] = {"code": place.insee_code, "label": _place_label(place)}
    # Remove the "share location" keyboard, then ask the radius with inline buttons.
    await reply_html(update, context, T.place_chosen(_place_label(place)), ReplyKeyboardRemove())
    if draft.get("editing") and draft["radius"] and _draft_complete(draft):
        return await show_summary(update, context)
    return await ask_radius(update, context)


async def place_text(update: Update, context: Context) -> str:
    text = update.effective_message.text or ""
    if text == T.BTN_SHARE_LOCATION:
        # A client without location support sent the button's text.
        await reply_html(update, context, T.ASK_PLACE, location_keyboard())
        return PLACE
    problem = check_text(text)
    if problem:
        await reply_html(update, context, problem)
        return PLACE
    referential = services(context).referential
    try:
        places = referential.find_places(text, limit=PLACE_CHOICES)
    except ValueError:
        places = []
    if not places:
        await reply_html(update, context, T.place_not_found(text))
        return PLACE
    chosen = pick_place(text, places)
    if chosen is not None:
        return await _place_chosen(update, context, chosen)
    rows = [[(_place_label(p), encode("obp", p.insee_code))] for p in places]
    await reply_html(update, context, T.PLACE_CHOICES, _keyboard(rows))
    return PLACE


async def place_button(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    place = services(context).referential.place(data.args[0]) if data else None
    if place is None:
        await reply_html(update, context, T.place_not_found(data.args[0] if data else ""))
        return PLACE
    # The choice is made: drop the other buttons (the confirmation follows).
    with contextlib.suppress(TelegramError):
        await update.callback_query.edit_message_reply_markup(None)
    return await _place_chosen(update, context, place)


async def place_location(update: Update, context: Context) -> str:
    location = update.effective_message.location
    try:
        place = services(context).referential.nearest_place(location.latitude, location.longitude)
    except ValueError:
        place = None
    if place is None:
        await reply_html(update, context, T.PLACE_LOCATION_UNKNOWN, location_keyboard())
        return PLACE
    return await _place_chosen(update, context, place)


# --------------------------------------------------------------------------- radius


async def _radius_chosen(update: Update, context: Context, km: int) -> str:
    draft = get_draft(context)
    draft["radius"] = km
    return await after_step(update, context, ALERTS)


async def radius_button(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    km = int(data.args[0]) if data else 0
    if km not in RADII:
        await reply_html(update, context, T.RADIUS_USE_BUTTONS, radius_keyboard())
        return RADIUS
    await edit_or_reply(update, context, f"Distance : jusqu'à {km} km.")
    return await _radius_chosen(update, context, km)


async def radius_text(update: Update, context: Context) -> str:
    match = _RADIUS_RE.match(update.effective_message.text or "")
    if match and 1 <= int(match.group(1)) <= 200:
        return await _radius_chosen(update, context, int(match.group(1)))
    await reply_html(update, context, T.RADIUS_USE_BUTTONS, radius_keyboard())
    return RADIUS


# --------------------------------------------------------------------------- contracts


async def contract_toggle(update: Update, context: Context) -> str:
    await answer_query(update)
    draft = get_draft(context)
    data = callbacks.from_update(update)
    code = data.args[0].upper() if data else ""
    if code not in CONTRACT_TYPES:
        await answer_query(update, texts.common.STALE_BUTTON, alert=True)
        return CONTRACTS
    if code in draft["contracts"]:
        draft["contracts"].remove(code)
    else:
        draft["contracts"].append(code)
    await edit_or_reply(update, context, T.ASK_CONTRACTS, contracts_keyboard(draft))
    return CONTRACTS


async def contracts_control(update: Update, context: Context) -> str:
    await answer_query(update)
    return await show_summary(update, context)


# --------------------------------------------------------------------------- alerts


async def _alerts_chosen(update: Update, context: Context, enabled: bool, at: str | None) -> str:
    draft = get_draft(context)
    draft["alerts"] = enabled
    if at:
        draft["alert_time"] = at
    return await show_summary(update, context)


async def alert_time_button(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    raw = data.args[0] if data else "0800"
    at = f"{raw[:2]}:{raw[2:]}"
    await edit_or_reply(update, context, f"Alertes chaque jour à {at}.")
    return await _alerts_chosen(update, context, True, at)


async def alerts_control(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    if data and data.args[0] == "alerts_off":
        await edit_or_reply(update, context, "Pas d'alertes quotidiennes.")
        return await _alerts_chosen(update, context, False, None)
    await reply_html(update, context, T.USE_BUTTONS, alerts_keyboard())
    return ALERTS


async def alerts_text(update: Update, context: Context) -> str:
    text = update.effective_message.text or ""
    lowered = text.strip().casefold()
    if lowered in {"non", "aucune", "pas d'alertes", "pas d'alerte", "off"}:
        return await _alerts_chosen(update, context, False, None)
    at = parse_time(text)
    if at is None:
        await reply_html(update, context, T.BAD_TIME, alerts_keyboard())
        return ALERTS
    return await _alerts_chosen(update, context, True, at)


# --------------------------------------------------------------------------- summary


async def summary_choice(update: Update, context: Context) -> str | int:
    await answer_query(update)
    data = callbacks.from_update(update)
    choice = data.args[0] if data else ""
    if choice == "confirm":
        return await save_profile(update, context)
    if choice == "edit":
        await edit_or_reply(update, context, T.CHOOSE_WHAT_TO_EDIT, edit_keyboard())
        return SUMMARY
    if choice == "back":
        draft = get_draft(context)
        await edit_or_reply(
            update, context, f"{summary_text(draft)}\n\n{T.SUMMARY_QUESTION}", summary_keyboard()
        )
        return SUMMARY
    await reply_html(update, context, T.USE_BUTTONS, summary_keyboard())
    return SUMMARY


async def summary_edit_part(update: Update, context: Context) -> str:
    await answer_query(update)
    data = callbacks.from_update(update)
    return await _edit_part(update, context, data.args[0] if data else "")


async def save_profile(update: Update, context: Context) -> str | int:
    from storage import Profile, TargetJob

    draft = get_draft(context)
    user = update.effective_user
    if not _draft_complete(draft):
        # Only reachable with a damaged draft: restart the missing step.
        step = (
            JOBS
            if not draft["jobs"]
            else SKILLS
            if not draft["skills"]
            else PLACE
            if not draft["place"]
            else RADIUS
        )
        return await STEP_PROMPTS[step](update, context)
    storage = services(context).storage
    existing = await storage.get_profile(user.id)
    hour, minute = (int(x) for x in draft["alert_time"].split(":"))
    values = {
        "target_jobs": tuple(TargetJob(code, label) for code, label in draft["jobs"]),
        "skills": tuple(draft["skills"]),
        "place_code": draft["place"]["code"],
        "place_label": draft["place"]["label"],
        "radius_km": int(draft["radius"]),
        "contract_types": tuple(draft["contracts"]),
        "alert_time": time(hour, minute),
        "alerts_enabled": bool(draft["alerts"]),
    }
    # Keep what this conversation does not edit (alert days, last alert time).
    profile = existing.replace(**values) if existing else Profile(user_id=user.id, **values)
    await storage.upsert_profile(profile)
    clear_draft(context)
    first_code = draft["jobs"][0][0] if draft["jobs"] else None
    await edit_or_reply(update, context, f"{T.SAVED}\n\n{summary_text_from(profile)}")
    await reply_html(update, context, T.first_match_hint(first_code))
    return END


def summary_text_from(profile: Any) -> str:
    return T.profile_card(
        jobs=[(j.code, j.label) for j in profile.target_jobs],
        skills=list(profile.skills),
        place_label=profile.place_label,
        radius_km=profile.radius_km,
        contract_types=list(profile.contract_types),
        alerts_enabled=profile.alerts_enabled,
        alert_time=profile.alert_time.strftime("%H:%M"),
        alert_days=format_days_fr(profile.alert_days),
    )


# --------------------------------------------------------------------------- fallbacks


async def cancel(update: Update, context: Context) -> int:
    clear_draft(context)
    await answer_query(update)
    user = update.effective_user
    # "rien n'a été enregistré" would worry someone who was only editing a saved profile.
    saved = user is not None and await services(context).storage.get_profile(user.id) is not None
    message = texts.common.CANCELLED_PROFILE_KEPT if saved else texts.common.CANCELLED
    await reply_html(update, context, message, ReplyKeyboardRemove())
    return END


async def timeout(update: Update, context: Context) -> None:
    clear_draft(context)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None:
        await context.bot.send_message(chat.id, T.TIMEOUT, reply_markup=ReplyKeyboardRemove())


async def use_text(update: Update, context: Context) -> None:
    """Stickers, photos… inside the conversation: explain, stay in the step."""
    await reply_html(update, context, T.USE_TEXT)


async def use_buttons(update: Update, context: Context) -> None:
    await reply_html(update, context, T.USE_BUTTONS)


async def stale_in_conversation(update: Update, context: Context) -> None:
    """A valid but out-of-step onboarding button (from an older message)."""
    await answer_query(update, texts.common.STALE_BUTTON, alert=True)


# --------------------------------------------------------------------------- wiring


def _cb(callback: Any, *actions: str) -> CallbackQueryHandler:
    return CallbackQueryHandler(callback, pattern=callbacks.pattern(*actions))


def _is_choice(*choices: str) -> Any:
    def matches(data: object) -> bool:
        decoded = callbacks.decode(data)
        return decoded is not None and decoded.action == "ob" and decoded.args[0] in choices

    return matches


# New messages only: an edited old answer must not replay a step.
TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
OTHER = (
    filters.UpdateType.MESSAGE
    & ~filters.COMMAND
    & ~filters.TEXT
    & ~filters.LOCATION
    & ~filters.StatusUpdate.ALL
)


def build_conversation(
    *, persistent: bool, timeout_seconds: float = CONVERSATION_TIMEOUT_SECONDS
) -> ConversationHandler:
    onboarding_buttons = callbacks.pattern("ob", "obe", "obj", "obs", "obp", "obr", "obt", "pfc")
    with warnings.catch_warnings():
        # per_message=False with CallbackQueryHandlers is intended: the conversation is per
        # user and chat, buttons carry validated data (PTB warns about it by default).
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                CommandHandler("start", start),
                _cb(edit_entry, "pf"),
            ],
            states={
                WELCOME: [
                    CallbackQueryHandler(welcome_choice, pattern=_is_choice("keep", "restart")),
                    MessageHandler(TEXT | OTHER, use_buttons),
                ],
                JOBS: [
                    MessageHandler(TEXT, jobs_text),
                    _cb(job_button, "obj"),
                    CallbackQueryHandler(jobs_control, pattern=_is_choice("done", "clear_jobs")),
                    MessageHandler(OTHER, use_text),
                ],
                SKILLS: [
                    MessageHandler(TEXT, skills_text),
                    _cb(skill_toggle, "obs"),
                    CallbackQueryHandler(
                        skills_control, pattern=_is_choice("done", "clear_skills")
                    ),
                    MessageHandler(OTHER, use_text),
                ],
                PLACE: [
                    MessageHandler(filters.LOCATION, place_location),
                    MessageHandler(TEXT, place_text),
                    _cb(place_button, "obp"),
                    MessageHandler(OTHER, use_text),
                ],
                RADIUS: [
                    _cb(radius_button, "obr"),
                    MessageHandler(TEXT, radius_text),
                    MessageHandler(OTHER, use_buttons),
                ],
                CONTRACTS: [
                    _cb(contract_toggle, "pfc"),
                    CallbackQueryHandler(contracts_control, pattern=_is_choice("done")),
                    MessageHandler(TEXT | OTHER, use_buttons),
                ],
                ALERTS: [
                    _cb(alert_time_button, "obt"),
                    CallbackQueryHandler(alerts_control, pattern=_is_choice("alerts_off")),
                    MessageHandler(TEXT, alerts_text),
                    MessageHandler(OTHER, use_buttons),
                ],
                SUMMARY: [
                    CallbackQueryHandler(
                        summary_choice, pattern=_is_choice("confirm", "edit", "back")
                    ),
                    _cb(summary_edit_part, "obe"),
                    MessageHandler(TEXT | OTHER, use_buttons),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timeout)],
            },
            fallbacks=[
                CommandHandler(["annuler", "cancel"], cancel),
                # Our own buttons from another step: "no longer valid", stay where we are.
                CallbackQueryHandler(stale_in_conversation, pattern=onboarding_buttons),
            ],
            name=CONVERSATION_NAME,
            persistent=persistent,
            per_chat=True,
            per_user=True,
            per_message=False,
            conversation_timeout=timeout_seconds,
            # /start and the /profil buttons work from any step (start() resumes a draft).
            allow_reentry=True,
        )


async def cancel_outside(update: Update, context: Context) -> None:
    """/annuler when no conversation is going on."""
    await reply_html(update, context, texts.common.NOTHING_TO_CANCEL)


COMMANDS = [
    ("start", texts.common.MENU_START),
    ("profil", texts.common.MENU_PROFILE),
    ("annuler", texts.common.MENU_CANCEL),
]


def register(application: Application) -> None:
    settings = application.bot_data.get("settings")
    timeout_seconds = getattr(
        settings, "conversation_timeout_seconds", CONVERSATION_TIMEOUT_SECONDS
    )
    application.add_handler(
        build_conversation(
            persistent=application.persistence is not None, timeout_seconds=timeout_seconds
        )
    )
    application.add_handler(CommandHandler(["annuler", "cancel"], cancel_outside))
