"""Offers ranked for a profile: skill fit, job fit, nearness and freshness, with reasons."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ft_client.matching.scores import CORE_WEIGHT, MissingSkill, job_coverage
from ft_client.matching.skills import MATCH_THRESHOLD, SkillMatch, clean_phrases, matcher_for
from ft_client.models import Competence, Offer
from ft_client.referential import Referential, haversine_km

OFFER_REQUIRED_WEIGHT = 2.0
OFFER_DESIRED_WEIGHT = 1.0
QUALITY_WEIGHT = 0.5
RANK_WEIGHTS = {"skills": 0.45, "job": 0.25, "place": 0.2, "freshness": 0.1}
DEFAULT_RADIUS_KM = 30.0
FRESHNESS_HALF_LIFE_DAYS = 7.0


@dataclass(frozen=True, slots=True)
class MatchProfile:
    """What ranking needs to know about a user (the bot converts its stored profile)."""

    skills: Sequence[str]
    target_rome_codes: Sequence[str] = ()
    latitude: float | None = None
    longitude: float | None = None
    commune: str | None = None  # INSEE code as chosen (may be an arrondissement)
    departement: str | None = None
    radius_km: float | None = None


@dataclass(frozen=True, slots=True)
class RankedOffer:
    offer: Offer
    score: float
    matched: tuple[SkillMatch, ...]
    missing: tuple[MissingSkill, ...]
    reasons: tuple[str, ...]
    skill_score: float | None = None
    job_score: float | None = None
    place_score: float | None = None
    freshness_score: float | None = None
    distance_km: float | None = None


def _freshness(offer: Offer, now: datetime) -> tuple[float | None, str | None]:
    created = offer.created_at or offer.updated_at
    if created is None:
        return None, None
    age_days = max(0.0, (now - created).total_seconds() / 86400)
    score = 0.5 ** (age_days / FRESHNESS_HALF_LIFE_DAYS)
    days = int(age_days)
    if days == 0:
        reason = "Publiée aujourd'hui"
    elif days == 1:
        reason = "Publiée hier"
    else:
        reason = f"Publiée il y a {days} jours"
    return score, reason


def _valid_point(latitude: object, longitude: object) -> tuple[float, float] | None:
    if isinstance(latitude, bool) or isinstance(longitude, bool):
        return None
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return float(latitude), float(longitude)


def _place_fit(
    profile: MatchProfile, offer: Offer, ref: Referential
) -> tuple[float | None, float | None, str | None]:
    """(score, distance in km, reason) — distance when both have a point, else same
    commune / city / département."""
    place = offer.place
    radius = DEFAULT_RADIUS_KM
    if isinstance(profile.radius_km, int | float) and 0 < profile.radius_km < 20_000:
        radius = float(profile.radius_km)
    user_point = _valid_point(profile.latitude, profile.longitude)
    offer_point = _valid_point(place.latitude, place.longitude)
    if user_point and offer_point:
        distance = haversine_km(*user_point, *offer_point)
        if distance <= radius:
            score = 1.0 - 0.5 * distance / radius
            reason = (
                "Tout près de chez vous" if distance < 1 else f"À {distance:.0f} km de chez vous"
            )
        else:
            score = 0.5 * math.exp(-(distance - radius) / radius)
            reason = f"À {distance:.0f} km, au-delà de votre rayon de {radius:.0f} km"
        return score, distance, reason
    user_commune = profile.commune
    if user_commune and place.commune:
        if place.commune == user_commune:
            return 1.0, None, "Dans votre commune"
        user_city = _city_code(user_commune, ref)
        if user_city == _city_code(place.commune, ref):
            return 0.9, None, "Dans votre ville"
    user_dept = profile.departement or (
        ref.place(user_commune).departement if user_commune and ref.place(user_commune) else None
    )
    offer_dept = place.departement
    if user_dept and offer_dept:
        if user_dept == offer_dept:
            return 0.6, None, f"Dans votre département ({offer_dept})"
        return 0.1, None, f"Hors de votre département ({offer_dept})"
    return None, None, None


def _city_code(code: str, ref: Referential) -> str:
    place = ref.place(code)
    return ref.query_commune(place) if place else code


@dataclass(frozen=True, slots=True)
class _Targets:
    codes: frozenset[str]
    mobility: frozenset[str]
    domains: frozenset[str]
    letters: frozenset[str]

    @classmethod
    def of(cls, codes: Sequence[str], ref: Referential) -> _Targets:
        """The targets of these codes, built once per referential and code list: many users
        share their target jobs, and a job's mobility list is long."""
        key = (id(ref), tuple(codes))
        try:
            cached = _TARGETS.get(key)
        except TypeError:  # an unhashable code (never a string): nothing to share
            return cls._build(codes, ref)
        if cached is not None and cached[0] is ref:
            return cached[1]
        targets = cls._build(codes, ref)
        if len(_TARGETS) >= _TARGETS_LIMIT:
            _TARGETS.clear()
        _TARGETS[key] = (ref, targets)
        return targets

    @classmethod
    def _build(cls, codes: Sequence[str], ref: Referential) -> _Targets:
        clean = frozenset(c.strip().upper() for c in codes if isinstance(c, str) and c.strip())
        jobs = [j for j in (ref.job(c) for c in clean) if j is not None]
        return cls(
            codes=clean,
            mobility=frozenset(m for j in jobs for m in j.mobility),
            domains=frozenset(c[:3] for c in clean),
            letters=frozenset(c[:1] for c in clean),
        )


