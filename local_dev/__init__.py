"""The ASGI adapter: serves the runtime-neutral core under uvicorn, with aiohttp as the
upstream HTTP client (chosen by measurement, see benchmarks/ and DESIGN.md)."""
