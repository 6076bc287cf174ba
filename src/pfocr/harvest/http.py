"""HTTP with retries and back-off: transient failures (timeouts, 429, 5xx) are tried again,
waiting longer each time and honouring ``Retry-After``; anything else fails at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from pfocr import __version__
from pfocr.errors import PfocrError

logger = logging.getLogger(__name__)

#: Statuses worth asking again for: rate limits and server-side trouble.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class HarvestError(PfocrError):
    """A harvest request failed for good (after its retries), or a response was unusable."""


@dataclass(frozen=True)
class HttpSettings:
    """How patient the harvester is with a server."""

    timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 60.0
    #: Pause between requests, to be polite to the service.
    pause: float = 0.2
    user_agent: str = f"pfocr/{__version__} (pathway figure harvest)"


class RetryingClient:
    """An ``httpx.Client`` that retries transient failures with exponential back-off."""

    def __init__(
        self, settings: HttpSettings | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.settings = settings or HttpSettings()
        self._sleep = sleep
        self._client = httpx.Client(
            timeout=self.settings.timeout,
            headers={"User-Agent": self.settings.user_agent},
            follow_redirects=True,
        )
        self.requests = 0
        self.retried = 0

    def get(self, url: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        """A 2xx response, or HarvestError naming the URL and the last problem."""
        problem = ""
        for attempt in range(self.settings.retries + 1):
            if attempt:
                self.retried += 1
            if self.settings.pause and self.requests:
                self._sleep(self.settings.pause)
            self.requests += 1
            wait = self._backoff(attempt)
            try:
                response = self._client.get(url, params=params)
            except httpx.TimeoutException:
                problem = f"no answer within {self.settings.timeout:g} s"
            except httpx.TransportError as exc:
                problem = f"connection failed ({exc})"
            else:
                if response.is_success:
                    return response
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    break
                wait = max(wait, _retry_after(response))
            if attempt < self.settings.retries:
                logger.info("%s: %s; trying again in %.1f s", url, problem, wait)
                self._sleep(min(wait, self.settings.max_backoff))
        raise HarvestError(f"{url}: {problem}")

    def _backoff(self, attempt: int) -> float:
        return min(self.settings.backoff * (2**attempt), self.settings.max_backoff)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RetryingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0
