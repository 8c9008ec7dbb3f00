"""The job words of /marche and /entreprises (bot.handlers.job_place): job seekers' words
through the curated aliases, a recognised job only — a town or a close match is no métier."""

from __future__ import annotations

import pytest

from bot.handlers.job_place import UnknownPlace, find_job, names_a_job, read_job_place
from tests.helpers_bot import FAST_TYPIST, shared_referential
from tests.helpers_cmd import WAIT, cmd_env

pytestmark = pytest.mark.timeout(180)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("nounou", "K1303"),  # an alias: no ROME title says it
        ("ehpad", "J1501"),  # a workplace
        ("plongeur", "G1605"),  # the dishwasher, not the diver
        ("serveuse", "G1803"),
        ("g1803", "G1803"),
        ("Paris", None),  # a town, "Poseur de façade vitrée" at 0.71 used to be taken
        ("Tours", None),  # a town that reads as "Régleur sur tour": not taken either
        ("vaisselle", None),  # a close match only
        ("zzzz", None),
        ("75015", None),
        ("Z9999", None),
    ],
)
async def test_find_job_takes_recognised_jobs_only(words: str, expected: str | None) -> None:
    found = await find_job(shared_referential(), words)
    assert (found[0] if found else None) == expected


async def test_a_job_title_with_a_to_in_it_is_no_place() -> None:
    ref = shared_referential()
    assert await names_a_job(ref, "aide à domicile")
    assert not await names_a_job(ref, "serveur à Lyon")
    assert not await names_a_job(ref, "")


async def test_market_and_companies_understand_job_seekers_words(tmp_path) -> None:
    async with cmd_env(tmp_path, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1601)  # no profile: France entière / the typed place
        await user.send("/marche nounou")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Marché du travail : Garde d'enfant" in reply.text
        await user.send("/marche Tours")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Je ne trouve aucun métier pour « Tours »" in reply.text
        assert "Régleur" not in reply.text
        await user.send("/entreprises plongeur à Lyon")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Entreprises qui recrutent : Plongeur" in reply.text
        assert "Près de Lyon" in reply.text
        await user.send("/entreprises Paris")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Je ne trouve aucun métier pour « Paris »" in reply.text
        assert env.ft.stats.calls["labonneboite"] == 1


async def test_read_job_place_is_one_reading_for_every_command() -> None:
    ref = shared_referential()
    by_town = await read_job_place(ref, "serveur à Lyon")
    assert by_town.job_words == "serveur" and by_town.departement is None
    assert by_town.place is not None and by_town.place.departement == "69"
    by_code = await read_job_place(ref, "G1803 69")
    assert (by_code.job_words, by_code.departement, by_code.place) == ("G1803", "69", None)
    # "domicile" is no place: the whole text is the job.
    assert await read_job_place(ref, "aide à domicile") == type(by_town)("aide à domicile")
    assert (await read_job_place(ref, "à Nantes")).job_words == ""
    with pytest.raises(UnknownPlace) as unknown:
        await read_job_place(ref, "serveur à Zzyxqwv")
    assert unknown.value.words == "Zzyxqwv"
