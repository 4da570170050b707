"""Imported once by the sweep workers' fork server, so each worker forks ready to run.

A process with threads (a kernel calling ``nbtrail.sweep()``, the server)
cannot fork its workers safely; spawning them instead made each worker import
nbtrail and papermill again, about 2.5 s more per sweep here. The fork server
is started once per process with this module loaded (the slow optional import
of ``imports`` skipped first), and forks every later worker from there.
"""

from __future__ import annotations

from nbtrail.reproduce.imports import skip_slow_optional_imports

skip_slow_optional_imports()

import papermill  # noqa: E402, F401

import nbtrail.reproduce.kernels  # noqa: E402, F401
