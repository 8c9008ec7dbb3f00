"""How broad a ROME fiche is: a small prior that breaks near-ties between neighbouring métiers.

When a person's words fit several neighbouring fiches almost equally (« cariste » and « chef
cariste », « boucher » and « chef charcutier-traiteur », « conducteur de poids lourd » and
« convoyeur »), the broad métier many people hold is more often the right one than a narrow
specialisation. ROME itself says which fiches are broad: the number of appellations (job
titles) it files under a fiche — Serveur 17, Vendeur en prêt-à-porter 23, Cariste 18 against
Chef cariste 1 or Convoyeur 3. The prior is ``log(1 + appellations) / log(1 + most
appellations)``, in [0, 1]: derived from the bundled referential only, no external statistics.

Measured (docs/matching-measurements.md, sixth pass) as a small weight next to the fused
signals; the appellation count is a proxy for how common a métier is, not a count of job
seekers or offers.
"""

from __future__ import annotations

import math

from ft_client.referential import Referential

# One map per referential (1 584 floats), built on first use.
_priors: dict[int, dict[str, float]] = {}


def breadth_prior(referential: Referential) -> dict[str, float]:
    """ROME code → log(1 + appellations) / log(1 + the largest count), in [0, 1]."""
    key = id(referential)
    cached = _priors.get(key)
    if cached is None:
        counts = {job.code: len(job.titles) for job in referential.jobs()}
        top = math.log1p(max(counts.values(), default=0))
        cached = {code: math.log1p(n) / top if top else 0.0 for code, n in counts.items()}
        _priors[key] = cached
    return cached