# `_Targets.of`'s cache: (referential id, codes) → (referential, targets); bounded. An entry
# weighs up to ~2.5 KiB (its sets, mostly the mobility codes): 5 000 entries ≤ 12 MiB in each
# worker. 30 000 benchmark users have ~1 250 distinct target lists; a miss costs a few
# frozensets (microseconds), so the bound is memory's.
_TARGETS: dict[tuple[int, tuple[str, ...]], tuple[Referential, _Targets]] = {}
_TARGETS_LIMIT = 5_000


def _job_fit(offer: Offer, targets: _Targets, ref: Referential) -> tuple[float | None, str | None]:
    """1 for a target job, 0.6 for a move ROME suggests from one, 0.4 same domain."""
    if not targets.codes:
        return None, None
    code = (offer.rome_code or "").upper()
    if not code:
        return 0.0, None
    if code in targets.codes:
        score, template = 1.0, "Votre métier visé : {}"
    elif code in targets.mobility:
        score, template = 0.6, "Métier proche de votre cible : {}"
    elif code[:3] in targets.domains:
        score, template = 0.4, "Même domaine que votre métier visé : {}"
    else:
        return (0.15 if code[:1] in targets.letters else 0.0), None
    job = ref.job(code)
    label = offer.rome_label or (job.label if job else code)
    return score, template.format(label)


