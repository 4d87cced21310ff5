"""The price sheet: its data model, loading, merging, validation, editing and imports."""
