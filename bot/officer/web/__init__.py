"""The console's web layer: FastAPI routes, Jinja2 templates, static files (no CDN)."""

from bot.officer.web.app import create_app

__all__ = ["create_app"]
