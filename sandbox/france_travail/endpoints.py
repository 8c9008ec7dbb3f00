"""Which endpoint and API a request path belongs to, and the scope that grants it.

The endpoint names key the stats, the fault targets and the rate limits.
"""

from __future__ import annotations

from sandbox.france_travail.config import APIS


def endpoint_of(method: str, path: str) -> tuple[str, str | None]:
    """(endpoint name, API name) for stats, faults and rate limits."""
    if path.startswith("/connexion/oauth2/access_token"):
        return "token", None
    api = next(
        (name for name, prefixes in APIS.items() for p, _ in prefixes if path.startswith(p)), None
    )
    if path.startswith("/partenaire/offresdemploi/v2/offres/search"):
        return "offres_search", api
    if path.startswith("/partenaire/offresdemploi/v2/offres/"):
        return "offres_detail", api
    if path.startswith("/partenaire/offresdemploi/v2/referentiel/"):
        return "referentiel", api
    if path.startswith("/partenaire/rome-metiers/v1/metiers/appellation/requete"):
        return "rome_appellation_search", api
    if path.startswith("/partenaire/rome-metiers/v1/metiers/appellation"):
        return "rome_appellation", api
    if path.rstrip("/") == "/partenaire/rome-metiers/v1/metiers/metier":
        return "rome_metiers", api
    if path.startswith("/partenaire/rome-metiers/v1/metiers/metier/"):
        return "rome_metier", api
    if path.startswith("/partenaire/rome-fiches-metiers/"):
        return "rome_fiche", api
    if path.startswith("/partenaire/matchviasoftskills/"):
        return "softskills", api
    if path.startswith("/partenaire/labonneboite/"):
        return "labonneboite", api
    if path.startswith("/partenaire/stats-offres-demandes-emploi/v1/indicateur/salaire-"):
        return "marche_salaires", api
    if path.startswith("/partenaire/stats-offres-demandes-emploi/v1/indicateur/stat-offres"):
        return "marche_offres", api
    if path.startswith("/partenaire/stats-offres-demandes-emploi/v1/indicateur/stat-embauches"):
        return "marche_embauches", api
    if path.startswith("/partenaire/stats-offres-demandes-emploi/v1/indicateur/stat-perspective"):
        return "marche_tension", api
    if path.startswith("/partenaire/stats-offres-demandes-emploi/"):
        return "marche", api
    if path.startswith("/partenaire/romeo/"):
        return "romeo", api
    return ("unknown", api)


def scope_for(path: str) -> str | None:
    for prefixes in APIS.values():
        for prefix, scope in prefixes:
            if path.startswith(prefix):
                return scope
    return None
