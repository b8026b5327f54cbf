"""A real single-node Slurm (munge + slurmctld + slurmd) on loopback, private to one test session.

Everything lives in a private folder: its own munge key and socket (Debian's key belongs to the
munge user and munged running as root rejects it), its own ports, state, spool, pid and log files.
Clients find it through ``SLURM_CONF``. Stopping cancels the jobs first (stopping slurmd does not
stop them), then ends only the daemons this module started, by the pids it recorded.

The Debian packages are installed by the fixture when missing, so a fresh CI machine needs no
manual step; tests skip (with the reason) only where Slurm cannot run at all: not root, or no
Slurm and no apt-get to install it.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

PACKAGES = ("slurmctld", "slurmd", "slurm-client", "munge")
BINARIES = (
    "slurmctld",
    "slurmd",
    "sbatch",
    "squeue",
    "sinfo",
    "scontrol",
    "scancel",
    "srun",
    "munged",
    "mungekey",
)
PARTITION = "debug"
# More CPUs than the 2-core CI box has (SlurmdParameters=config_overrides): a pipeline job and
# the Dask workers it starts, or two sweep points, must be able to run at the same time.
NODE_CPUS = 4
ACTIVE_STATES = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING"}
APT_LOCK = Path("/tmp/pipeline-tests-apt.lock")  # two test sessions must not run apt at once


def unavailable_reason() -> str | None:
    """Why this machine cannot run the Slurm tests, or None when it can."""
    if not sys.platform.startswith("linux"):
        return f"Slurm needs Linux (this is {sys.platform})"
    if os.geteuid() != 0:
        return f"starting slurmctld/slurmd and installing them needs root (running as uid {os.geteuid()})"
    if _missing_binaries() and not shutil.which("apt-get"):
        return f"Slurm is not installed ({', '.join(_missing_binaries())} missing) and there is no apt-get"
    return None


def _missing_binaries() -> list[str]:
    return [b for b in BINARIES if shutil.which(b) is None]


def ensure_installed() -> float:
    """Install the Debian packages when a binary is missing; returns the seconds spent."""
    t0 = time.perf_counter()
    APT_LOCK.touch(exist_ok=True)
    with open(APT_LOCK) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _missing_binaries():
            return time.perf_counter() - t0
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        wait_for_dpkg = ["-o", "DPkg::Lock::Timeout=300"]
        for command in (
            ["apt-get", *wait_for_dpkg, "update", "-q"],
            ["apt-get", *wait_for_dpkg, "install", "-y", "-q", "--no-install-recommends", *PACKAGES],
        ):
            proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(
                    f"{' '.join(command)} failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}"
                    f"\n{proc.stderr[-2000:]}"
                )
    missing = _missing_binaries()
    if missing:
        raise RuntimeError(f"installed {', '.join(PACKAGES)} but {', '.join(missing)} still missing")
    return time.perf_counter() - t0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _alive(pid: int) -> bool:
    """Zombies (where PID 1 does not reap) count as dead."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@dataclass
