"""Items of the Offres d'emploi v2 referentials (``/referentiel/{name}``, communes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ft_client.models.parsing import _dict, _str


@dataclass(frozen=True, slots=True)
class ReferentialEntry:
    """One ``{code, libelle}`` item of a ``/referentiel/{name}`` list (``raw`` keeps the rest)."""

    code: str
    label: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> ReferentialEntry | None:
        d = _dict(data)
        code = _str(d.get("code"))
        if not code:
            return None
        return cls(code=code, label=_str(d.get("libelle")) or code, raw=d)


@dataclass(frozen=True, slots=True)
class CommuneEntry:
    """One item of ``/referentiel/communes`` (names are upper-case, "ST MARTIN DU BEC")."""

    code: str  # INSEE
    label: str
    postal_code: str | None = None
    departement: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> CommuneEntry | None:
        d = _dict(data)
        code, label = _str(d.get("code")), _str(d.get("libelle"))
        if not code or not label:
            return None
        return cls(
            code=code,
            label=label,
            postal_code=_str(d.get("codePostal")),
            departement=_str(d.get("codeDepartement")),
        )
