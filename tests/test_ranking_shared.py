"""What `rank_offers` shares between users (`_Targets`, per code list and referential) gives
the same rankings as building it for each user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ft_client.matching import MatchProfile, rank_offers
from ft_client.matching import offers as ranking
from ft_client.models import Competence, Offer
from ft_client.models.offers import WorkPlace
from ft_client.referential import Referential

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)


def sample_offers(ref: Referential) -> list[Offer]:
    """Offers of a target job, of a job near it, and of an unrelated one."""
    offers = []
    for index, code in enumerate(["G1603", "G1602", "K2204", "M1607"]):
        job = ref.job(code)
        assert job is not None
        offers.append(
            Offer(
                id=f"S{index}",
                title=job.label,
                created_at=NOW - timedelta(days=index),
                place=WorkPlace(latitude=45.75, longitude=4.85, commune="69383"),
                rome_code=code,
                competences=tuple(
                    Competence(code=s.code, label=s.label, requirement="E") for s in job.skills[:4]
                ),
            )
        )
    return offers


def test_targets_are_built_once_and_equal_a_fresh_build() -> None:
    ref = Referential.load()
    first = ranking._Targets.of(("G1603", "K2204"), ref)
    assert ranking._Targets.of(("G1603", "K2204"), ref) is first
    assert first == ranking._Targets._build(("G1603", "K2204"), ref)
    assert ranking._Targets.of(("K2204",), ref) != first
    # A code list that cannot be a key is still served (not cached).
    odd = ranking._Targets.of(["G1603", ["x"]], ref)  # type: ignore[list-item]
    assert odd.codes == frozenset({"G1603"})


def test_rankings_with_shared_targets_equal_rankings_without() -> None:
    ref = Referential.load()
    offers = sample_offers(ref)
    profiles = [
        MatchProfile(
            skills=("Préparer les plats", "Servir en salle"),
            target_rome_codes=("G1603",),
            latitude=45.76,
            longitude=4.84,
            commune="69383",
            radius_km=radius,
        )
        for radius in (10, 30)
    ]
    shared = [rank_offers(p, offers, referential=ref, now=NOW) for p in profiles]
    fresh = []
    for profile in profiles:
        ranking._TARGETS.clear()
        fresh.append(rank_offers(profile, offers, referential=ref, now=NOW))
    assert shared == fresh
    # The targets matter: the target job's offer comes first with its reason.
    assert shared[0][0].offer.rome_code == "G1603"
    assert any(r.startswith("Votre métier visé") for r in shared[0][0].reasons)
