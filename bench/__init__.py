"""Benchmarks: ``python -m bench.lookup`` (lookup latency) and ``python -m bench.startup``
(time to a usable main window). Each prints a ``RESULT …`` line last."""
