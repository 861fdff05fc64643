"""Cloudflare Workers adapter: the only code that touches ``js`` / ``pyodide`` for HTTP.

It imports nothing from ``workers`` so the same modules run under the legacy runtime used by
the offline tests (``on_fetch``) and the current one (``WorkerEntrypoint`` in ``src/entry.py``).
"""

from .handler import handle

__all__ = ["handle"]
