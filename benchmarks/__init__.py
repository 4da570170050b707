"""nbtrail's benchmark: figures with same-run baselines, run by ``python -m benchmarks``.

Every figure is measured next to a baseline taken in the same process and the
same minute (an MLflow peer, a plain SQLite query, numpy's read bandwidth), so
the ratio stays meaningful on any machine even when absolute numbers do not.
Performance targets live here, never in timed unit tests.
"""
