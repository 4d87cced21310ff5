"""Importing prices from outside sources (LiteLLM) into the price sheet."""
