"""``cluster.kind=slurm``: Dask workers as Slurm jobs through pipeline.dask_cluster, torn down at the end.

The last test runs the real curate stage (curator/) as a Slurm job whose Dask workers are two more
Slurm jobs, on the first 300 lines of the embedded crawl, and checks it decides as a local run does.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time

import pytest

from pipeline.dask_cluster import ClusterConfig, dask_client
from pipeline.errors import StageFailed
from pipeline.registry import Registry
from tests.support import REPO

pytestmark = pytest.mark.slurm


def slurm_cluster_config(tmp_path, **changes) -> ClusterConfig:
    values = dict(
        kind="slurm",
        jobs=2,
        cores=1,
        memory="1GB",
        walltime="00:05:00",
        interface="lo",
        death_timeout=30,
        start_timeout=60,
        log_directory=str(tmp_path / "dask-logs"),
    )
    return ClusterConfig(**{**values, **changes})


def exact_duplicate_groups(lines: list[str]) -> dict[str, int]:
    """What curation's exact dedup computes: documents per normalised-text digest."""
    import dask.bag as db

    def digest(line: str) -> str:
        text = " ".join(json.loads(line)["text"].lower().split())
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    bag = db.from_sequence(lines, npartitions=4).map(digest)
    return dict(bag.frequencies().compute())


def worker_job_ids(client) -> set[str]:
    return set(client.run(lambda: os.environ.get("SLURM_JOB_ID", "not a Slurm job")).values())


def test_dask_work_runs_on_slurm_worker_jobs_that_are_cancelled_at_the_end(tmp_path, slurm_cluster):
    texts = [
        "Charge the car overnight",
        "charge  the car overnight",
        "Check tyre pressure",
        "Lock the doors",
    ] * 5
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(texts)]
    with dask_client(slurm_cluster_config(tmp_path)) as client:
        jobs = worker_job_ids(client)
        queued = set(slurm_cluster.command("squeue", "-h", "-n", "pipeline-dask", "-o", "%i").stdout.split())
        groups = exact_duplicate_groups(lines)
    assert len(jobs) == 2 and jobs <= queued, (jobs, queued)  # every worker is one of the Slurm jobs
    assert sorted(groups.values()) == [5, 5, 10]  # the two spellings of "charge ..." are one document
    deadline = time.monotonic() + 20
    while (left := set(slurm_cluster.job_ids()) & jobs) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"worker jobs {left} outlived the cluster"
    assert {p.name for p in (tmp_path / "dask-logs").iterdir()} >= {f"pipeline-dask-{j}.err" for j in jobs}


def test_a_worker_request_slurm_refuses_fails_at_once_in_one_line(tmp_path, slurm_cluster):
    too_big = slurm_cluster_config(tmp_path, cores=slurm_cluster.cpus * 8)  # more CPUs than the node has
    with pytest.raises(StageFailed, match=r"Slurm refuses the worker job \(sbatch failed: .*More processors"):
        with dask_client(too_big):
            pass
    assert slurm_cluster.job_ids() == []


def test_workers_that_do_not_come_up_fail_the_stage_instead_of_waiting_forever(tmp_path, slurm_cluster):
    # Valid, but never runs: the node is held by a job using all its CPUs for longer than the timeout.
    hold = slurm_cluster.command(
        "sbatch",
        "--parsable",
        f"--cpus-per-task={slurm_cluster.cpus}",
        "--output=/dev/null",
        "--wrap",
        "sleep 120",
    ).stdout.strip()
    try:
        deadline = time.monotonic() + 20
        while slurm_cluster.command("squeue", "-h", "-j", hold, "-o", "%T").stdout.strip() != "RUNNING":
            assert time.monotonic() < deadline, "the job holding the node did not start"
            time.sleep(0.2)
        t0 = time.monotonic()
        with pytest.raises(
            StageFailed,
            match=r"no Slurm worker came up within 3 s \(cluster.start_timeout\); "
            r"worker jobs: \d+, \d+",
        ):
            with dask_client(slurm_cluster_config(tmp_path, start_timeout=3)):
                pass
        assert time.monotonic() - t0 < 30
        assert slurm_cluster.job_ids() == [hold]  # the pending worker jobs were cancelled
    finally:
        slurm_cluster.command("scancel", hold, check=False)


def curate_registry() -> Registry:
    """Just the real curate stage, whatever the default registry's state."""
    from dataclasses import replace

    from curator.spec import SPEC

    return Registry([replace(SPEC, external_inputs=("curate.input",))])


def test_the_curate_stage_runs_as_a_slurm_job_with_slurm_dask_workers(toy, slurm_cluster):
    crawl = toy.root / "crawl.jsonl"
    # bytes: the crawl holds deliberately malformed lines
    crawl.write_bytes(b"".join((REPO / "data" / "raw" / "crawl.jsonl").read_bytes().splitlines(True)[:300]))
    common = [
        f"registry={__name__}:curate_registry",
        "stage=curate",
        f"curate.input={crawl}",
        "curate.ground_truth=",
        "launcher=local",
    ]
    toy.cli(
        "run",
        *common,
        "curate.cluster.n_workers=1",
        f"paths.artifacts={toy.root / 'local'}",
        f"paths.experiments={toy.root / 'local-experiments'}",
    )
    dask_logs = toy.root / "dask-logs"
    proc = toy.cli(
        "run",
        *common,
        "launcher=slurm",
        "wait=true",
        "slurm.poll_s=0.3",
        "curate.cluster.kind=slurm",
        "curate.cluster.jobs=2",
        "curate.cluster.cores=1",
        "curate.cluster.memory=1GB",
        "curate.cluster.interface=lo",
        "curate.cluster.walltime=00:05:00",
        "curate.cluster.start_timeout=60",
        f"curate.cluster.log_directory={dask_logs}",
    )
    log = next((toy.root / "logs").glob("*/*/slurm/curate-*.log")).read_text()
    workers = re.search(r"SLURMCluster with 2 worker job\(s\) \((\d+), (\d+)\)", log)
    assert workers, log
    assert re.search(rf"worker jobs {workers.group(1)}, {workers.group(2)} cancelled", log)
    assert not set(workers.groups()) & set(slurm_cluster.job_ids())  # torn down with the stage
    assert {f"pipeline-dask-{j}.err" for j in workers.groups()} <= {p.name for p in dask_logs.iterdir()}
    assert "all 1 job(s) completed" in proc.stderr
    [local] = [json.loads(p.read_text()) for p in (toy.root / "local" / "curate").glob("*/manifest.json")]
    [on_slurm] = [
        json.loads(p.read_text()) for p in (toy.root / "artifacts" / "curate").glob("*/manifest.json")
    ]
    assert on_slurm["config"]["curate"]["cluster"]["kind"] == "slurm"
    counts = (
        "docs_in",
        "docs_out",
        "quarantined",
        "removed_language",
        "removed_filters",
        "removed_exact_dup",
        "removed_fuzzy_dup",
    )
    assert on_slurm["metrics"]["docs_in"] == 300 and on_slurm["metrics"]["docs_out"] > 0
    assert {k: on_slurm["metrics"][k] for k in counts} == {k: local["metrics"][k] for k in counts}
