"""Filters and « pas intéressé » in the alert cycle (issue 15, phase 2), through both emulators,
served from the offers table (a sweep, then the cycle).

Each filter keeps what it should and leaves out the rest, on the profile alert and on a saved
alert; each « pas intéressé » reason changes the next digest as docs/saved-alerts.md says, and
« annuler » (the reason cleared) restores it; the hidden offer itself never comes back.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sweep_job import run_sweep
from ft_client.alert_feedback import Reason, feedback_for
from ft_client.alert_filters import AlertFilters
from ft_client.alert_schedule import Frequency, Schedule
from ft_client.models import Offer
from storage.saved_alerts import AlertCriteria, SavedAlert
from tests.helpers_alerts import PARIS_CODE, AlertEnv, alert_env, job_skills, offer_json

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday, 10:00 in Paris
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
WAITER, COOK = "G1803", "G1602"
VERSAILLES = "78646"  # about 17 km from the centre of Paris


def salary(amount: int) -> dict[str, Any]:
    return {"salaire": {"libelle": f"Mensuel de {amount}.00 Euros sur 12 mois"}}


def ids_in(env: AlertEnv, user_id: int) -> list[str]:
    return [i for m in env.messages(user_id) for i in re.findall(r"A\d{6}", m.html or "")]


def add(env: AlertEnv, created: datetime, **fields: Any) -> dict[str, Any]:
    """A waiter offer in Paris (or `rome`, `place_code`, `contract`, `company` given), with
    any raw API `fields` on top."""
    args = {k: fields.pop(k) for k in ("rome", "place_code", "contract", "company") if k in fields}
    offer = offer_json(
        rome=args.get("rome", WAITER),
        place_code=args.get("place_code", PARIS_CODE),
        created=created,
        contract=args.get("contract", "CDI"),
        company=args.get("company", "Entreprise Test"),
    )
    offer.update(fields)
    env.ft.add_offer(offer)
    return offer


async def sweep(env: AlertEnv, at: datetime) -> None:
    await run_sweep(env.client, env.storage, 3, clock=lambda: at)


# (filters, offers kept, offers left out): each offer is the `add` keyword arguments.
FILTER_CASES: dict[str, tuple[AlertFilters, list[dict[str, Any]], list[dict[str, Any]]]] = {
    "min salary, unsalaried kept": (
        AlertFilters(min_salary=2000),
        [salary(2500), {}],
        [salary(1800)],
    ),
    "min salary, unsalaried dropped": (
        AlertFilters(min_salary=2000, keep_unsalaried=False),
        [salary(2500)],
        [salary(1800), {}],
    ),
    "excluded words": (
        AlertFilters(excluded_words=("nuit",)),
        [{"intitule": "Serveur en brasserie (H/F)"}],
        [{"intitule": "Serveur de NUIT (H/F)"}, {"company": "Le Nuit Blanche"}],
    ),
    "excluded companies": (
        AlertFilters(excluded_companies=("Brasserie Lipp",)),
        [{"company": "Brasserie du Port"}],
        [{"company": "brasserie lipp"}],
    ),
    "remote only": (
        AlertFilters(remote_only=True),
        [{"description": "Télétravail possible deux jours par semaine."}],
        [{}, {"description": "Pas de télétravail, poste sur site."}],
    ),
    "beginners": (
        AlertFilters(beginners_only=True),
        [{"experienceExige": "D"}],
        [{"experienceExige": "E", "experienceLibelle": "2 ans"}],
    ),
    "working time": (
        AlertFilters(working_time="temps_partiel"),
        [{"dureeTravailLibelleConverti": "Temps partiel"}],
        [{"dureeTravailLibelleConverti": "Temps plein"}],
    ),
    "contract": (
        AlertFilters(contract_types=("CDD",)),
        [{"contract": "CDD"}],
        [{"contract": "CDI"}, {"contract": "MIS"}],
    ),
}


@pytest.mark.parametrize("on", ["profile", "saved"])
@pytest.mark.parametrize("case", sorted(FILTER_CASES))
async def test_each_filter_keeps_and_leaves_out_what_it_says(
    tmp_path: Path, case: str, on: str
) -> None:
    filters, kept, dropped = FILTER_CASES[case]
    async with alert_env(tmp_path) as env:
        await env.add_user(1, WAITER, PARIS_CODE)
        if on == "profile":
            await env.storage.modify_profile_alert_settings(1, lambda s: s.replace(filters=filters))
        else:
            await env.storage.set_alerts(1, False)
            await env.storage.add_saved_alert(
                SavedAlert(
                    user_id=1,
                    alert_no=0,
                    label="Serveur",
                    criteria=AlertCriteria(
                        rome_codes=(WAITER,), commune_code=PARIS_CODE, radius_km=10
                    ),
                    schedule=Schedule(Frequency.DAILY, time(8, 0)),
                    filters=filters,
                )
            )
        made = {
            "kept": [add(env, NOW - (i + 1) * HOUR, **dict(f)) for i, f in enumerate(kept)],
            "dropped": [add(env, NOW - (i + 5) * HOUR, **dict(f)) for i, f in enumerate(dropped)],
        }
        await sweep(env, NOW)
        report = await env.cycle(NOW)
        assert report.source == "local" and report.messages_sent == 1
        assert sorted(ids_in(env, 1)) == sorted(o["id"] for o in made["kept"])


async def feedback_env_offer(env: AlertEnv, offer: dict[str, Any], reason: Reason) -> None:
    """The person says « pas intéressé » to `offer` with `reason` (as the 🙈 button does)."""
    parsed = Offer.from_json(offer)
    distance = 17.0 if offer["lieuTravail"]["commune"] == VERSAILLES else 1.0
    await env.storage.add_feedback(1, feedback_for(parsed, reason, distance_km=distance))


# reason → (the hidden offer, an offer its effect leaves out, an offer it keeps)
FEEDBACK_CASES: dict[Reason, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    Reason.COMPANY: (
        {"company": "Brasserie Lipp"},
        {"company": "Brasserie Lipp"},
        {"company": "Brasserie du Port"},
    ),
    Reason.CONTRACT: ({"contract": "CDD"}, {"contract": "CDD"}, {"contract": "CDI"}),
    Reason.SALARY: (salary(1800), salary(1700), salary(2500)),
    Reason.TOO_FAR: (
        {"place_code": VERSAILLES},
        {"place_code": VERSAILLES},
        {"place_code": PARIS_CODE},
    ),
}


@pytest.mark.parametrize("reason", list(FEEDBACK_CASES), ids=lambda r: r.value)
async def test_each_not_interested_reason_changes_the_next_digest_and_undo_restores_it(
    tmp_path: Path, reason: Reason
) -> None:
    hidden_fields, left_out_fields, kept_fields = FEEDBACK_CASES[reason]
    async with alert_env(tmp_path) as env:
        await env.add_user(1, WAITER, PARIS_CODE, radius_km=30)
        hidden = add(env, NOW - 5 * HOUR, **dict(hidden_fields))
        await feedback_env_offer(env, hidden, reason)
        add(env, NOW - 2 * HOUR, **dict(left_out_fields))
        kept = add(env, NOW - HOUR, **dict(kept_fields))
        await sweep(env, NOW)
        assert (await env.cycle(NOW)).messages_sent == 1
        assert ids_in(env, 1) == [kept["id"]]

        # « Annuler » in /alertes: the effect goes, the offer itself stays hidden.
        assert await env.storage.set_feedback_reason(1, hidden["id"], None)
        tomorrow = NOW + DAY
        again = add(env, tomorrow - HOUR, **dict(left_out_fields))
        await sweep(env, tomorrow)
        assert (await env.cycle(tomorrow)).messages_sent == 1
        assert ids_in(env, 1)[1:] == [again["id"]]
        assert hidden["id"] not in ids_in(env, 1)


async def test_not_interested_in_a_job_demotes_its_offers(tmp_path: Path) -> None:
    async with alert_env(tmp_path) as env:
        skills = job_skills(WAITER, 2) + job_skills(COOK, 2)
        for user_id in (1, 2):  # 2 is the control: same profile, no feedback
            await env.add_user(user_id, (WAITER, COOK), PARIS_CODE, skills=skills)
        hidden = add(env, NOW - 3 * HOUR)
        waiter = add(env, NOW - HOUR)
        cook = add(env, NOW - HOUR, rome=COOK)
        await feedback_env_offer(env, hidden, Reason.JOB)
        await sweep(env, NOW)
        assert (await env.cycle(NOW)).messages_sent == 2
        control = ids_in(env, 2)
        assert control.index(waiter["id"]) < control.index(cook["id"])
        demoted = ids_in(env, 1)
        assert hidden["id"] not in demoted and cook["id"] in demoted
        # Its score × 0.6: below the cook offer, or under the fit threshold altogether.
        assert waiter["id"] not in demoted or demoted.index(cook["id"]) < demoted.index(
            waiter["id"]
        )
