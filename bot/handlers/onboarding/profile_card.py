"""The profile card (French summary text) of a draft in progress or of a saved profile.

Shown at the summary step, after "Confirmer", on /start with a saved profile and by /profil.
"""

from __future__ import annotations

from typing import Any

from bot import texts
from bot.render import format_days_fr

T = texts.onboarding
F = texts.profile_fields


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
        extra_lines=F.extras_lines(
            licences=list(draft.get("licences") or []),
            languages=list(draft.get("languages") or []),
            experience=draft.get("experience"),
            working_time=draft.get("working_time"),
            remote=draft.get("remote"),
        ),
    )


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
        extra_lines=F.extras_lines(
            licences=list(profile.driving_licences),
            languages=list(profile.languages),
            experience=profile.experience,
            working_time=profile.working_time,
            remote=profile.remote_wanted,
        ),
    )
