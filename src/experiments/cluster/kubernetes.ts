/**
 * A sweep as Kubernetes Jobs: `sweep.yaml` holds a ConfigMap with the resolved spec and an Indexed Job
 * (`completionMode: Indexed`, one completion per shard, `parallelism` at once; each pod reads its index
 * from JOB_COMPLETION_INDEX, set from the pod's completion-index annotation so older clusters work too),
 * mounting a PersistentVolumeClaim at /results. `report.yaml` is the second Job, which merges the shards;
 * `submit.sh` applies the sweep, waits for it to complete and then applies the report.
 */
import type { ExperimentSpec } from '../spec.js';
import { kubernetesMemory, parallelismOf, timeLimitSeconds, type ClusterJobOptions } from './job-options.js';
import { reportArguments, shardArguments } from './shard-command.js';
import { LiteralBlock, yamlDocument, type YamlValue } from './yaml-text.js';

export const KUBERNETES_FILES = ['sweep.yaml', 'report.yaml', 'submit.sh'] as const;

/** Where the pods see the results volume and the spec. */
export const RESULTS_MOUNT = '/results';
const SPEC_MOUNT = '/etc/loopgym';
/** The Job controller's annotation that holds a pod's index in an Indexed Job. */
const INDEX_ANNOTATION = "metadata.annotations['batch.kubernetes.io/job-completion-index']";
const REPORT_SECONDS = 1800;

/** A DNS-1123 label from an experiment name (lowercase letters, digits and '-'), short enough for pod names. */
export function kubernetesName(experiment: string): string {
  const label = experiment.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').slice(0, 40).replace(/^-+|-+$/g, '');
  return `loopgym-${label || 'sweep'}`;
}

export function kubernetesFiles(spec: ExperimentSpec, job: ClusterJobOptions): Record<(typeof KUBERNETES_FILES)[number], string> {
  const base = kubernetesName(spec.name);
  const labels = { 'app.kubernetes.io/name': 'loopgym', 'app.kubernetes.io/instance': base };
  const memory = kubernetesMemory(job.memory);
  const resources = { requests: { cpu: String(job.cpus), memory }, limits: { cpu: String(job.cpus), memory } };
  const resultsVolume = { name: 'results', persistentVolumeClaim: { claimName: job.pvc } };
  const resultsMount = { name: 'results', mountPath: RESULTS_MOUNT };
  const shardSeconds = timeLimitSeconds(job.time);
  const parallel = parallelismOf(job);

  const configMap: { [key: string]: YamlValue } = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${base}-spec`, labels },
    data: { 'spec.json': new LiteralBlock(`${JSON.stringify(spec, null, 2)}\n`) },
  };
  const sweepJob: { [key: string]: YamlValue } = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${base}-sweep`, labels },
    spec: {
      completionMode: 'Indexed',
      completions: job.shards,
      parallelism: parallel,
      backoffLimit: job.shards,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          activeDeadlineSeconds: shardSeconds,
          containers: [
            {
              name: 'shard',
              image: job.image,
              command: ['loopgym', ...shardArguments(`${SPEC_MOUNT}/spec.json`, RESULTS_MOUNT, job)],
              env: [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: INDEX_ANNOTATION } } }],
              resources,
              volumeMounts: [resultsMount, { name: 'spec', mountPath: SPEC_MOUNT, readOnly: true }],
            },
          ],
          volumes: [resultsVolume, { name: 'spec', configMap: { name: `${base}-spec` } }],
        },
      },
    },
  };
  const reportJob: { [key: string]: YamlValue } = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${base}-report`, labels },
    spec: {
      backoffLimit: 1,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          activeDeadlineSeconds: REPORT_SECONDS,
          containers: [{ name: 'report', image: job.image, command: ['loopgym', ...reportArguments(RESULTS_MOUNT, spec.name)], resources, volumeMounts: [resultsMount] }],
          volumes: [resultsVolume],
        },
      },
    },
  };

  const header = (what: string) => `# loopgym sweep ${JSON.stringify(spec.name)}: ${what}\n`;
  // Every wave of `parallel` shards may take up to the time limit; a retried pod (backoffLimit) another.
  const waitSeconds = 2 * shardSeconds * Math.ceil(job.shards / parallel);
  const submit = [
    '#!/bin/bash',
    '# Applies the sweep (an Indexed Job), waits for every shard to complete, then applies the report Job.',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    'kubectl apply -f sweep.yaml',
    `kubectl wait --for=condition=complete --timeout=${waitSeconds}s job/${base}-sweep`,
    'kubectl apply -f report.yaml',
    `kubectl wait --for=condition=complete --timeout=${REPORT_SECONDS}s job/${base}-report`,
    `kubectl logs job/${base}-report`,
    `echo "report: ${RESULTS_MOUNT}/${spec.name}/report.md on the volume claimed by ${job.pvc}"`,
    '',
  ];
  return {
    'sweep.yaml':
      header(`${job.shards} shards as a Kubernetes Indexed Job, ${parallel} at once; results on the claim ${JSON.stringify(job.pvc)}.`) +
      yamlDocument(configMap) +
      '---\n' +
      yamlDocument(sweepJob),
    'report.yaml': header('the report Job, to apply once every shard completed (submit.sh does).') + yamlDocument(reportJob),
    'submit.sh': submit.join('\n'),
  };
}
