"""Reading real usage records: agent CLI logs, chat exports and vendor billing exports.

The pure core of ``tokencalc usage``: it reads files and returns data, never prints or exits.
See ``docs/usage-formats.md`` for the formats and the traps each reader handles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tokencalc import lazy_exports

# name → module that defines it, imported on first use: ``tokencalc statusline`` imports a few
# light modules of this package and must not pay for every reader.
_EXPORTS = {
    "default_claude_code_dirs": "tokencalc.usage.discovery",
    "default_codex_dirs": "tokencalc.usage.discovery",
    "default_gemini_dirs": "tokencalc.usage.discovery",
    "total_input_bytes": "tokencalc.usage.discovery",
    "group_records": "tokencalc.usage.grouping",
    "group_vendor_costs": "tokencalc.usage.grouping",
    "read_usage": "tokencalc.usage.reader",
    "BILLING_SOURCES": "tokencalc.usage.registry",
    "ESTIMATED_SOURCES": "tokencalc.usage.registry",
    "SOURCES": "tokencalc.usage.registry",
    "UsageRecord": "tokencalc.usage.records",
    "UsageReport": "tokencalc.usage.records",
    "VendorCost": "tokencalc.usage.records",
}

if TYPE_CHECKING:
    from tokencalc.usage.discovery import (
        default_claude_code_dirs,
        default_codex_dirs,
        default_gemini_dirs,
        total_input_bytes,
    )
    from tokencalc.usage.grouping import group_records, group_vendor_costs
    from tokencalc.usage.reader import read_usage
    from tokencalc.usage.records import UsageRecord, UsageReport, VendorCost
    from tokencalc.usage.registry import BILLING_SOURCES, ESTIMATED_SOURCES, SOURCES


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "BILLING_SOURCES",
    "ESTIMATED_SOURCES",
    "SOURCES",
    "UsageRecord",
    "UsageReport",
    "VendorCost",
    "default_claude_code_dirs",
    "default_codex_dirs",
    "default_gemini_dirs",
    "group_records",
    "group_vendor_costs",
    "read_usage",
    "total_input_bytes",
]
