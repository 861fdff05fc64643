"""Runtime-neutral core of the gateway: standard library only, async only.

Nothing here imports a runtime (js, pyodide, workers, httpx, aiohttp, uvicorn, websockets)
or reads the process environment; adapters hand in ports and settings.
"""
