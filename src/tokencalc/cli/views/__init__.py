"""How results look: tables, JSON, CSV and Markdown (:mod:`.render`, :mod:`.table_layout`), the
progress bar, and each command's rendering of its results. Views write only through the
invocation's :class:`~tokencalc.cli.env.Environment`; they never decide an exit code."""
