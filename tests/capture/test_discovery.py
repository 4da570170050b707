"""Finding a kernel's notebook from what it ran, and reading executed cells as a notebook."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat

from nbtrail.capture import discovery
from nbtrail.capture.executed import (
    executed_parameters,
    is_injected_cell,
    literal_assignments,
    reconstructed_notebook,
)
from nbtrail.tracking.params import NotebookParameters, notebook_parameters, params_read


def write(path: Path, sources: list[str], metadata: dict | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nb.metadata.update(metadata or {})
    nbformat.write(nb, path)
    return path


def test_drivers_are_named_from_their_command_lines() -> None:
    cases = {
        ("/venv/bin/python", "/venv/bin/papermill", "in.ipynb", "out.ipynb"): "papermill",
        ("python3", "-m", "papermill", "in.ipynb", "out.ipynb"): "papermill",
        ("/venv/bin/python", "/venv/bin/jupyter-nbconvert", "--execute", "a.ipynb"): "nbconvert",
        ("jupyter", "nbconvert", "--to", "notebook"): "nbconvert",
        ("/usr/bin/python3", "/venv/bin/jupyter-execute", "a.ipynb"): "jupyter execute",
        ("python", "-m", "pytest", "tests"): None,
        ("/venv/bin/python", "train.py"): None,
    }
    for cmdline, expected in cases.items():
        assert discovery.driver_name(cmdline) == expected, cmdline


def test_frontends_are_asked_in_order() -> None:
    ns = {"__session__": "/p/a.ipynb", "__vsc_ipynb_file__": "/p/b.ipynb"}
    found = discovery.from_frontend(ns, {"NBTRAIL_NOTEBOOK": "/p/c.ipynb"})
    assert found == discovery.Found("/p/c.ipynb", "NBTRAIL_NOTEBOOK")
    assert discovery.from_frontend(ns, {}) == discovery.Found("/p/a.ipynb", "jupyter session")
    vscode = discovery.from_frontend({"__vsc_ipynb_file__": "/p/b.ipynb"}, {})
    assert vscode == discovery.Found("/p/b.ipynb", "vscode")
    # A console's session is not a notebook: the next source is asked.
    assert discovery.from_frontend({"__session__": "console-1"}, {}) is None


def test_content_match_needs_every_executed_cell(tmp_path: Path) -> None:
    a = write(tmp_path / "a.ipynb", ["import x", "%%track fit\nfit()", "plot()"])
    write(tmp_path / "b.ipynb", ["import x", "%%track other\nother()"])
    notebooks = discovery.folder_notebooks([tmp_path])
    assert discovery.content_match(["import x", "%%track fit\nfit()\n"], notebooks, []) == a
    assert discovery.content_match(["import x", "never saved()"], notebooks, []) is None
    # papermill's injected cell is in no input notebook and does not count.
    executed = ["import x", "# Parameters\nseed = 3\n", "%%track fit\nfit()"]
    assert discovery.content_match(executed, notebooks, []) == a


def test_content_match_prefers_cells_in_order_then_the_oldest_file(tmp_path: Path) -> None:
    shuffled = write(tmp_path / "shuffled.ipynb", ["b()", "a()"])
    ordered = write(tmp_path / "ordered.ipynb", ["a()", "b()"])
    os.utime(ordered, (1, 1))  # older, but that only breaks ties
    os.utime(shuffled, (0, 0))
    assert discovery.content_match(["a()", "b()"], [shuffled, ordered], []) == ordered
    copy = write(tmp_path / "copy.ipynb", ["a()", "b()"])
    assert discovery.content_match(["a()", "b()"], [copy, ordered], []) == ordered


def test_a_papermill_output_leads_to_its_input(tmp_path: Path) -> None:
    (tmp_path / "nb").mkdir()
    source = write(tmp_path / "nb" / "train.ipynb", ["seed = 0", "%%track\nfit(seed)"])
    output = write(
        tmp_path / "out.ipynb",
        ["seed = 0", "# Parameters\nseed = 3\n", "%%track\nfit(seed)"],
        {"papermill": {"input_path": "nb/train.ipynb", "parameters": {"seed": 3}}},
    )
    executed = ["seed = 0", "# Parameters\nseed = 3\n", "%%track\nfit(seed)"]
    assert discovery.content_match(executed, [output], [tmp_path]) == source.resolve()


def test_the_project_is_searched_below_its_root_skipping_hidden_folders(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".nbtrail" / "reruns").mkdir(parents=True)
    deep = write(tmp_path / "a" / "b" / "deep.ipynb", ["x = 1"])
    write(tmp_path / ".nbtrail" / "reruns" / "copy.ipynb", ["x = 1"])
    assert discovery.project_notebooks(tmp_path) == [deep.resolve()]


def test_injected_parameters_and_the_parameters_cell_are_recognised() -> None:
    executed = [
        "%load_ext nbtrail",
        "seed = 0\nlr: float = 0.1\ndata = Path('x')",
        '# Parameters\nseed = 3\nname = "a b"\nsizes = [1, 2]\n',
        "%%track\nfit()",
    ]
    found = executed_parameters(executed)
    assert found.injected == {"seed": 3, "name": "a b", "sizes": [1, 2]}
    assert found.defaults_cell == executed[1]
    assert literal_assignments(executed[1]) == {"seed": 0, "lr": 0.1, "data": "Path('x')"}
    assert is_injected_cell("# Parameters\nx = 1") and not is_injected_cell("# Parameters of x")
    assert executed_parameters(["a = 1", "b = 2"]).injected == {}


def test_a_reconstructed_notebook_restores_papermills_tags_and_is_stable() -> None:
    cells = ["import x", "seed = 0", "# Parameters\nseed = 3\n", "%%track\nfit(seed)"]
    data = reconstructed_notebook(cells)
    assert data == reconstructed_notebook(list(cells))  # same bytes, same content hash
    nb = nbformat.reads(data.decode(), as_version=4)
    nbformat.validate(nb)
    assert [c.source for c in nb.cells] == cells
    assert [c.metadata.get("tags", []) for c in nb.cells] == [
        [],
        ["parameters"],
        ["injected-parameters"],
        [],
    ]
    assert json.loads(data)["metadata"]["nbtrail"] == {"reconstructed": True}


def test_a_run_gets_only_the_notebook_parameters_its_cell_reads(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("seed = 0\nC = 0.5\nn_estimators = 10")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("fit()")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    executed = ["seed = 0\nC = 0.5\nn_estimators = 10", "# Parameters\nn_estimators = 30\n"]
    parameters = notebook_parameters(executed, str(path))
    assert parameters == NotebookParameters(("seed", "C", "n_estimators"), {"n_estimators": 30})
    namespace = {"seed": 0, "C": 0.5, "n_estimators": 30, "X": object()}
    forest = params_read(parameters, ["X", "n_estimators", "seed"], namespace)
    assert [(p.key, p.value, p.origin) for p in forest] == [
        ("n_estimators", 30, "notebook"),
        ("seed", 0, "notebook"),
    ]
    assert params_read(parameters, ["X"], namespace) == []
    # Without a file, the parameters cell is the one papermill injected after.
    assert notebook_parameters(executed, None).names == ("seed", "C", "n_estimators")


def test_a_parameters_cell_of_the_users_own_is_not_taken_for_papermills(tmp_path: Path) -> None:
    """``# Parameters`` is also what people write atop their own parameters cell."""
    own = "# Parameters\nlr = 0.1\ndata = Path('x')"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(own)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_code_cell("from pathlib import Path"), cell]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    executed = ["from pathlib import Path", own]
    assert notebook_parameters(executed, str(path)) == NotebookParameters(("lr", "data"), {})
    injected = [*executed, "# Parameters\nlr = 0.5\n"]
    assert notebook_parameters(injected, str(path)).injected == {"lr": 0.5}
