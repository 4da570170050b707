"""The magic's declaration and the cell transformer, in an in-process shell."""

from __future__ import annotations

from nbtrail.directive import split_directive, strip_directive
from nbtrail.magics import parse_track_line


def test_directive_is_recognised_only_as_a_first_line() -> None:
    assert split_directive("%%track train -p a=1\nx = 1\n") == ("train -p a=1", "x = 1\n")
    assert split_directive("\n%%track\nx\n") == ("", "x\n")
    assert split_directive("x = 1\n%%track\n") is None
    assert split_directive("%%tracker\n") is None
    assert split_directive("%%track?\n") is None
    assert strip_directive(["%%track\n", "x = 1\n"]) == ["x = 1\n"]
    assert strip_directive(["x = 1\n"]) == ["x = 1\n"]


def test_track_line_parses_params_as_literals() -> None:
    options = parse_track_line(
        "fit -p lr=0.01 -p depth=3 -p flag=true -p name=rf -t a -t b --quiet"
    )
    assert options.name == "fit"
    assert options.params == {"lr": 0.01, "depth": 3, "flag": True, "name": "rf"}
    assert options.tags == {"a": "", "b": ""} and options.quiet


def test_track_line_takes_shell_quoting() -> None:
    options = parse_track_line('"baseline model" -t "my tag" -p note="x y" -p \'q=a b\'')
    assert options.name == "baseline model"
    assert options.tags == {"my tag": ""}
    assert options.params == {"note": "x y", "q": "a b"}


def test_an_unclosed_quote_is_one_warning_and_the_cell_runs_untracked(
    tmp_path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from IPython.core.interactiveshell import InteractiveShell

    from nbtrail.store import open_store

    monkeypatch.setenv("NBTRAIL_STORE", str(tmp_path / ".nbtrail"))
    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("nbtrail")
    try:
        result = shell.run_cell('%%track "baseline model -t x\nanswer = 41 + 1\nanswer')
    finally:
        shell.extension_manager.unload_extension("nbtrail")
    out, err = capsys.readouterr()
    assert result.success and result.result == 42
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "no closing quotation" in lines[0], err
    assert "cell runs untracked" in lines[0]
    assert "Traceback" not in out + err and "Error in callback" not in out + err
    assert open_store(str(tmp_path / ".nbtrail")).list_runs() == []


def test_help_is_real(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("NBTRAIL_STORE", str(tmp_path / ".nbtrail"))
    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("nbtrail")
    try:
        magic = shell.find_cell_magic("track")
    finally:
        shell.extension_manager.unload_extension("nbtrail")
    assert "--param <KEY=VALUE>" in magic.__doc__ and "Record every execution" in magic.__doc__


def test_an_interrupt_inside_nbtrail_is_one_warning(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from IPython.core.interactiveshell import InteractiveShell

    from nbtrail.tracking import current_tracker

    monkeypatch.setenv("NBTRAIL_STORE", str(tmp_path / ".nbtrail"))
    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("nbtrail")
    try:
        tracker = current_tracker()
        assert tracker is not None

        def interrupted(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt  # as if Ctrl-C arrived while hashing an input

        monkeypatch.setattr(tracker, "begin", interrupted)
        result = shell.run_cell("%%track\nanswer = 42")
    finally:
        shell.extension_manager.unload_extension("nbtrail")
    out, err = capsys.readouterr()
    assert result.success and shell.user_ns["answer"] == 42
    assert err.count("nbtrail: could not start tracking the cell (KeyboardInterrupt") == 1
    assert "Error in callback" not in out + err and "Traceback" not in out + err
