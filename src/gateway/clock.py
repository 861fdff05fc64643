"""Time and chance, passed in through the wiring so tests can make back-off instant."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Clock:
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    monotonic: Callable[[], float] = time.monotonic
    time: Callable[[], float] = time.time
    random: Callable[[], float] = field(default=random.random)
