#!/bin/bash
# Submits the sweep array, then the report job that runs once every array task succeeded.
set -euo pipefail
cd "$(dirname "$0")"
sweep_job=$(sbatch --parsable sweep.sbatch)
sweep_job=${sweep_job%%;*}
report_job=$(sbatch --parsable --dependency=afterok:"$sweep_job" --kill-on-invalid-dep=yes report.sbatch)
report_job=${report_job%%;*}
echo "sweep: job array $sweep_job (4 shards); report: job $report_job, after every shard succeeded"
echo "watch: squeue -j $sweep_job,$report_job"
echo "logs: /scratch/results/tiny-cluster/slurm/logs/"
echo "report: /scratch/results/tiny-cluster/report.md"
