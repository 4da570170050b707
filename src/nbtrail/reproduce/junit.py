"""A set of re-runs as a JUnit XML report, so CI systems show it like any test suite.

One ``testsuite`` (inside the usual ``testsuites`` root), one ``testcase``
per notebook. A notebook that did not reproduce has a ``failure`` whose
message names the first divergent cell and the likely cause; every case's
``system-out`` holds the single re-run's report with the per-cell table.
Only attributes the common consumers (Jenkins, GitLab, GitHub reporters,
junitparser) agree on are written.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

from nbtrail.reproduce.batch import BatchReport, NotebookResult

SUITE = "nbtrail rerun"
CLASSNAME = "nbtrail.rerun"
# XML 1.0 cannot carry most control characters, which kernel output may contain.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def junit_xml(report: BatchReport) -> str:
    names = _names(report)
    cases = [_testcase(result, names[result.index]) for result in report.results]
    # A notebook that failed to run is a failed check, like one that diverged.
    failures = sum(result.verdict is not None and not result.passed for result in report.results)
    skipped = sum(result.verdict is None for result in report.results)
    counts = {
        "tests": str(len(cases)),
        "failures": str(failures),
        "errors": "0",
        "skipped": str(skipped),
        "time": f"{report.duration:.3f}",
    }
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    stamp = datetime.fromtimestamp(report.started, timezone.utc).isoformat(timespec="seconds")
    suite = ET.SubElement(
        root, "testsuite", {"name": SUITE, **counts, "timestamp": stamp,
                            "hostname": socket.gethostname()},
    )  # fmt: skip
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "batch", "value": report.batch})
    ET.SubElement(properties, "property", {"name": "executor", "value": report.executor})
    suite.extend(cases)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(report: BatchReport, path: str | Path) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(junit_xml(report), encoding="utf-8")
    return target


def _names(report: BatchReport) -> dict[int, str]:
    """The notebook path; with the run id when one notebook appears twice."""
    seen = [r.notebook for r in report.results]
    return {
        r.index: r.notebook if seen.count(r.notebook) == 1 else f"{r.notebook} (run {r.run})"
        for r in report.results
    }


def _testcase(result: NotebookResult, name: str) -> ET.Element:
    case = ET.Element(
        "testcase",
        {"classname": CLASSNAME, "name": _clean(name), "time": f"{result.duration:.3f}",
         "file": _clean(result.notebook)},
    )  # fmt: skip
    if result.verdict is None:
        ET.SubElement(case, "skipped", {"message": "interrupted before it finished"})
    elif not result.passed:
        failure = ET.SubElement(
            case, "failure", {"message": _clean(failure_message(result)), "type": result.verdict}
        )
        failure.text = _clean(result.summary or result.error or result.verdict)
    out = ET.SubElement(case, "system-out")
    out.text = _clean(result.text or result.summary or "")
    return case


def failure_message(result: NotebookResult) -> str:
    """``diverged in cell 'fit': unseeded randomness: ...`` (or the notebook's error)."""
    where = f" in cell '{result.cell}'" if result.cell else ""
    why = result.cause or result.error or result.summary
    return f"{result.verdict}{where}: {why}" if why else f"{result.verdict}{where}"


def _clean(text: str) -> str:
    return _NOT_XML.sub("?", text)
