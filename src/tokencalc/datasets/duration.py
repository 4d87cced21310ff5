"""How long a dataset job takes under rate limits, which limit binds, and what batch changes.

Sent as fast as the limits allow, a job of R requests, I input and O output tokens takes
``max(R / rpm, (I + O) / tpm, I / itpm, O / otpm)`` minutes (each limit that exists); a daily
request limit smaller than R adds ``ceil(R / rpd) − 1`` whole days (the quota resets daily). ``itpm`` counts only uncached input
where the provider says cache reads do not count. The batch API has no per-minute limits but a
queue: the job goes in ``ceil(I / batch_queue_tokens)`` or ``ceil(R / batch_queue_requests)``
submissions, one after another, each finishing within the batch window (24 h): the worst case
is submissions × window. Pure arithmetic, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from tokencalc.sheet.ratelimits import RateLimits

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class Duration:
    limits: RateLimits
    minutes: dict[str, Fraction]  # per limit that applies: minutes it alone would need
    binding: str | None  # the limit with the most minutes
    total_minutes: Fraction | None  # None: no per-minute or per-day limit known
    batch_submissions: int | None  # None: no batch queue limit known
    batch_worst_hours: int | None

    @property
    def batch_window_hours(self) -> int:
        return self.limits.batch_window_hours


def job_duration(
    limits: RateLimits, requests: int, input_tokens: int, cached_tokens: int, output_tokens: int
) -> Duration:
    minutes: dict[str, Fraction] = {}
    counted_input = input_tokens if limits.cache_reads_count else input_tokens - cached_tokens
    if limits.rpm:
        minutes["rpm"] = Fraction(requests, limits.rpm)
    if limits.tpm:
        minutes["tpm"] = Fraction(input_tokens + output_tokens, limits.tpm)
    if limits.itpm:
        minutes["itpm"] = Fraction(counted_input, limits.itpm)
    if limits.otpm:
        minutes["otpm"] = Fraction(output_tokens, limits.otpm)
    if limits.rpd and requests > limits.rpd:
        # the quota resets daily: each further day's worth of requests waits a whole day
        minutes["rpd"] = Fraction((-(-requests // limits.rpd) - 1) * MINUTES_PER_DAY)
    binding = max(minutes, key=lambda key: minutes[key]) if minutes else None
    total = minutes[binding] if binding else None
    submissions = None
    if limits.batch_queue_tokens:
        submissions = max(1, -(-input_tokens // limits.batch_queue_tokens))
    if limits.batch_queue_requests:
        by_requests = max(1, -(-requests // limits.batch_queue_requests))
        submissions = max(submissions or 0, by_requests)
    worst = None if submissions is None else submissions * limits.batch_window_hours
    return Duration(limits, minutes, binding, total, submissions, worst)


def describe_minutes(minutes: Fraction) -> str:
    """``95.5`` → ``1 h 36 min``; rounded up to whole minutes, days from 48 hours on."""
    whole = -(-minutes.numerator // minutes.denominator)
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"
