"""Records of a small sweep (lr x depth), a failed run and a run with markup in it."""

from __future__ import annotations

from nbtrail.records import Binding, EnvSnapshot, ExceptionInfo, Metric, Param, Run

T0 = 1_700_000_000.0
EVIL = "<script>alert('x')</script>"

ENV_A = EnvSnapshot(
    hash="env-a", python="3.11.9", executable="/usr/bin/python3", platform="Linux-x86_64",
    cpu_count=8, memory_bytes=16 << 30, packages={"numpy": "2.0.0", "pandas": "2.2.0"},
    git={"commit": "abc123", "dirty": False},
)  # fmt: skip
ENV_B = EnvSnapshot(
    hash="env-b", python="3.11.9", executable="/usr/bin/python3", platform="Linux-x86_64",
    cpu_count=8, memory_bytes=16 << 30, packages={"numpy": "2.1.0", "pandas": "2.2.0"},
    git={"commit": "def456", "dirty": False},
)  # fmt: skip


def run_id(index: int) -> str:
    """Time-sortable like real ids: the index decides the order."""
    return f"{int(T0 * 1000) + index:012x}{index:010x}"


def make_run(
    index: int,
    *,
    lr: float | None = None,
    depth: int | None = None,
    acc: float | None = None,
    status: str = "finished",
    name: str | None = None,
    data_hash: str = "a" * 32,
    env: str = "env-a",
    source: str = "train(lr, depth)\n",
    notebook: str = "sweep.ipynb",
) -> Run:
    params = []
    if lr is not None:
        params.append(Param("lr", lr, "magic"))
    if depth is not None:
        params.append(Param("depth", depth, "magic"))
    metrics = []
    if acc is not None:
        # a training curve: loss falls faster with a larger learning rate
        metrics += [
            Metric("loss", 1.0 / (1 + step * (lr or 1)), step, T0 + step) for step in range(5)
        ]
        metrics.append(Metric("acc", acc, None, T0 + 10))
    return Run(
        id=run_id(index),
        name=name or f"train-{index}",
        status=status,  # type: ignore[arg-type]
        started=T0 + 60 * index,
        ended=T0 + 60 * index + 1.5 + index,
        notebook=notebook,
        cell_id=f"cell-{index}",
        execution_count=index + 1,
        source=source,
        source_hash=str(hash(source)),
        env_hash=env,
        params=tuple(params),
        metrics=tuple(metrics),
        bindings=(
            Binding("df", "in", "dataframe", data_hash, {"shape": [100, 3]}),
            Binding("model", "out", "model", f"{index:032x}", {}),
        ),
        exception=ExceptionInfo("ValueError", "boom", "Traceback...")
        if status == "failed"
        else None,
    )


#: The sweep: lr x depth with accuracies, a failed run and a run with markup in it.
SWEEP = [
    dict(lr=0.01, depth=3, acc=0.80),
    dict(lr=0.1, depth=3, acc=0.86),
    dict(lr=1.0, depth=3, acc=0.70),
    dict(lr=0.01, depth=5, acc=0.82, data_hash="b" * 32),
    dict(lr=0.1, depth=5, acc=0.90, env="env-b", source="train(lr, depth, epochs=2)\n"),
    dict(lr=1.0, depth=5, acc=0.75),
]
