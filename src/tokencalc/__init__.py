"""tokencalc: exact, offline token counts and LLM cost estimates."""

__version__ = "0.1.0"
