"""``/docs`` without the internet: Swagger UI served from the service's own files.

FastAPI's default page loads Swagger UI from a CDN and stays blank offline. Here its script,
stylesheet and icon come from the ``swagger-ui-bundle-v2`` package, through this service.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

__all__ = ["ASSETS", "offline_docs"]

# What the page needs, and nothing else of the bundle.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def offline_docs(app: FastAPI, *, title: str) -> None:
    """Serve ``/docs`` and its assets under ``/docs/assets/``; the app must have ``docs_url=None``."""
    folder = Path(str(swagger_ui_path))

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{title} – API",
            swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
            swagger_favicon_url=f"{root}/docs/assets/favicon-32x32.png",
            oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        media_type = ASSETS.get(name)
        if media_type is None:
            raise HTTPException(404, f"no asset {name}")
        return FileResponse(folder / name, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
