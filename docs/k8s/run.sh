#!/bin/sh
# Build every advisee's plan on Kubernetes: the shards first, then, once they are all complete,
# the merge. Every pod plans for the same date, chosen here once (or pass it: ./run.sh 2027-03-01).
set -eu
cd "$(dirname "$0")"
TODAY="${1:-$(date +%F)}"

# Succeed when the Job completes; stop as soon as it has failed for good (a wait for "complete"
# alone would only end at its timeout).
wait_for() {
  until kubectl wait --for=condition=complete "job/$1" --timeout=60s >/dev/null 2>&1; do
    failed=$(kubectl get "job/$1" -o jsonpath='{.status.conditions[?(@.type=="Failed")].status}')
    if [ "$failed" = "True" ]; then
      echo "job/$1 failed: see kubectl describe job/$1 and kubectl logs job/$1" >&2
      exit 1
    fi
  done
}

kubectl delete job roadmap-shards roadmap-merge --ignore-not-found  # a Job's spec cannot change
kubectl create configmap roadmap-run --from-literal=today="$TODAY" --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f roadmap-shards.yaml
wait_for roadmap-shards
kubectl apply -f roadmap-merge.yaml
wait_for roadmap-merge
echo "Plans for $TODAY: /data/out/index.html and /data/out/summary.csv on the advising-data volume"
