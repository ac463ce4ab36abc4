"""The benchmarks' shared result table: resuming, atomic rewrites and the record of the machines that wrote the rows."""

import dataclasses
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from evaluation import ResultTable, machine, machine_id, machines_path, written_on  # noqa: E402


def test_result_table_resumes_and_records_machine(tmp_path):
    path = tmp_path / "results.csv"
    assert written_on(path) == {}  # nothing written yet
    table = ResultTable(path, ["market", "seed"])
    table.add([{"market": "ou", "seed": 0, "sharpe": 1.5}, {"market": "ou", "seed": 1, "sharpe": 0.5}])
    table.add([{"market": "regime", "seed": 0, "sharpe": -0.25}])
    resumed = ResultTable(path, ["market", "seed"])
    assert resumed.done(market="ou", seed=1) and not resumed.done(market="regime", seed=1)
    assert pd.read_csv(path)["sharpe"].tolist() == [1.5, 0.5, -0.25]
    here = machine()
    record = written_on(path)
    assert list(record) == [machine_id(here)]
    assert record[machine_id(here)] == {"machine": here, "rows": 3}  # every row counted, for this machine
    assert json.loads(machines_path(path).read_text()) == record
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic writes left no temporary file


def test_machine_id_names_the_description():
    here = machine()
    assert {"cpu", "torch_cpu_capability", "numpy_simd", "numpy", "torch"} <= set(here)
    assert machine_id(here) == machine_id(dict(here))
    assert machine_id(here) != machine_id({**here, "torch_cpu_capability": "an other CPU"})


def test_replace_writes_the_table_and_its_machine_record_anew(tmp_path):
    path = tmp_path / "computed.csv"
    table = ResultTable(path, ["rule"])
    table.add([{"rule": "a", "sharpe": 1.0}, {"rule": "b", "sharpe": 2.0}])
    table.replace([{"rule": "c", "sharpe": 3.0}])
    assert pd.read_csv(path)["rule"].tolist() == ["c"]  # the earlier rows are gone
    assert [entry["rows"] for entry in written_on(path).values()] == [1]  # and so are their counts


def test_learner_tables_pair_every_run_with_sb3_and_run_bf16_only_where_a_learner_has_it():
    import learners

    plan = learners.tasks(["same", "same-bf16"], list(learners.TASKS), [0])
    halved = [task for task in plan if task[0] == "same-bf16"]
    assert {task[1] for task in halved} == set(learners.BF16) == {"sac"}
    assert sorted(task[4] for task in halved) == ["ours", "sb3"]  # SB3 again, in the same run
    assert {task[1] for task in plan if task[0] == "same"} == set(learners.TASKS)
    assert all("bf16" in {f.name for f in dataclasses.fields(learners.MODULES[name].Args)} for name in learners.BF16)


def test_learner_summary_keeps_how_many_runs_were_timed_at_once():
    import learners

    pair = dict(table="same", algorithm="sac", env_id="Pendulum-v1", seed=0)
    rows = pd.DataFrame([
        {**pair, "library": "ours", "return": -120.0, "seconds": 100.0, "jobs": 1},
        {**pair, "library": "sb3", "return": -125.0, "seconds": 160.0, "jobs": 1},
        {**pair, "seed": 1, "library": "ours", "return": -130.0, "seconds": 110.0, "jobs": 2},
        {**pair, "seed": 1, "library": "sb3", "return": -128.0, "seconds": 143.0, "jobs": 2},
    ])  # fmt: skip
    shown = learners.learner_table(rows, "sac").set_index("seed")
    assert shown["runs timed at once"].tolist() == [1, 2]
    assert shown["SB3 time / ours"].round(2).tolist() == [1.6, 1.3]
    assert "runs timed at once" not in learners.learner_table(rows.drop(columns="jobs"), "sac")  # rows before it


def test_learner_summary_takes_the_median_of_repeated_timings_and_refuses_unequal_returns():
    import learners

    pair = dict(table="same-bf16", algorithm="sac", env_id="Pendulum-v1", seed=0, jobs=1)
    timings = {"ours": (-110.0, [100, 130, 90]), "sb3": (-109.0, [150, 160, 200])}
    rows = pd.DataFrame([{**pair, "library": library, "repeat": r, "return": result, "seconds": s}
                         for library, (result, seconds) in timings.items() for r, s in enumerate(seconds)])
    shown = learners.learner_table(rows, "sac").iloc[0]
    assert (shown["ours: s"], shown["SB3: s"], shown["seconds: median of"]) == (100.0, 160.0, 3)
    assert shown["SB3 time / ours"] == 1.6
    assert [t[5] for t in learners.tasks(["same-bf16"], ["sac"], [0], repeats=2)] == [0, 0, 1, 1]
    drifted = rows.assign(**{"return": rows["return"].where(rows["repeat"] != 2, -111.0)})
    with pytest.raises(ValueError, match="different returns"):
        learners.summary(drifted)
