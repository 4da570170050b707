"""Two or more runs side by side, with what differs highlighted.

:func:`build_comparison` turns full run records into rows (one value per run and
a flag per value that differs from the first, the baseline). It reuses
:func:`nbtrail.diff.compare` for the question "what differs", so the widget, the
CLI's ``diff`` and the REST API can never disagree about it. :class:`ComparisonView`
only renders a :class:`Comparison`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from nbtrail.diff import RunDiff, compare
from nbtrail.records import EnvSnapshot, Run
from nbtrail.widgets.html import DIFF_BACKGROUND, esc, fmt, short_hash, status_badge, table

#: Marker shown next to a value that differs from the baseline.
DIFF_MARK = "\u2260"


@dataclass(frozen=True)
class Row:
    """One key across runs; ``differs[i]`` says run ``i`` differs from run 0."""

    key: str
    values: tuple[Any, ...]
    differs: tuple[bool, ...]

    @property
    def changed(self) -> bool:
        return any(self.differs)


@dataclass(frozen=True)
class Comparison:
    runs: tuple[Run, ...]
    params: tuple[Row, ...]
    metrics: tuple[Row, ...]
    inputs: tuple[Row, ...]  # values are short content hashes
    outputs: tuple[Row, ...]
    environment: tuple[Row, ...]  # only facts and packages that differ somewhere
    sources: tuple[str, ...]  # unified diff of each run against the baseline ("" for same)
    missing_environments: tuple[str, ...]  # run ids whose environment is not recorded

    def highlighted(self, section: str) -> dict[str, tuple[str, ...]]:
        """``{key: ids of runs whose value differs}`` for one section (for tests, reports)."""
        rows: tuple[Row, ...] = getattr(self, section)
        return {
            row.key: tuple(run.id for run, d in zip(self.runs, row.differs, strict=True) if d)
            for row in rows
            if row.changed
        }


def build_comparison(runs: Sequence[Run], envs: dict[str, EnvSnapshot]) -> Comparison:
    """Compare every run with the first; runs need their bindings (``Store.get_run``)."""
    if len(runs) < 2:
        raise ValueError("a comparison needs at least two runs")
    base = runs[0]
    env = [envs.get(run.env_hash) if run.env_hash else None for run in runs]
    diffs = [compare(base, run, env[0], env[i]) for i, run in enumerate(runs)]
    return Comparison(
        runs=tuple(runs),
        params=_rows([r.param_dict() for r in runs], [_keys(d.params) for d in diffs]),
        metrics=_rows([r.latest_metrics() for r in runs], [_keys(d.metrics) for d in diffs]),
        inputs=_binding_rows(runs, diffs, "in"),
        outputs=_binding_rows(runs, diffs, "out"),
        environment=_environment_rows(diffs),
        sources=tuple(d.source for d in diffs),
        missing_environments=tuple(r.id for r, e in zip(runs, env, strict=True) if e is None),
    )


def _keys(changes: Sequence[Any]) -> set[str]:
    return {change.key for change in changes}


def _rows(values: list[dict[str, Any]], differing: list[set[str]]) -> tuple[Row, ...]:
    keys = sorted({key for per_run in values for key in per_run})
    return tuple(
        Row(
            key,
            tuple(per_run.get(key) for per_run in values),
            tuple(key in keys_i for keys_i in differing),
        )
        for key in keys
    )


def _binding_rows(runs: Sequence[Run], diffs: list[RunDiff], direction: str) -> tuple[Row, ...]:
    hashes = [
        {
            b.name: short_hash(b.hash) or f"({b.kind})"
            for b in r.bindings
            if b.direction == direction
        }
        for r in runs
    ]
    differing = [{c.name for c in d.bindings if c.direction == direction} for d in diffs]
    return _rows(hashes, differing)


def _environment_rows(diffs: list[RunDiff]) -> tuple[Row, ...]:
    """Facts that differ from the baseline in at least one run, with every run's value.

    A ``Change`` carries the baseline value (``a``) and the other run's (``b``);
    a run that does not differ on a key has the baseline's value.
    """
    changes = [
        {c.key: c for c in d.environment} | {f"package.{c.key}": c for c in d.packages}
        for d in diffs
    ]
    keys = sorted({key for per_run in changes for key in per_run})
    rows = []
    for key in keys:
        baseline = next(per_run[key].a for per_run in changes if key in per_run)
        values = tuple(per_run[key].b if key in per_run else baseline for per_run in changes)
        rows.append(Row(key, values, tuple(key in per_run for per_run in changes)))
    return tuple(rows)


def rows_html(runs: Sequence[Run], rows: Sequence[Row], title: str) -> str:
    """A side-by-side table; differing values get a background and a marker."""
    if not rows:
        return f"<p><em>no {esc(title)}</em></p>"
    header = [esc(title), *(f"{esc(run.name)}<br><code>{esc(run.id[-8:])}</code>" for run in runs)]
    body = []
    for row in rows:
        key = f"<b>{esc(row.key)}</b>" if row.changed else esc(row.key)
        cells = [key]
        for value, differs in zip(row.values, row.differs, strict=True):
            text = esc(fmt(value))
            if differs:
                text = (
                    f'<span class="nbtrail-differs" style="background:{DIFF_BACKGROUND}">'
                    f"{text} {DIFF_MARK}</span>"
                )
            cells.append(text)
        body.append(cells)
    return table(header, body, 'class="nbtrail-compare"')


class ComparisonView(widgets.VBox):
    """Renders a :class:`Comparison` in tabs; shows a hint when there is none."""

    TABS = ("Params & metrics", "Data", "Environment", "Code")

    def __init__(self, **kwargs: Any) -> None:
        self.title = widgets.HTML()
        self.sections = {name: widgets.HTML() for name in self.TABS}
        self.tabs = widgets.Tab(children=list(self.sections.values()), titles=self.TABS)
        super().__init__(children=[self.title], **kwargs)
        self.comparison: Comparison | None = None
        self.show(None)

    def show(self, comparison: Comparison | None) -> None:
        self.comparison = comparison
        if comparison is None:
            self.title.value = "<em>Select two or more runs to compare them.</em>"
            self.children = [self.title]
            return
        runs = comparison.runs
        names = ", ".join(f"{esc(run.name)} {status_badge(run.status)}" for run in runs)
        self.title.value = (
            f"<b>Comparing {len(runs)} runs</b> (baseline: the first): {names}. "
            f'Values that differ from the baseline are <span style="background:'
            f'{DIFF_BACKGROUND}">highlighted {DIFF_MARK}</span>.'
        )
        self.sections["Params & metrics"].value = rows_html(
            runs, comparison.params, "params"
        ) + rows_html(runs, comparison.metrics, "metrics")
        self.sections["Data"].value = rows_html(runs, comparison.inputs, "inputs") + rows_html(
            runs, comparison.outputs, "outputs"
        )
        environment = rows_html(runs, comparison.environment, "environment differences")
        if comparison.missing_environments:
            missing = ", ".join(esc(i[-8:]) for i in comparison.missing_environments)
            environment += f"<p><em>environment not recorded for {missing}</em></p>"
        self.sections["Environment"].value = environment
        self.sections["Code"].value = _sources_html(runs, comparison.sources)
        self.children = [self.title, self.tabs]


def _sources_html(runs: Sequence[Run], sources: Sequence[str]) -> str:
    parts = []
    for run, source in zip(runs[1:], sources[1:], strict=True):
        label = f"{esc(run.name)} <code>{esc(run.id[-8:])}</code>"
        if source:
            parts.append(f"<p>{label} vs baseline:</p><pre>{esc(source)}</pre>")
        else:
            parts.append(f"<p>{label}: same code as the baseline</p>")
    return "".join(parts)
