#!/bin/bash
# Applies the sweep (an Indexed Job), waits for every shard to complete, then applies the report Job.
set -euo pipefail
cd "$(dirname "$0")"
kubectl apply -f sweep.yaml
kubectl wait --for=condition=complete --timeout=21600s job/loopgym-tiny-cluster-sweep
kubectl apply -f report.yaml
kubectl wait --for=condition=complete --timeout=1800s job/loopgym-tiny-cluster-report
kubectl logs job/loopgym-tiny-cluster-report
echo "report: /results/tiny-cluster/report.md on the volume claimed by rl-results"
