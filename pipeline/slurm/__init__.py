"""Running the pipeline on Slurm: stage jobs chained by afterok (``launcher=slurm``).

- config.py: the ``slurm`` config section (resources per stage, wait timeouts);
- script.py: the sbatch script of one stage job (plain python, or srun + torchrun across nodes);
- monitor.py: job states from squeue/sacct/exit records, with timeouts so a wait always ends;
- launcher.py: plan (skip what is up to date), submit, print ids, optionally wait and report.

Sweeps use Hydra's submitit launcher (``hydra/launcher=submitit_slurm``) and Dask scale-out uses
``pipeline.dask_cluster`` (``cluster.kind=slurm``); neither needs this package.
"""
