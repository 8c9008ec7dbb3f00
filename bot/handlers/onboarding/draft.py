"""The answers in progress: ``context.user_data["draft"]``, JSON values only.

The persistence stores JSON, so the draft is plain dicts, lists and strings; nothing reaches
the profile tables before "Confirmer" (see `summary.save_profile`).
"""

from __future__ import annotations

from typing import Any

from bot import texts
from bot.handlers.common import Context
from bot.handlers.onboarding.states import JOBS, SUMMARY

T = texts.onboarding

DRAFT = "draft"
MAX_JOBS = T.MAX_JOBS
MAX_SKILLS = T.MAX_SKILLS
MAX_SKILL_LENGTH = T.MAX_SKILL_LENGTH
DEFAULT_ALERT_TIME = "08:00"


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
        # Optional fields (issue 14 item 5); None = not said / indifférent.
        "licences": [],
        "languages": [],
        "experience": None,
        "working_time": None,
        "remote": None,
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
        licences=list(profile.driving_licences),
        languages=list(profile.languages),
        experience=profile.experience,
        working_time=profile.working_time,
        remote=profile.remote_wanted,
        editing=True,
        step=SUMMARY,
    )
    return draft


def get_draft(context: Context) -> dict[str, Any]:
    draft = context.user_data.get(DRAFT)
    if not isinstance(draft, dict):
        draft = new_draft()
        context.user_data[DRAFT] = draft
    return ensure_field_keys(draft)


def ensure_field_keys(draft: dict[str, Any]) -> dict[str, Any]:
    """A draft saved by an older version lacks the optional fields: add their defaults."""
    for key, value in new_draft().items():
        if key in ("licences", "languages", "experience", "working_time", "remote"):
            draft.setdefault(key, value)
    return draft


def clear_draft(context: Context) -> None:
    context.user_data.pop(DRAFT, None)


def draft_complete(draft: dict[str, Any]) -> bool:
    return bool(draft["jobs"] and draft["skills"] and draft["place"] and draft["radius"])
