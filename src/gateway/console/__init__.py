"""The console's files (one HTML page, its script and its style sheet), served by the gateway itself.

No build step and nothing from the internet: what is in ``static/public/`` is what the browser gets.
The same folder is the Workers static-assets directory (``[assets]`` in ``wrangler.toml``), where
Cloudflare serves the files before the Worker runs; under local_dev they are read from the package.
"""

from __future__ import annotations

from importlib import resources

TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def asset(name: str) -> tuple[bytes, str] | None:
    """(content, content type) of ``static/public/<name>``, or None for anything else (no paths)."""
    suffix = name[name.rfind("."):] if "." in name else ""
    if suffix not in TYPES or "/" in name or "\\" in name or name.startswith("."):
        return None
    try:
        data = (resources.files(__name__) / "static" / "public" / name).read_bytes()
    except (FileNotFoundError, NotADirectoryError, OSError):
        return None
    return data, TYPES[suffix]