class SlurmCluster:
    folder: Path
    partition: str = PARTITION
    cpus: int = NODE_CPUS
    real_memory_mb: int = 0
    pids: dict[str, int] = field(default_factory=dict)  # daemon -> pid, only the ones we started

    @property
    def conf(self) -> Path:
        return self.folder / "slurm.conf"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def command(self, *args: str, timeout: float = 30, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed (exit {proc.returncode}): {proc.stderr.strip()}\n{self.logs_tail()}"
            )
        return proc

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for sub in ("munge", "state", "spool", "logs"):
            (self.folder / sub).mkdir(exist_ok=True)
        munge = self.folder / "munge"
        os.chmod(munge, 0o755)  # munged insists that every client can reach its socket
        _checked(["mungekey", "-c", "-f", "-k", str(munge / "munge.key")])
        _checked(
            [
                "munged",
                f"--socket={munge / 'munge.socket'}",
                f"--key-file={munge / 'munge.key'}",
                f"--pid-file={munge / 'munged.pid'}",
                f"--log-file={munge / 'munged.log'}",
                f"--seed-file={munge / 'munged.seed'}",
            ],
        )
        self.pids["munged"] = self._read_pid(munge / "munged.pid")
        self.real_memory_mb = _real_memory_mb()
        self.conf.write_text(self._render_conf())
        # -i: ignore state files left by nobody (a fresh folder has none, but never refuse to start)
        self.command("slurmctld", "-i")
        self.pids["slurmctld"] = self._read_pid(self.folder / "slurmctld.pid")
        self.command("slurmd", "-N", "localhost")  # the node name, not this machine's hostname
        self.pids["slurmd"] = self._read_pid(self.folder / "slurmd.pid")
        self._wait_idle()

    def _render_conf(self) -> str:
        d = self.folder
        return f"""# Written by tests/slurm_cluster.py for one test session.
ClusterName=pipelinetests
SlurmctldHost=localhost
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={d / "munge" / "munge.socket"}
CredType=cred/munge
StateSaveLocation={d / "state"}
SlurmdSpoolDir={d / "spool"}
SlurmctldPidFile={d / "slurmctld.pid"}
SlurmdPidFile={d / "slurmd.pid"}
SlurmctldLogFile={d / "logs" / "slurmctld.log"}
SlurmdLogFile={d / "logs" / "slurmd.log"}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
EnforcePartLimits=ALL
SchedulerParameters=batch_sched_delay=0
MailProg=/bin/true
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=2
InactiveLimit=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs={self.cpus} RealMemory={self.real_memory_mb} State=UNKNOWN
PartitionName={self.partition} Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""

    def _read_pid(self, path: Path, timeout: float = 10) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                text = path.read_text().strip()
                if text:
                    return int(text)
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{path} did not appear within {timeout} s\n{self.logs_tail()}")

    def _wait_idle(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            proc = self.command("sinfo", "-h", "-o", "%t", check=False)
            state = proc.stdout.strip()
            if state == "idle":
                return
            time.sleep(0.2)
        raise RuntimeError(f"node not idle after {timeout} s (sinfo: {state!r})\n{self.logs_tail()}")

    def job_ids(self) -> list[str]:
        proc = self.command("squeue", "-h", "-o", "%i", check=False)
        return proc.stdout.split() if proc.returncode == 0 else []

    def wait_for(self, job_ids: list[str], timeout: float = 60) -> dict[str, str]:
        """Final Slurm states of the jobs (polled fast: `sbatch --wait` polls every few seconds)."""
        deadline = time.monotonic() + timeout
        states: dict[str, str] = {}
        while time.monotonic() < deadline:
            out = self.command(
                "squeue", "-h", "-t", "all", "-j", ",".join(job_ids), "-o", "%i %T", check=False
            ).stdout
            states = dict(line.split() for line in out.splitlines() if line.strip())
            if len(states) == len(job_ids) and not set(states.values()) & ACTIVE_STATES:
                return states
            time.sleep(0.2)
        raise AssertionError(f"jobs {job_ids} not finished after {timeout} s: {states}")

    def cancel_all(self, timeout: float = 20) -> None:
        """Cancel every job of this cluster and wait until the queue is empty."""
        deadline = time.monotonic() + timeout
        while (ids := self.job_ids()) and time.monotonic() < deadline:
            self.command("scancel", *ids, check=False)
            time.sleep(0.3)

    def stop(self) -> None:
        if self.pids.get("slurmctld"):
            self.cancel_all()
        for name in ("slurmd", "slurmctld", "munged"):  # clients first, authentication last
            pid = self.pids.pop(name, 0)
            if pid and _alive(pid):
                _terminate(pid)

    def logs_tail(self, lines: int = 15) -> str:
        out = []
        for log in sorted((self.folder / "logs").glob("*.log")) + [self.folder / "munge" / "munged.log"]:
            if log.is_file():
                tail = log.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(out)


def _checked(command: list[str]) -> None:
    proc = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        raise RuntimeError(f"{command[0]} failed (exit {proc.returncode}): {proc.stderr.strip()}")


def _terminate(pid: int, timeout: float = 10) -> None:
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def _real_memory_mb() -> int:
    """What slurmd measures (the default RealMemory of 1 MB rejects every --mem request)."""
    out = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"RealMemory=(\d+)", out)
    if not match:
        raise RuntimeError(f"no RealMemory in `slurmd -C` output: {out!r}")
    return int(match.group(1))


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[SlurmCluster]:
    """A running private Slurm; SLURM_CONF is exported for the session's clients (sbatch, dask-jobqueue)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"no real Slurm here: {reason}")
    installed_in = ensure_installed()
    # Not under pytest's 0700 tmp folders: munged requires every folder above its socket to be
    # searchable by all.
    folder = Path(tempfile.mkdtemp(prefix="pipeline-slurm-"))
    os.chmod(folder, 0o755)
    cluster = SlurmCluster(folder)
    saved = os.environ.get("SLURM_CONF")
    t0 = time.perf_counter()
    try:
        cluster.start()
        print(
            f"\nslurm: install check {installed_in:.1f} s, start {time.perf_counter() - t0:.1f} s "
            f"({cluster.cpus} CPUs, {cluster.real_memory_mb} MB, {cluster.folder})"
        )
        os.environ["SLURM_CONF"] = str(cluster.conf)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
        if saved is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = saved
