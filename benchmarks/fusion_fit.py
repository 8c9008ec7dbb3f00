"""Fit a fusion of ``suggest_jobs``' signals across writers, and judge it leave-one-writer-out.

Issue 12, ninth pass. Six sets of people's words by six writers (dev 1, dev 2, retired
held-out 12, 12b, 12c, 12d) plus the original profiles and the synthetic set (ROME-worded,
the floor: 285 / 297 of 300 at @1 / @5). For each writer set, every candidate fusion is fitted
on the other five (+ original + synthetic) and read on the left-out one: the honest proxy for
a new writer. Prints the candidate-union ceiling per set, the leave-one-set-out (LOSO) table,
the weights fitted on all sets, and the families that miss most.

Tenth pass: the job names at every confidence (``fusion.LOW_TITLE_FEATURES``), each fitted
from the ninth pass's fit of the fold and compared with it (``--fits``, ``--reference``).

Eleventh pass: the signals gated by how ROME-worded the profile is (``fusion.GATE_FEATURES``:
× likeness, × its complement, × the share of phrases under 0.9, only under 0.6 / 0.7), fitted
the same way (``ninth + CA …`` fusions).

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/fusion_fit.py`` (signals cached in /tmp by
``benchmarks/fusion_signals.py``; ``--refresh`` recomputes them, ``--no-check`` skips the
check that the baseline reproduces ``suggest_jobs`` profile by profile).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.fusion_signals import (
    FEATURES,
    HAND_WEIGHTS,
    WRITER_SETS,
    ProfileSignals,
    cached_signals,
)
from ft_client.matching.fusion import (
    FUSION_WEIGHTS,
    GATE_FEATURES,
    GATED_SIGNALS,
    LOW_TITLE_FEATURES,
)
from ft_client.matching.suggest import MIN_SUGGESTION_SCORE

WRITERS = [name for name, _path in WRITER_SETS]
FLOOR_AT_1, FLOOR_AT_5 = 285, 297  # synthetic set, of 300
DEPTH = 100  # candidates per profile in the fitting arrays
BASE = ("lex", "bm25", "sem", "title", "breadth", "u_sem")


def weight_vector(weights: dict[str, float]) -> np.ndarray:
    return np.array([weights.get(name, 0.0) for name in FEATURES])


def ranked(profile: ProfileSignals, scores: np.ndarray) -> list[int]:
    """Candidate indices in suggest_jobs' order: shown fiches only (« no 0 % » rule), by
    relevance rounded to 4 decimals, then coverage, then code."""
    shown = np.flatnonzero(profile.coverage >= MIN_SUGGESTION_SCORE)
    if not len(shown):
        shown = np.arange(len(profile.codes))
    keys = np.round(scores[shown], 4)
    order = np.lexsort((shown, -profile.coverage[shown], -keys))
    return [int(shown[i]) for i in order]


def hits(profile: ProfileSignals, scores: np.ndarray) -> tuple[bool, bool]:
    order = ranked(profile, scores)[:5]
    codes = [profile.codes[i] for i in order]
    return bool(codes and codes[0] in profile.acceptable), bool(set(codes) & profile.acceptable)


def recall(profiles: Sequence[ProfileSignals], w: np.ndarray | None) -> tuple[int, int]:
    """Exact hits @1 and @5 (``w`` None: suggest_jobs' own relevance)."""
    h1 = h5 = 0
    for p in profiles:
        a, b = hits(p, p.baseline if w is None else p.features @ w)
        h1 += a
        h5 += b
    return h1, h5


@dataclass(slots=True)
class Batch:
    """Profiles padded to one array, shown candidates only, for fast approximate scoring."""

    x: np.ndarray  # (profiles × candidates × features)
    valid: np.ndarray  # shown candidate
    right: np.ndarray  # acceptable code
    coverage: np.ndarray
    synthetic: np.ndarray  # profile of the synthetic set

    @classmethod
    def of(cls, profiles: Sequence[ProfileSignals]) -> Batch:
        keep = []
        for p in profiles:
            # The shown fiches today's fusion ranks in its best DEPTH, and every right one: a
            # fusion near today's never lifts a fiche from further down into the top 5, and
            # the padded array stays small (up to 1 578 candidates a profile otherwise).
            # Every fiche a job name points to (at any confidence) too, right or wrong: the
            # job-name features may lift one from deep down.
            order = ranked(p, p.baseline)
            named = p.features[:, FEATURES.index("title_low")] > 0
            right = [i for i in order[DEPTH:] if p.codes[i] in p.acceptable or named[i]]
            keep.append(np.array(order[:DEPTH] + right))
        width = max(len(k) for k in keep)
        n = len(profiles)
        x = np.zeros((n, width, len(FEATURES)))
        valid = np.zeros((n, width), dtype=bool)
        right = np.zeros((n, width), dtype=bool)
        coverage = np.zeros((n, width))
        for i, (p, k) in enumerate(zip(profiles, keep, strict=True)):
            x[i, : len(k)] = p.features[k]
            valid[i, : len(k)] = True
            right[i, : len(k)] = [p.codes[j] in p.acceptable for j in k]
            coverage[i, : len(k)] = p.coverage[k]
        synthetic = np.array([p.set_name == "synthetic" for p in profiles])
        return cls(x, valid, right, coverage, synthetic)

    def hits(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per profile hit @1 and @5 (ties by coverage, then code: close to exact)."""
        key = np.round(self.x @ w, 4) + self.coverage * 1e-6
        key = np.where(self.valid, key, -np.inf)
        top = np.argpartition(-key, 4, axis=1)[:, :5] if key.shape[1] > 5 else np.argsort(-key)
        first = np.argmax(key, axis=1)
        rows = np.arange(len(key))
        at1 = self.right[rows, first]
        at5 = np.take_along_axis(self.right & self.valid, top, axis=1).any(axis=1)
        return at1, at5


def objective(batch: Batch, w: np.ndarray) -> float | None:
    """Hits @1 over the training profiles, @5 as a tie-break; None below the synthetic floor."""
    at1, at5 = batch.hits(w)
    if batch.synthetic.any() and (
        at1[batch.synthetic].sum() < FLOOR_AT_1 or at5[batch.synthetic].sum() < FLOOR_AT_5
    ):
        return None
    return float(at1.sum()) + 1e-3 * float(at5.sum())


def coordinate_ascent(
    batch: Batch, start: dict[str, float], names: Sequence[str], rounds: int = 4
) -> np.ndarray:
    """Greedy per-weight moves (relative and absolute steps) while the objective rises."""
    w = weight_vector(start)
    best = objective(batch, w)
    best = -1.0 if best is None else best
    for _round in range(rounds):
        moved = False
        for name in names:
            f = FEATURES.index(name)
            current = w[f]
            steps = {current * m for m in (0.5, 0.75, 0.9, 1.1, 1.25, 1.5, 2.0)}
            steps |= {current + d for d in (-0.2, -0.1, -0.05, -0.02, 0.02, 0.05, 0.1, 0.2)}
            steps.add(0.0)
            for value in sorted(steps):
                trial = w.copy()
                trial[f] = value
                score = objective(batch, trial)
                if score is not None and score > best + 1e-9:
                    best, w, moved = score, trial, True
        if not moved:
            break
    return w


def softmax_fit(
    batch: Batch, names: Sequence[str], l2: float = 1e-3, steps: int = 400, synthetic: float = 1
) -> np.ndarray:
    """Listwise logistic fit: maximise the log-probability of the acceptable codes under a
    softmax over each profile's shown candidates (features standardised, Adam, numpy only)."""
    cols = [FEATURES.index(n) for n in names]
    x = batch.x[:, :, cols]
    scale = x[batch.valid].std(axis=0) + 1e-9
    x = x / scale
    usable = (batch.right & batch.valid).any(axis=1)
    x, valid, right = x[usable], batch.valid[usable], batch.right[usable] & batch.valid[usable]
    weight = np.where(batch.synthetic[usable], synthetic, 1.0)
    weight = weight / weight.mean()
    w = np.zeros(len(cols))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, steps + 1):
        s = np.where(valid, x @ w, -np.inf)
        s = s - s.max(axis=1, keepdims=True)
        e = np.exp(s)
        p_all = e / e.sum(axis=1, keepdims=True)
        e_right = np.where(right, e, 0.0)
        p_right = e_right / e_right.sum(axis=1, keepdims=True)
        diff = (p_all - p_right) * weight[:, None]
        grad = np.einsum("nc,ncf->f", diff, np.where(valid[..., None], x, 0.0))
        grad = grad / len(x) + 2 * l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= 0.05 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    full = np.zeros(len(FEATURES))
    full[cols] = w / scale
    # Same magnitude as the hand weights' lexical term, so that rounding to 4 decimals bites
    # the same way.
    lex = full[FEATURES.index("lex")]
    return full * (HAND_WEIGHTS["lex"] / lex) if lex > 0 else full


def floor_fit(batch: Batch, names: Sequence[str]) -> np.ndarray:
    """``softmax_fit`` with the synthetic profiles weighted up (×1, 2, 4 … 64) until the
    training synthetic set keeps the floor: the smallest weight that does."""
    for weight in (1, 2, 4, 8, 16, 32, 64):
        w = softmax_fit(batch, names, synthetic=weight)
        if objective(batch, w) is not None:
            return w
    return w


def blend_fit(batch: Batch, names: Sequence[str], refine: bool = False) -> np.ndarray:
    """The unconstrained ``softmax_fit`` pulled back towards the hand weights,
    ``(1 - t) hand + t fitted``, at the t in 0.1 … 1 that scores best on the training sets
    while keeping the synthetic floor there; ``refine``: then coordinate ascent from it."""
    hand, fitted = weight_vector(HAND_WEIGHTS), softmax_fit(batch, names)
    best, chosen = objective(batch, hand), hand
    for t in np.linspace(0.1, 1.0, 10):
        w = (1 - t) * hand + t * fitted
        score = objective(batch, w)
        if score is not None and (best is None or score > best):
            best, chosen = score, w
    return coordinate_ascent(batch, as_dict(chosen), names, 2) if refine else chosen


RICH = (*BASE, "coverage", "sem_gap", "sem_max_gap", "sem_title_gap", "sem_skill_gap",
        "rr_lex", "rr_bm25", "rr_sem", "u_lex", "u_bm25", "short_sem", "short_lex")  # fmt: skip
# RICH without the title-row and skill-row cosines (a second product with the index per
# phrase at run time): what suggest_jobs can compute from the signals it has.
CHEAP = tuple(n for n in RICH if n not in ("sem_title_gap", "sem_skill_gap"))


def as_dict(w: np.ndarray) -> dict[str, float]:
    return {n: float(v) for n, v in zip(FEATURES, w, strict=True)}


_ninth: dict[int, np.ndarray] = {}


def ninth(batch: Batch) -> np.ndarray:
    """The ninth pass's procedure on this batch (what ``FUSION_WEIGHTS`` came from), once."""
    if id(batch) not in _ninth:
        _ninth.clear()
        _ninth[id(batch)] = coordinate_ascent(batch, HAND_WEIGHTS, CHEAP, 2)
    return _ninth[id(batch)]


def tenth(batch: Batch, names: Sequence[str], rounds: int = 2) -> np.ndarray:
    """The ninth pass's fit, then coordinate ascent over ``names`` from it (job names at every
    confidence, tenth pass)."""
    return coordinate_ascent(batch, as_dict(ninth(batch)), names, rounds)


def gated(gate: str) -> tuple[str, ...]:
    """The ``GATED_SIGNALS`` times one gate (``lk``, ``nlk``, ``nr9``)."""
    return tuple(f"{gate}_{signal}" for signal in GATED_SIGNALS)


def from_hand(batch: Batch, gate: str) -> np.ndarray:
    """Coordinate ascent from the hand weights over ``CHEAP`` and one gate's signals."""
    return coordinate_ascent(batch, HAND_WEIGHTS, (*CHEAP, *gated(gate)), 2)


# Candidate fusions: name → fit(training batch) → weights.
FITS: dict[str, Callable[[Batch], np.ndarray]] = {
    "hand": lambda b: weight_vector(HAND_WEIGHTS),
    "refit6 (coord. ascent)": lambda b: coordinate_ascent(b, HAND_WEIGHTS, BASE),
    "softmax6": lambda b: softmax_fit(b, BASE),
    "softmax-rich": lambda b: softmax_fit(b, RICH),
    "softmax-cheap": lambda b: softmax_fit(b, CHEAP),
    "softmax-cheap, floor": lambda b: floor_fit(b, CHEAP),
    "softmax-cheap, blend": lambda b: blend_fit(b, CHEAP),
    "softmax-cheap, blend+CA": lambda b: blend_fit(b, CHEAP, refine=True),
    "CA-cheap from hand": lambda b: coordinate_ascent(b, HAND_WEIGHTS, CHEAP, 2),
    "CA-cheap, 4 rounds": lambda b: coordinate_ascent(b, HAND_WEIGHTS, CHEAP, 4),
    "CA-rich from hand": lambda b: coordinate_ascent(b, HAND_WEIGHTS, RICH, 2),
    # Tenth pass: the shipped weights as they are (fitted on every set, the left-out one
    # included), the ninth pass's procedure per fold, and that procedure followed by
    # coordinate ascent over the job names at every confidence.
    "main (fixed)": lambda b: weight_vector(dict(FUSION_WEIGHTS)),
    "ninth (CA-cheap)": ninth,
    "ninth + CA title_low": lambda b: tenth(b, ("title_low",)),
    "ninth + CA low": lambda b: tenth(b, LOW_TITLE_FEATURES),
    "ninth + CA low+title": lambda b: tenth(b, ("title", *LOW_TITLE_FEATURES)),
    "ninth + CA cheap+low": lambda b: tenth(b, (*CHEAP, *LOW_TITLE_FEATURES)),
    "ninth + CA u/short2": lambda b: tenth(b, ("u_title_low", "short2_title_low")),
    "ninth + CA low, 4 rounds": lambda b: tenth(b, ("title", *LOW_TITLE_FEATURES), 4),
    # Eleventh pass: the signals gated by how ROME-worded the profile is, from the ninth fit.
    "ninth + CA nlk": lambda b: tenth(b, gated("nlk")),
    "ninth + CA lk+nlk": lambda b: tenth(b, (*gated("lk"), *gated("nlk"))),
    "ninth + CA nr9": lambda b: tenth(b, gated("nr9")),
    "ninth + CA all gates": lambda b: tenth(b, GATE_FEATURES),
    "ninth + CA cheap+nlk": lambda b: tenth(b, (*CHEAP, *gated("nlk"))),
    "ninth + CA nlk, 4 rounds": lambda b: tenth(b, gated("nlk"), 4),
    "ninth + CA lo6": lambda b: tenth(b, gated("lo6")),
    "ninth + CA lo7": lambda b: tenth(b, gated("lo7")),
    "ninth + CA lo6, 4 rounds": lambda b: tenth(b, gated("lo6"), 4),
    "ninth + CA cheap+lo6": lambda b: tenth(b, (*CHEAP, *gated("lo6"))),
    # The ninth pass's procedure (from the hand weights) with the gated signals in the ascent.
    "CA cheap+lo6 from hand": lambda b: from_hand(b, "lo6"),
    "CA cheap+lo7 from hand": lambda b: from_hand(b, "lo7"),
    "CA cheap+nlk from hand": lambda b: from_hand(b, "nlk"),
}


def by_set(signals: list[ProfileSignals]) -> dict[str, list[ProfileSignals]]:
    groups: dict[str, list[ProfileSignals]] = {}
    for p in signals:
        groups.setdefault(p.set_name, []).append(p)
    return groups


def check_baseline(signals: list[ProfileSignals]) -> None:
    """The cached baseline must rank every profile as suggest_jobs does (top 5, in order)."""
    from ft_client.matching.suggest import suggest_jobs, warm_up

    ref = warm_up(freeze_gc=False).referential
    differ = 0
    for p in signals:
        got = [s.rome_code for s in suggest_jobs(p.phrases, ref, limit=5)]
        mine = [p.codes[i] for i in ranked(p, p.baseline)[:5]]
        differ += got != mine
    print(f"baseline check: {differ} of {len(signals)} profiles differ from suggest_jobs")
    if differ:
        raise SystemExit("the cached signals do not reproduce suggest_jobs")


def print_ceiling(groups: dict[str, list[ProfileSignals]]) -> None:
    print("\nCeiling: share of profiles with a right code among …")
    head = "set        n    union  shown  now@5  now@10  now@20 "
    signals = ("lex", "bm25", "sem", "title")
    print(head + "".join(f"  {s + '@5/10/20':<17}" for s in signals))
    for name, profiles in groups.items():
        n = len(profiles)

        def share(
            test: Callable[[ProfileSignals], bool], profiles: list = profiles, n: int = n
        ) -> str:
            return f"{sum(map(test, profiles)) / n:.3f}"

        row = f"{name:<10} {n:<4} " + share(lambda p: bool(set(p.codes) & p.acceptable))
        row += "  " + share(
            lambda p: any(p.codes[i] in p.acceptable for i in ranked(p, p.baseline))
        )
        for k in (5, 10, 20):
            row += "  " + share(
                lambda p, k=k: any(p.codes[i] in p.acceptable for i in ranked(p, p.baseline)[:k])
            )
        for s in signals:
            row += "  " + "/".join(
                share(lambda p, k=k, s=s: bool(set(p.top_lists[s][:k]) & p.acceptable))
                for k in (5, 10, 20)
            )
        print(row)


def loso(
    groups: dict[str, list[ProfileSignals]], chosen: Sequence[str] = ()
) -> dict[str, dict[str, tuple[int, int]]]:
    """fold → fusion → (hits @1, hits @5) on the left-out writer set."""
    table: dict[str, dict[str, tuple[int, int]]] = {}
    synth: dict[str, list[str]] = {}
    for fold in WRITERS:
        train = [p for name, ps in groups.items() if name != fold for p in ps]
        batch = Batch.of(train)
        table[fold] = {}
        for fusion, fit in FITS.items():
            if chosen and fusion not in chosen:
                continue
            w = fit(batch)
            table[fold][fusion] = recall(groups[fold], w)
            s1, s5 = recall(groups["synthetic"], w)
            synth.setdefault(fusion, []).append(f"{s1}/{s5}")
        print(f"  fold {fold} done", flush=True)
    for fusion, values in synth.items():
        print(f"  synthetic (of 300) with the fold's weights, {fusion}: {' '.join(values)}")
    return table


def print_loso(
    groups: dict[str, list[ProfileSignals]], table: dict, reference: str = "hand"
) -> None:
    print("\nLeave-one-writer-set-out: recall@1 / @5 on the left-out set")
    names = "".join(f"{f + ' (' + str(len(groups[f])) + ')':>16}" for f in WRITERS)
    print(f"{'fusion':<24}{names}      mean      folds +@1 / −@5 vs {reference}")
    hand = {f: table[f][reference] for f in WRITERS}
    for fusion in table[WRITERS[0]]:
        cells, r1, r5 = "", [], []
        gain = lose5 = 0
        for f in WRITERS:
            h1, h5 = table[f][fusion]
            n = len(groups[f])
            cells += f"   {h1 / n:.3f}/{h5 / n:.3f}"
            r1.append(h1 / n)
            r5.append(h5 / n)
            gain += h1 > hand[f][0]
            lose5 += h5 < hand[f][1]
        print(f"{fusion:<24}{cells}   {np.mean(r1):.3f}/{np.mean(r5):.3f}   {gain} / {lose5}")


def print_final(groups: dict[str, list[ProfileSignals]], fusion: str) -> np.ndarray:
    """The chosen fusion fitted on every set, its weights and in-sample figures."""
    everything = [p for ps in groups.values() for p in ps]
    w = FITS[fusion](Batch.of(everything))
    print(f"\n{fusion} fitted on all sets:")
    print("  " + ", ".join(f"{n}={v:.4f}" for n, v in zip(FEATURES, w, strict=True) if v))
    for name, profiles in groups.items():
        b1, b5 = recall(profiles, weight_vector(HAND_WEIGHTS))
        h1, h5 = recall(profiles, w)
        n = len(profiles)
        print(f"  {name:<10} n={n:<4} hand {b1 / n:.3f}/{b5 / n:.3f} ({b1}/{b5})"
              f"   fitted {h1 / n:.3f}/{h5 / n:.3f} ({h1}/{h5})")  # fmt: skip
    return w


def print_families(groups: dict[str, list[ProfileSignals]], w: np.ndarray | None) -> None:
    """Misses by family over the six writer sets (w None: the shipped fusion)."""
    miss1: Counter[str] = Counter()
    miss5: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for fold in WRITERS:
        for p in groups[fold]:
            a, b = hits(p, p.baseline if w is None else p.features @ w)
            total[p.family] += 1
            miss1[p.family] += not a
            miss5[p.family] += not b
    print("\nFamilies missing most across the six writer sets (shipped fusion): misses @1, @5")
    for family, count in miss1.most_common(15):
        print(f"  {family:<32} n={total[family]:<4} @1 miss {count:<3} @5 miss {miss5[family]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help="recompute the cached signals")
    parser.add_argument("--no-check", action="store_true", help="skip the baseline check")
    parser.add_argument("--no-loso", action="store_true", help="skip the leave-one-out table")
    parser.add_argument("--final", default="CA-cheap from hand", help="fusion fitted on all sets")
    parser.add_argument("--fits", nargs="*", default=(), help="LOSO only these fusions")
    parser.add_argument("--reference", default="hand", help="the fusion the folds are compared to")
    args = parser.parse_args(argv)
    signals, _ref = cached_signals(args.refresh)
    groups = by_set(signals)
    if not args.no_check:
        check_baseline(signals)
    print("\nsuggest_jobs (the shipped fusion) per set, recall @1 / @5, and the sixth pass's hand")
    print("weights as a linear model over the same signals:")
    for name, profiles in groups.items():
        h1, h5 = recall(profiles, None)
        hw1, hw5 = recall(profiles, weight_vector(HAND_WEIGHTS))
        n = len(profiles)
        print(f"  {name:<10} n={n:<4} shipped {h1 / n:.3f} / {h5 / n:.3f} ({h1}/{h5})   hand "
              f"{hw1 / n:.3f} / {hw5 / n:.3f} ({hw1}/{hw5})")  # fmt: skip
    print_ceiling(groups)
    if not args.no_loso:
        print_loso(groups, loso(groups, args.fits), args.reference)
        print_final(groups, args.final)
    print_families(groups, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
