"""Creates waiting out the trainings quota together ask for a slot one at a time.

Personalize runs at most 20 trainings at once per region and account, and refuses CreateSolutionVersion beyond that
with LimitExceededException; a create waits that out by trying again at every pause of its backoff. A stack of 200
models has 180 creates waiting at once in one provider host, each asking every pause: measured with 3 s emulated
trainings, 1,463 of an `up`'s 1,663 CreateSolutionVersion calls were refusals (benchmarks/RESULTS.md, engine_scale).

So, per client (one per region and set of credentials, shared by the provider's threads: `clients.Personalize.quota`), a create that was
refused the quota before does not ask again while another create of this process was refused it less than one
initial pause ago: it counts its own last refusal once more, as if the service had answered it again. The first try
of every create is always sent, a create's own refusal never holds it back (a single create behaves exactly as
before), and any answer other than a refusal lets every waiting create ask at its next pause.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any


class QuotaProbes:
    """The last quota refusal per client: when, and which create (any object standing for it) received it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refused: weakref.WeakKeyDictionary[Any, tuple[float, object]] = weakref.WeakKeyDictionary()

    def held_back(self, client: Any, create: object, now: float, window: float) -> bool:
        """Whether `create`, refused the quota before, should not ask now: another create was refused less than
        `window` seconds ago. Otherwise this try is the one that asks, and holds the others back until answered."""
        with self._lock:
            last = self._refused.get(client)
            if last is None:
                return False
            when, who = last
            if who is create or not 0 <= now - when < window:
                self._refused[client] = (now, create)
                return False
            return True

    def answered(self, client: Any, create: object, now: float, refused: bool) -> None:
        """Record the service's answer to `create`'s try: a quota refusal, or anything else (which frees the way)."""
        with self._lock:
            if refused:
                self._refused[client] = (now, create)
            else:
                self._refused.pop(client, None)
