"""The ROME 4.0 ``champs`` parameter: ``code,libelle,appellations(code)`` selects fields."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from sandbox.france_travail.responses import json_response

Selector = dict[str, "Selector | None"]


def parse_champs(text: str) -> Selector:
    """ROME 4.0 field selector: ``code,libelle,formacodes(libelle,code)`` -> nested dict."""
    tokens = re.findall(r"[A-Za-z0-9_]+|[(),]|\S", text.replace(" ", ""))
    pos = 0

    def fields() -> Selector:
        nonlocal pos
        out: Selector = {}
        while True:
            if pos >= len(tokens) or not re.fullmatch(r"[A-Za-z0-9_]+", tokens[pos]):
                raise ValueError("field name expected")
            name = tokens[pos]
            pos += 1
            sub = None
            if pos < len(tokens) and tokens[pos] == "(":
                pos += 1
                sub = fields()
                if pos >= len(tokens) or tokens[pos] != ")":
                    raise ValueError("')' expected")
                pos += 1
            out[name] = sub
            if pos < len(tokens) and tokens[pos] == ",":
                pos += 1
                continue
            return out

    selector = fields()
    if pos != len(tokens):
        raise ValueError("unexpected text after the selector")
    return selector


def select_fields(data: Any, selector: Selector) -> Any:
    if isinstance(data, list):
        return [select_fields(item, selector) for item in data]
    if isinstance(data, dict):
        return {
            key: select_fields(data[key], sub) if sub else data[key]
            for key, sub in selector.items()
            if key in data
        }
    return data


def select_response(response: web.Response, selector: Selector, endpoint: str) -> web.Response:
    assert isinstance(response.body, bytes)
    data = json.loads(response.body)
    if endpoint == "rome_appellation_search":  # the selector applies to each result
        data["resultats"] = select_fields(data["resultats"], selector)
    else:
        data = select_fields(data, selector)
    return json_response(data, status=response.status)
