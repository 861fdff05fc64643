"""Read-only mapping view over the Worker ``env``, fed to ``Settings.from_mapping``.

Why a view and not a dict copy: ``env`` also holds bindings (KV, Durable Objects) that must
not be converted; only string variables are settings. It accepts the raw JS env (legacy
``on_fetch``) and the ``workers`` SDK's wrapper (``WorkerEntrypoint.env``) alike, because
both answer ``getattr``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from js import Object
from pyodide.ffi import JsException


class EnvVars(Mapping[str, str]):
    def __init__(self, env: Any) -> None:
        self._env = env

    def __getitem__(self, name: str) -> str:
        try:
            value = getattr(self._env, name)
        except (AttributeError, JsException):
            raise KeyError(name) from None
        if not isinstance(value, str):
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        target = getattr(self._env, "_env", self._env)  # unwrap the SDK's env wrapper
        try:
            names = [str(name) for name in Object.keys(target)]
        except (JsException, TypeError):
            return iter(())
        return iter([name for name in names if name in self])

    def __len__(self) -> int:
        return sum(1 for _ in self)
