"""Which environment variables a snapshot records: an allow-list of the ones
that change numeric results or the hardware used, minus anything whose name
suggests a secret (such a value is never even read).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

__all__ = ["ENV_ALLOW", "ENV_ALLOW_PREFIXES", "is_secret_name", "selected_env_vars"]

#: Variables that change numeric results or what hardware a run used.
ENV_ALLOW = frozenset(
    {
        "PYTHONHASHSEED",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "BLIS_NUM_THREADS",
        "CUDA_VISIBLE_DEVICES",
        "CUDA_DEVICE_ORDER",
        "HIP_VISIBLE_DEVICES",
        "ROCR_VISIBLE_DEVICES",
        "CUBLAS_WORKSPACE_CONFIG",
        "TF_DETERMINISTIC_OPS",
        "TF_CUDNN_DETERMINISTIC",
        "MKL_CBWR",
        "KMP_AFFINITY",
    }
)
# NBTRAIL_* variables are nbtrail's own plumbing (store, batch, notebook of a
# re-run): they differ per execution and say nothing about the computation.
ENV_ALLOW_PREFIXES = ("NUMEXPR_", "OMP_", "MKL_", "OPENBLAS_")

_SECRET_PARTS = (
    "TOKEN",
    "KEY",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "CREDENTIAL",
    "AUTH",
    "PRIVATE",
    "SESSION",
    "COOKIE",
    "SIGNATURE",
    "CERT",
    "SALT",
)
_SECRET_WORDS = frozenset({"PWD", "PASS", "PAT", "SAS", "DSN", "JWT", "CRED", "CREDS", "OTP"})


def is_secret_name(name: str) -> bool:
    """Whether a variable name suggests a secret; such a value is never read.

    Deliberately over-eager: ``MONKEY_COUNT`` is lost, but no ``*_API_KEY``,
    ``*TOKEN*``, ``DB_PWD`` or ``DATABASE_DSN`` ever reaches the store.
    """
    upper = name.upper()
    if any(part in upper for part in _SECRET_PARTS):
        return True
    return any(word in _SECRET_WORDS for word in re.split(r"[^A-Z0-9]+", upper))


def _is_selected(name: str) -> bool:
    upper = name.upper()
    return upper in ENV_ALLOW or upper.startswith(ENV_ALLOW_PREFIXES)


def selected_env_vars(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Seeds, thread counts and device visibility; never secret-named ones."""
    source = os.environ if environ is None else environ
    return {
        name: source[name]
        for name in sorted(source)
        if _is_selected(name) and not is_secret_name(name)
    }
