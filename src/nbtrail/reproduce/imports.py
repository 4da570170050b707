"""Keep a 1.6-second optional import out of nbtrail's own processes.

papermill imports nbformat, whose validator imports jsonschema, whose format
module imports ``rfc3987_syntax`` when installed (jupyter_server's
dependencies install it) and builds a parser grammar at import: 1.6 of the
1.8 seconds ``import papermill`` takes here. It only serves jsonschema's
``iri`` format checks, which the notebook schema never uses, and jsonschema
imports it under ``suppress(ImportError)``. Marking it absent is done only in
processes nbtrail owns (the CLI and sweep workers), never on import of the
library inside someone's kernel or server.
"""

from __future__ import annotations

import sys

SLOW_OPTIONAL = ("rfc3987_syntax",)


def skip_slow_optional_imports() -> None:
    """Make the slow optional modules fail to import, unless already loaded."""
    for name in SLOW_OPTIONAL:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
