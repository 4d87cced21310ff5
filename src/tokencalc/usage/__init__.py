"""Reading real usage records: agent CLI logs, chat exports and vendor billing exports.

The pure core of ``tokencalc usage``: it reads files and returns data, never prints or exits.
See ``docs/usage-formats.md`` for the formats and the traps each reader handles.
"""

from __future__ import annotations

from tokencalc.usage.discovery import (
    default_claude_code_dirs,
    default_codex_dirs,
    default_gemini_dirs,
    total_input_bytes,
)
from tokencalc.usage.grouping import group_records, group_vendor_costs
from tokencalc.usage.reader import read_usage
from tokencalc.usage.records import (
    BILLING_SOURCES,
    ESTIMATED_SOURCES,
    SOURCES,
    UsageRecord,
    UsageReport,
    VendorCost,
)

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
