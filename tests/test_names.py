from nbtrail.capture.names import analyse_cell


def test_reads_are_names_used_before_the_cell_binds_them() -> None:
    names = analyse_cell("df = load(path)\nmean = df.mean()\nprint(mean, threshold)\n")
    assert names.reads == ("load", "path", "threshold")
    assert names.writes == ("df", "mean")


def test_augmented_assignment_reads_and_writes() -> None:
    names = analyse_cell("total += step\n")
    assert names.reads == ("total", "step")
    assert names.writes == ("total",)


def test_method_calls_and_item_assignment_mark_possible_mutation() -> None:
    names = analyse_cell("model.fit(X, y)\ndf['c'] = 0\nnew = []\nnew.append(1)\n")
    assert set(names.mutated) == {"model", "df"}
    assert "new" not in names.reads


def test_nested_scopes_read_globals_but_not_their_own_names() -> None:
    code = (
        "def score(a, b=default):\n"
        "    local = a + offset\n"
        "    return local\n"
        "values = [score(v) for v in items if v > cutoff]\n"
        "f = lambda q: q * factor\n"
    )
    names = analyse_cell(code)
    assert set(names.reads) == {"default", "offset", "items", "cutoff", "factor"}
    assert names.writes == ("score", "values", "f")


def test_imports_loops_and_walrus_bind_names() -> None:
    names = analyse_cell(
        "import numpy as np\nfrom os import path\nfor i, row in enumerate(rows):\n    pass\n"
        "if (n := len(rows)) > 1:\n    pass\nwith open(fname) as fh:\n    text = fh.read()\n"
    )
    assert {"np", "path", "i", "row", "n", "fh", "text"} <= set(names.writes)
    assert set(names.reads) == {"rows", "fname"}


def test_builtins_are_not_inputs_unless_shadowed() -> None:
    assert analyse_cell("print(len(data))\n").reads == ("data",)
    assert analyse_cell("list = [1]\nlist.append(2)\n").reads == ()


def test_top_level_await_parses() -> None:
    names = analyse_cell("result = await fetch(url)\n")
    assert names.reads == ("fetch", "url")
    assert names.writes == ("result",)


def test_library_code_is_not_data() -> None:
    import json

    from nbtrail.tracking import is_data_name

    def local() -> None: ...

    local.__module__ = "__main__"
    assert not is_data_name("json", json)
    assert not is_data_name("dumps", json.dumps)
    assert not is_data_name("_hidden", 1)
    assert is_data_name("local", local)
    assert is_data_name("frame", {"a": 1})
