"""Dataset mode: every record of a dataset priced as one request (see docs/datasets.md)."""
