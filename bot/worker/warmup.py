"""A worker's services: what `Services.open` opens, with a warm-up sized for a worker.

The bot's warm-up (`ft_client.matching.warm_up`) builds every index a person's request may
need: the job-title and place-name look-ups, the nearest-place grid, the full-text index and
the job-suggestion tables of `suggest_jobs`/`find_jobs`, ~145 MiB a worker never touches (it
only ranks offers for stored profiles). A worker builds what ranking uses — the places by code,
the skill index, the matcher and its vocabulary — by ranking one offer, then freezes them out of
the garbage collector's walks as the bot does. Anything else is still built on first use (the
referential's indexes are lazy), so a digest is the same either way; only memory differs.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.services import Services

if TYPE_CHECKING:
    from bot.config import Settings
    from ft_client.referential import Referential

# A place and a métier of the bundled referential (Paris, « Boulanger / Boulangère »).
_PLACE = "75056"
_JOB = "D1102"


def warm_up_ranking(referential: Referential) -> None:
    """Build what `rank_offers` uses (by ranking one offer), then `gc.freeze` it all."""
    from ft_client.matching import MatchProfile, rank_offers
    from ft_client.models import Competence, Offer, WorkPlace

    job = referential.job(_JOB)
    place = referential.place(_PLACE)
    if job is not None and place is not None:
        skills = job.skills[:4]
        profile = MatchProfile(
            skills=(*(skill.label for skill in skills[:2]), "accueil des clients"),
            target_rome_codes=(job.code,),
            latitude=place.latitude,
            longitude=place.longitude,
            commune=place.insee_code,
            departement=place.departement,
            radius_km=10,
        )
        offer = Offer(
            id="warm-up",
            title=job.label,
            created_at=datetime.now(UTC),
            place=WorkPlace(
                label=place.name,
                latitude=place.latitude,
                longitude=place.longitude,
                commune=place.insee_code,
            ),
            rome_code=job.code,
            competences=tuple(
                Competence(code=s.code, label=s.label, requirement="E") for s in skills
            ),
        )
        rank_offers(profile, [offer], referential=referential)
    gc.collect()
    gc.freeze()


async def open_worker_services(settings: Settings) -> Services:
    """`Services.open` with `warm_up_ranking` instead of the bot's full warm-up."""
    return await Services.open(settings, warm=warm_up_ranking)
