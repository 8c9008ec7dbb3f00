"""Response builders shared by the routes: JSON bodies, France Travail error bodies, 401."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from aiohttp import web


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False).encode("utf-8"),
        content_type="application/json",
        charset="utf-8",
        headers=dict(headers or {}),
    )


def ft_error(status: int, message: str) -> web.Response:
    body = {"message": message, "codeHttp": status, "codeErreur": str(int(time.time() * 1000))}
    return json_response(body, status=status)


def bad_request(message: str) -> web.Response:
    return ft_error(400, message)


def unauthorized() -> web.Response:
    return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})