class SkillFit:
    """How a person's phrases fit offers: their competences, qualities, titles and ROME jobs.

    It depends on the phrases only, so the parts of one alert's ranking and all the alerts of
    one person (saved alerts rank with the profile's skills) share one: each competence, label
    and job is matched once per person instead of once per ranking call."""

    __slots__ = (
        "_competences",
        "_job_details",
        "_jobs",
        "_qualities",
        "_texts",
        "by_code",
        "matcher",
        "phrases",
        "ref",
        "skills",
    )

    def __init__(self, skills: Sequence[str], referential: Referential | None = None) -> None:
        self.matcher = matcher_for(referential)
        self.ref = self.matcher.referential
        self.skills = tuple(skills)
        self.phrases = clean_phrases(self.skills)
        # Code path: each referential skill code → the best (similarity, phrase) over all
        # phrases. Only the offers' jobs need a coverage: no all-jobs scorer per user.
        self.by_code = self.matcher.best_by_code(self.phrases)
        self._texts: dict[str, tuple[float, str]] = {}
        self._jobs: dict[str, float | None] = {}
        self._job_details: dict[str, tuple[tuple[SkillMatch, ...], tuple[MissingSkill, ...]]] = {}
        # Keyed on strings (hashes cached by Python), not on the dataclass (hashed field by field).
        self._competences: dict[
            tuple[str, str | None], tuple[float, float, SkillMatch | MissingSkill]
        ] = {}
        self._qualities: dict[str, tuple[float, SkillMatch | MissingSkill]] = {}

    def fits(self, skills: Sequence[str], referential: Referential | None) -> bool:
        """True when this fit was made for these skills and this referential's matcher."""
        return self.skills == tuple(skills) and self.matcher is matcher_for(referential)

    def text_match(self, label: str) -> tuple[float, str]:
        cached = self._texts.get(label)
        if cached is None:
            cached = (0.0, "")
            for phrase in self.phrases:
                sim = self.matcher.text_similarity(phrase, label)
                if sim >= MATCH_THRESHOLD and sim > cached[0]:
                    cached = (sim, phrase)
            self._texts[label] = cached
        return cached

    def job(self, code: str | None) -> float | None:
        """match_job's coverage of the offer's ROME job (offers share jobs)."""
        if not code or not self.phrases:
            return None
        code = code.upper()
        if code not in self._jobs:
            known = self.ref.job_skill_codes(code)
            self._jobs[code] = job_coverage(self.matcher, self.by_code, code) if known else None
        return self._jobs[code]

    def job_details(self, code: str) -> tuple[tuple[SkillMatch, ...], tuple[MissingSkill, ...]]:
        """Matched and missing core skills of a ROME job, for offers that list no competences."""
        cached = self._job_details.get(code)
        if cached is None:
            matched_job: list[SkillMatch] = []
            missing_job: list[MissingSkill] = []
            for skill_code, core in self.ref.job_skill_codes(code):
                skill = self.ref.skill(skill_code)
                if skill is None or skill.kind == "contexte":
                    continue
                if skill_code in self.by_code:
                    sim, phrase = self.by_code[skill_code]
                    matched_job.append(SkillMatch(phrase, skill.label, skill_code, sim, "métier"))
                elif core:
                    missing_job.append(
                        MissingSkill(skill.label, skill_code, "cœur de métier", CORE_WEIGHT)
                    )
            cached = (tuple(matched_job[:8]), tuple(missing_job[:5]))
            self._job_details[code] = cached
        return cached

    def competence(self, competence: Competence) -> tuple[float, float, SkillMatch | MissingSkill]:
        key = (competence.code or competence.label, competence.requirement)
        cached = self._competences.get(key)
        if cached is None:
            weight = OFFER_REQUIRED_WEIGHT if competence.required else OFFER_DESIRED_WEIGHT
            hit = self.by_code.get(competence.code) if competence.code else None
            if hit is None:
                hit = self.text_match(competence.label)
            if hit[0] >= MATCH_THRESHOLD:
                item: SkillMatch | MissingSkill = SkillMatch(
                    hit[1], competence.label, competence.code, hit[0], "offre"
                )
                cached = (weight, hit[0], item)
            else:
                importance = "exigée" if competence.required else "souhaitée"
                item = MissingSkill(competence.label, competence.code, importance, weight)
                cached = (weight, 0.0, item)
            self._competences[key] = cached
        return cached

    def quality(self, label: str) -> tuple[float, SkillMatch | MissingSkill]:
        cached = self._qualities.get(label)
        if cached is None:
            hit = self.text_match(label)
            if hit[0] >= MATCH_THRESHOLD:
                cached = (hit[0], SkillMatch(hit[1], label, None, hit[0], "qualité"))
            else:
                cached = (0.0, MissingSkill(label, None, "qualité", QUALITY_WEIGHT))
            self._qualities[label] = cached
        return cached


