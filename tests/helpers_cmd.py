"""Helpers for the command tests (tests/test_cmd_*.py): a ready profile, crafted offers, the env.

The end-to-end environment itself (both emulators over HTTP, storage, the real Application)
comes from BOT-CORE's ``tests.helpers_bot.bot_env``.
"""

from __future__ import annotations

import copy
import zlib
from datetime import time
from typing import Any

from storage import Profile, TargetJob
from tests.helpers_bot import bot_env

WAIT = 10.0  # generous upper bound for one bot answer on a loaded 2-core machine


async def make_profile(
    env: Any,
    user_id: int,
    *,
    skills: tuple[str, ...] = ("service en salle", "prise de commande", "encaissement"),
    jobs: tuple[tuple[str, str], ...] = (("G1803", "Serveur / Serveuse en restauration"),),
    place: tuple[str, str] | None = ("75056", "Paris"),
    radius_km: int = 10,
    alerts_enabled: bool = True,
) -> Profile:
    """Store a user and a complete profile directly (onboarding is tested by BOT-CORE)."""
    storage = env.services.storage
    await storage.upsert_user(user_id, user_id, "Léa", "fr")
    profile = Profile(
        user_id=user_id,
        target_jobs=tuple(TargetJob(code, label) for code, label in jobs),
        skills=skills,
        place_code=place[0] if place else None,
        place_label=place[1] if place else None,
        radius_km=radius_km,
        alert_time=time(8, 0),
        alerts_enabled=alerts_enabled,
    )
    await storage.upsert_profile(profile)
    return profile


def add_offers(
    env: Any,
    title: str,
    count: int,
    *,
    id_prefix: str = "9",
    commune_prefix: str = "751",
    description: str | None = None,
    rome_code: str | None = None,
) -> list[str]:
    """Add ``count`` offers titled ``title N`` to the FT emulator, cloned from a real-shaped
    dataset offer located in a commune starting with ``commune_prefix`` (Paris by default)."""
    template = next(
        o
        for o in env.ft.offers
        if str((o.get("lieuTravail") or {}).get("commune", "")).startswith(commune_prefix)
    )
    ids = []
    for index in range(count):
        offer = copy.deepcopy(template)
        # 7 characters like real ids; distinct per title (crc32) and per index.
        offer["id"] = f"{id_prefix}{zlib.crc32(title.encode()) % 1000:03d}{index:03d}"
        offer["intitule"] = f"{title} {index + 1}"
        if description is not None:
            offer["description"] = description
        if rome_code is not None:
            offer["romeCode"] = rome_code
        env.ft.add_offer(offer)
        ids.append(offer["id"])
    return ids


def cmd_env(tmp_path: Any, **kwargs: Any) -> Any:
    """BOT-CORE's end-to-end environment without the alerts job: command tests create
    profiles with alerts on, and a digest arriving mid-test would be read as an answer."""
    return bot_env(tmp_path, alert_job=False, **kwargs)
