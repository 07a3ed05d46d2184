#!/usr/bin/env bash
# Runs inside a fresh network namespace (see readme-try-it.test.ts): brings up loopback, starts
# `npm start` with its default ports in REPO (data in WORK/data), runs WORK/block.sh with
# bash -euo pipefail from an empty directory, then stops npm start and checks that it stopped.
# Usage: unshare --net bash fresh-start.sh REPO WORK
set -euo pipefail
repo=$1 work=$2
ip link set lo up
cd "$repo"
setsid npm start -- --data-dir "$work/data" >"$work/npm-start.log" 2>&1 &
npm_pid=$!
stop() {
  kill -TERM "$npm_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$npm_pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$npm_pid" 2>/dev/null; then
    echo "npm start did not stop within 20 s" >&2
    kill -KILL -- "-$npm_pid" 2>/dev/null || true
    return 1
  fi
}
trap 'stop || true; cat "$work/npm-start.log" >&2' ERR
trap 'kill -KILL -- "-$npm_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 900); do
  grep -q 's3-torrent is running locally' "$work/npm-start.log" && break
  kill -0 "$npm_pid" 2>/dev/null || { echo "npm start exited" >&2; exit 1; }
  sleep 0.2
done
grep -q 's3-torrent is running locally' "$work/npm-start.log" || { echo "npm start did not come up in 180 s" >&2; exit 1; }
mkdir "$work/try"
cd "$work/try"
timeout 120 bash -euo pipefail "$work/block.sh"
cd "$repo"
stop
echo "npm start stopped"