def rank_offers(
    profile: MatchProfile,
    offers: Iterable[Offer],
    *,
    referential: Referential | None = None,
    now: datetime | None = None,
    skill_fit: SkillFit | None = None,
) -> list[RankedOffer]:
    """Offers ranked for a profile, best first, each with the reasons in French.

    ``skill_fit``: the person's `SkillFit`, shared between calls for the same skills (one
    made here when absent or made for other skills)."""
    if skill_fit is None or not skill_fit.fits(profile.skills, referential):
        skill_fit = SkillFit(profile.skills, referential)
    fit = skill_fit
    ref = fit.ref
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    phrases = fit.phrases
    targets = _Targets.of(profile.target_rome_codes, ref)

    ranked: list[RankedOffer] = []
    for offer in offers:
        if not isinstance(offer, Offer):
            continue
        matched: list[SkillMatch] = []
        missing: list[MissingSkill] = []
        reasons: list[str] = []
        skill_score: float | None = None
        if phrases:
            total_weight = covered = 0.0
            n_items = n_hit = 0
            for competence in offer.competences:
                weight, sim, item = fit.competence(competence)
                total_weight += weight
                n_items += 1
                if sim:
                    covered += weight * sim
                    n_hit += 1
                    matched.append(item)  # type: ignore[arg-type]
                else:
                    missing.append(item)  # type: ignore[arg-type]
            for quality in offer.qualities:
                sim, item = fit.quality(quality.label)
                total_weight += QUALITY_WEIGHT
                if sim:
                    covered += QUALITY_WEIGHT * sim
                    matched.append(item)  # type: ignore[arg-type]
                else:
                    missing.append(item)  # type: ignore[arg-type]
            rome_fit = fit.job(offer.rome_code)
            offer_fit = covered / total_weight if total_weight else None
            if offer_fit is not None and rome_fit is not None:
                skill_score = 0.6 * offer_fit + 0.4 * rome_fit
            elif offer_fit is not None:
                skill_score = offer_fit
            elif rome_fit is not None:
                skill_score = rome_fit
                job_matched, job_missing = fit.job_details((offer.rome_code or "").upper())
                matched.extend(job_matched)
                missing.extend(job_missing)
            else:
                title_hit = fit.text_match(offer.title)
                skill_score = title_hit[0]
            if n_items:
                # One vocabulary everywhere (/match, /metiers, offer cards, alerts): "couvrent".
                if n_hit:
                    reasons.append(
                        f"Vos compétences couvrent {n_hit} des {n_items} compétences demandées"
                        if n_items > 1
                        else "Vos compétences couvrent la compétence demandée"
                    )
                else:
                    reasons.append("Aucune des compétences demandées n'est dans votre profil")
            elif rome_fit:
                reasons.append(f"Vos compétences couvrent {round(rome_fit * 100)} % du métier")
        job_score, job_reason = _job_fit(offer, targets, ref)
        if job_reason:
            reasons.insert(0, job_reason)
        place_score, distance, place_reason = _place_fit(profile, offer, ref)
        if place_reason:
            reasons.append(place_reason)
        freshness, fresh_reason = _freshness(offer, now)
        if fresh_reason:
            reasons.append(fresh_reason)

        weight_sum = total = 0.0
        for part, value in (
            ("skills", skill_score),
            ("job", job_score),
            ("place", place_score),
            ("freshness", freshness),
        ):
            if value is not None:
                weight_sum += RANK_WEIGHTS[part]
                total += RANK_WEIGHTS[part] * value
        score = total / weight_sum if weight_sum else 0.0
        missing.sort(key=lambda m: -m.weight)
        ranked.append(
            RankedOffer(
                offer=offer,
                score=round(min(1.0, max(0.0, score)), 4),
                matched=tuple(matched),
                missing=tuple(missing),
                reasons=tuple(reasons),
                skill_score=None if skill_score is None else round(skill_score, 4),
                job_score=job_score,
                place_score=None if place_score is None else round(place_score, 4),
                freshness_score=None if freshness is None else round(freshness, 4),
                distance_km=None if distance is None else round(distance, 1),
            )
        )
    ranked.sort(key=lambda r: (-r.score, r.offer.id))
    return ranked
