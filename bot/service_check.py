"""``ft-bot check``: which optional France Travail services this application may use.

Each service is tried once with a small real call (after the token request, which switches
off any service whose scope France Travail refuses) and listed ✓ or ✗ with the reason. A ✗
here never fails the check: every one of these services is optional, the bot explains to
people that a feature is off and the rest keeps working.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from ft_client import FranceTravailClient, FTError, FTServiceNotEnabled

OK = "✓"
FAIL = "✗"

Probe = Callable[[FranceTravailClient], Awaitable[Any]]

# (client API name, what it gives the bot, one small call that uses it)
SERVICES: tuple[tuple[str, str, Probe], ...] = (
    ("rome", "ROME 4.0 (job and skill details)", lambda ft: ft.get_job("G1803")),
    ("softskills", "Match via Soft Skills", lambda ft: ft.get_soft_skills("G1803")),
    (
        "labonneboite",
        "La Bonne Boîte (companies likely to hire, /entreprises)",
        lambda ft: ft.search_companies(["G1803"], citycode="75056", page_size=1),
    ),
    ("marche", "Marché du travail (/marche)", lambda ft: ft.get_market("G1803")),
    ("romeo", "ROMEO (job from free text)", lambda ft: ft.predict_jobs(["serveur"])),
)


@dataclass(frozen=True)
class ServiceStatus:
    api: str
    label: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        mark = OK if self.ok else FAIL
        return f"{mark} France Travail service {self.label}" + (
            f": {self.detail}" if self.detail else ""
        )


async def check_services(ft: FranceTravailClient) -> list[ServiceStatus]:
    """Try every optional service once; never raises for a France Travail failure."""
    statuses = []
    for api, label, probe in SERVICES:
        try:
            await probe(ft)
        except FTServiceNotEnabled:
            detail = f"not enabled for this application (scopes {ft.scopes_of(api)})"
            statuses.append(ServiceStatus(api, label, False, detail))
        except FTError as error:  # messages never hold the secret
            statuses.append(ServiceStatus(api, label, False, str(error)))
        else:
            statuses.append(ServiceStatus(api, label, True))
    return statuses


async def print_services(settings: Settings) -> None:
    """Print one ✓/✗ line per optional service (``ft-bot check``)."""
    async with FranceTravailClient(
        settings.ft_client_id,
        settings.ft_client_secret,
        api_base_url=settings.ft_api_base_url,
        token_url=settings.ft_token_url,
        timeout=15.0,
        max_retries=1,
    ) as ft:
        try:
            await ft.authenticate()
        except FTError as error:
            print(f"{FAIL} France Travail services: not checked ({error})", flush=True)
            return
        for status in await check_services(ft):
            print(status.line(), flush=True)
