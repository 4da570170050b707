"""Output capture: in-process IPython for text and figures, a real kernel for displays."""

from __future__ import annotations

import base64
import json
import queue
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager, start_new_kernel

from nbtrail.capture.outputs import CapturedOutput, OutputCapture

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --- in process -------------------------------------------------------------


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    yield ip
    ip.run_cell("import matplotlib.pyplot as plt; plt.close('all')")


def run_tracked(shell: InteractiveShell, source: str, limit: int = 65536) -> CapturedOutput:
    """Run one cell with capture wired to the shell's events, as tracking does."""
    capture = OutputCapture(shell, limit=limit)
    result: list[CapturedOutput] = []

    def pre(info: Any) -> None:
        capture.start()

    def post(outcome: Any) -> None:
        result.append(capture.stop())

    shell.events.register("pre_run_cell", pre)
    shell.events.register("post_run_cell", post)
    try:
        shell.run_cell(source)
    finally:
        shell.events.unregister("pre_run_cell", pre)
        shell.events.unregister("post_run_cell", post)
    return result[0]


def test_stdout_and_stderr_are_teed_and_truncated(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_tracked(shell, "import sys\nprint('x' * 100)\nprint('warn', file=sys.stderr)", 10)
    assert (out.stdout, out.stdout_size) == ("x" * 10, 101)
    assert (out.stderr, out.stderr_size) == ("warn\n", 5)
    assert "x" * 100 in capsys.readouterr().out  # the real stream still got everything


def test_streams_are_restored_even_when_the_cell_fails(shell: InteractiveShell) -> None:
    before = (sys.stdout.__dict__.get("write"), sys.stderr.__dict__.get("write"))
    out = run_tracked(shell, "print('before')\nraise ValueError('boom')")
    assert (out.stdout, out.stderr) == ("before\n", "")  # the traceback is not output
    assert (sys.stdout.__dict__.get("write"), sys.stderr.__dict__.get("write")) == before


def test_execute_result_types_are_recorded(shell: InteractiveShell) -> None:
    assert run_tracked(shell, "40 + 2").display_types == ("text/plain",)


def test_left_open_figures_are_rendered_and_old_ones_ignored(shell: InteractiveShell) -> None:
    import matplotlib

    matplotlib.use("Agg")
    shell.run_cell("import matplotlib.pyplot as plt\nold = plt.figure()\nplt.plot([3, 1])")
    out = run_tracked(shell, "fig = plt.figure()\nplt.plot([1, 2, 3])")
    assert [f.source for f in out.figures] == ["left-open"]
    assert out.figures[0].png.startswith(PNG_MAGIC)


def test_no_figures_when_pyplot_was_never_imported() -> None:
    assert "matplotlib.pyplot" in sys.modules or OutputCapture(None).stop().figures == ()


def test_a_bare_or_broken_shell_never_raises() -> None:
    capture = OutputCapture(object())
    assert capture.stop().stdout == ""  # stop before start
    capture.start()
    out = capture.stop()
    assert out.display_types == () and out.figures == ()


# --- a real kernel ------------------------------------------------------------

SETUP = """
%matplotlib inline
import json
from nbtrail.capture.outputs import OutputCapture

_ip = get_ipython()
_capture = OutputCapture(_ip)
_state = {"armed": False, "results": []}

def _pre(info):
    _state["armed"] = True
    _capture.start()

def _post(result):
    if _state["armed"]:
        _state["armed"] = False
        _state["results"].append(_capture.stop())

_ip.events.register("pre_run_cell", _pre)
_ip.events.register("post_run_cell", _post)
"""

TRACKED = """
import sys
import matplotlib.pyplot as plt
from IPython.display import HTML, display
print("hello out")
print("hello err", file=sys.stderr)
display(HTML("<b>hi</b>"))
plt.plot([1, 2, 3])
"""

DISPLAYED_AND_OPEN = """
plt.switch_backend("agg")
fig = plt.figure()
plt.plot([3, 2, 1])
display(fig)
"""

REPORT = """
_ip.events.unregister("pre_run_cell", _pre)
_ip.events.unregister("post_run_cell", _post)
print(json.dumps([
    {
        "stdout": r.stdout,
        "stderr": r.stderr,
        "types": list(r.display_types),
        "figures": [(f.source, f.png[:8].hex()) for f in r.figures],
    }
    for r in _state["results"]
]))
"""


@pytest.fixture(scope="module")
def kernel() -> Iterator[BlockingKernelClient]:
    manager: KernelManager
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def execute(client: BlockingKernelClient, code: str) -> list[dict[str, Any]]:
    """Run code, return its iopub messages; fail on an error reply."""
    messages: list[dict[str, Any]] = []
    reply = client.execute_interactive(code, timeout=60, output_hook=messages.append)
    assert reply["content"]["status"] == "ok", reply["content"]
    while True:  # late iopub messages (idle arrives last, but be safe)
        try:
            messages.append(client.get_iopub_msg(timeout=0.05))
        except queue.Empty:
            return messages


def stdout_of(messages: list[dict[str, Any]]) -> str:
    return "".join(
        m["content"]["text"]
        for m in messages
        if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
    )


@pytest.mark.kernel
def test_kernel_prints_displays_and_inline_figures(kernel: BlockingKernelClient) -> None:
    execute(kernel, SETUP)
    tracked = execute(kernel, TRACKED)
    displayed = execute(kernel, DISPLAYED_AND_OPEN)
    results = json.loads(stdout_of(execute(kernel, REPORT)))

    # the frontend still got every output
    assert "hello out" in stdout_of(tracked)
    shown = [m["content"]["data"] for m in tracked if m["msg_type"] == "display_data"]
    assert any("text/html" in d for d in shown)
    png = next(d["image/png"] for d in shown if "image/png" in d)
    assert base64.b64decode(png).startswith(PNG_MAGIC)
    assert any(m["msg_type"] == "display_data" for m in displayed)

    first, second = results
    assert first["stdout"] == "hello out\n"
    assert first["stderr"] == "hello err\n"
    assert "text/html" in first["types"] and "image/png" in first["types"]
    assert first["figures"] == [["displayed", PNG_MAGIC.hex()]]
    # displayed and still open: recorded once, not twice
    assert second["figures"] == [["displayed", PNG_MAGIC.hex()]]
