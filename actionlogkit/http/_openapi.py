"""The OpenAPI document as committed in ``docs/openapi.json``: pretty, keys sorted, one newline."""

from __future__ import annotations

import json

from fastapi import FastAPI

from actionlogkit.http._app import create_app

__all__ = ["openapi_json"]


def openapi_json(app: FastAPI | None = None) -> str:
    """The OpenAPI document of ``app`` (default: the API over an empty memory store) as text.

    Keys are sorted so that the text depends only on the document, not on the order in which
    FastAPI and pydantic happen to build it.
    """
    if app is None:
        app = create_app("memory://")
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
