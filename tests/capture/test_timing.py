"""Clock readings are found by following them through a cell's assignments."""

from __future__ import annotations

from nbtrail.capture.names import parse_cell
from nbtrail.capture.timing import cell_timing, is_timing_key


def timing(code: str, known: tuple[str, ...] = ()) -> tuple[set[str], set[str]]:
    found = cell_timing(parse_cell(code), known)
    return set(found.names), set(found.metrics)


def test_clock_readings_and_what_is_derived_from_them_are_timings() -> None:
    code = (
        "import time, datetime\n"
        "t0 = time.time()\n"
        "model = fit(X)\n"
        "elapsed = time.time() - t0\n"
        "minutes = elapsed / 60\n"
        "stamp = datetime.datetime.now()\n"
        "when = datetime.now().isoformat()\n"
        "start = perf_counter()\n"
        "score = model.score(X, y)\n"
    )
    names, _ = timing(code)
    assert names == {"t0", "elapsed", "minutes", "stamp", "when", "start"}


def test_timings_from_earlier_cells_and_in_loops_count() -> None:
    code = "for i in range(3):\n    lap = time.perf_counter() - t0\n    laps.append(lap)\n"
    assert timing(code, known=("t0",))[0] == {"lap"}
    assert timing("total = t0 + 1", known=("t0",))[0] == {"total"}
    assert timing("total = x + 1", known=("t0",))[0] == set()


def test_metrics_logged_from_timings_are_timing_metrics() -> None:
    code = (
        "elapsed = time.monotonic() - t0\n"
        "nbtrail.log_metric('fit_seconds', elapsed)\n"
        "nbtrail.log_metric('accuracy', acc)\n"
        "nbtrail.log_metrics({'predict_s': timeit.timeit(f, number=3), 'f1': f1})\n"
        "log_metrics(wall=time.time() - t0, loss=loss)\n"
    )
    names, metrics = timing(code, known=("t0",))
    assert names == {"elapsed"}
    assert metrics == {"fit_seconds", "predict_s", "wall"}


def test_only_clocks_count_not_anything_named_time() -> None:
    names, _ = timing("time_col = df['time']\nt = sleep_time * 2\nx = obj.time")
    assert names == set()
    assert is_timing_key("mean_fit_time") and is_timing_key("forest.fit_time")
    assert not is_timing_key("time") and not is_timing_key("runtime_rank")


def test_unseeded_only_when_the_configuration_draws_random_numbers() -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from nbtrail.capture.summary import unseeded_steps

    assert unseeded_steps(LogisticRegression()) == []  # lbfgs: deterministic
    assert unseeded_steps(LogisticRegression(solver="saga")) == [""]
    assert unseeded_steps(make_pipeline(StandardScaler(), LogisticRegression())) == []
    forest = make_pipeline(StandardScaler(), RandomForestClassifier())
    assert unseeded_steps(forest) == ["randomforestclassifier"]
    assert unseeded_steps(RandomForestClassifier(random_state=0)) == []


def test_a_cell_that_prints_or_shows_a_timing_says_so() -> None:
    shows = cell_timing(parse_cell("t0 = time.time()\nfit()\nprint(time.time() - t0)"), ())
    assert shows.prints
    assert cell_timing(parse_cell("elapsed"), ("elapsed",)).prints
    assert not cell_timing(parse_cell("t0 = time.time()\nprint(score)"), ()).prints
