"""Running the pipeline on Slurm: stage jobs chained by afterok (``launcher=slurm``).

- config.py: the ``slurm`` config section (resources per stage, wait timeouts);
- script.py: the sbatch script of one stage job (plain python, or srun + torchrun across nodes);
- monitor.py: job states from squeue/sacct/exit records, with timeouts so a wait always ends;
- launcher.py: plan (skip what is up to date), submit, print ids, optionally wait and report;
- sweep_watch.py: a Hydra callback that fails a ``hydra/launcher=submitit_slurm`` sweep job which
  ended or vanished without a result (submitit alone would wait forever without accounting).

Sweeps otherwise use Hydra's submitit launcher as it is, and Dask scale-out uses
``pipeline.dask_cluster`` (``cluster.kind=slurm``).
"""
