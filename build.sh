#!/usr/bin/env bash
# The Linux build entry point (build.ps1 wraps the same dotnet commands).
#   ./build.sh prereqs          install the Debian packages the build and the tests need
#   ./build.sh publish [RID..]  native-AOT publish of edge-server and edge-agent
#                               (default RIDs: linux-x64 linux-arm64) into artifacts/publish/<rid>/
#   ./build.sh native [RID..]   the C programs alone (the pause program) into artifacts/native/<rid>/
#   ./build.sh test             prereqs, publish, the whole test suite; ends with "N passed, N failed, N skipped"
#   ./build.sh up               publish for this machine, install, start a single-node cluster
#   ./build.sh down             stop the server that `up` started
#   ./build.sh bench            startup / memory / size benchmark (figures for BENCHMARKS.md)
#   ./build.sh bench store      the store: embedded engine against a real etcd, same workload
#   ./build.sh bench api        the API server over HTTPS: creates, LIST, watch fan-out, memory (--quick: short)
#   ./build.sh bench scheduler  the scheduler in-process (1,000 / 5,000 nodes), then apply → bound through edge-server
#   ./build.sh bench pods       pod start-up (30 pods) through server + agent on containerd, beside CRI alone; agent memory, sizes
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
ARTIFACTS=$ROOT/artifacts
EXECUTABLES=(server/Edge.Server/Edge.Server.csproj agent/Edge.Agent/Edge.Agent.csproj)

log() { printf '==> %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then echo "build.sh $1: run as root (it installs packages)" >&2; exit 1; fi
}

# Installs the Debian packages that are missing; apt-get update only when something is.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root prereqs
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

host_rid() {
  case "$(uname -m)" in
    x86_64) echo linux-x64 ;;
    aarch64) echo linux-arm64 ;;
    *) echo "unsupported machine $(uname -m): Edge ships for x86_64 and aarch64" >&2; exit 1 ;;
  esac
}

prereqs() {
  command -v dotnet >/dev/null || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
  # Native AOT links with clang (or gcc); zlib comes from the runtime pack.
  local pkgs=(clang lld zlib1g-dev git ca-certificates)
  # Real components the tests drive: etcd for the store contract suite and the benchmark anchor.
  pkgs+=(etcd-server etcd-client)
  # The pause program (static C), and the container runtime the image and pod tests drive:
  # containerd + runc + CNI plugins, and busybox-static as the test image's only binary.
  # (the CNI bridge plugin masquerades pod traffic with iptables; tests remove their bridges with ip)
  pkgs+=(gcc libc6-dev containerd runc containernetworking-plugins busybox-static iptables iproute2)
  # Cross-AOT for the other architecture, and qemu to run its binaries in the tests.
  if [ "$(host_rid)" = linux-x64 ]; then
    pkgs+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu qemu-user-static)
  else
    # The x64 pause program, cross-compiled on an arm64 build machine.
    pkgs+=(gcc-x86-64-linux-gnu libc6-dev-amd64-cross)
  fi
  apt_install "${pkgs[@]}"
  [ "$(host_rid)" = linux-x64 ] && arm64_openssl_for_qemu
  return 0
}

# The arm64 binaries under qemu (-L /usr/aarch64-linux-gnu) need arm64 OpenSSL for TLS and ECDSA;
# the cross sysroot has only libc. Take libssl3's two libraries from Debian's arm64 package.
arm64_openssl_for_qemu() {
  local sysroot=/usr/aarch64-linux-gnu/lib
  [ -f "$sysroot/libssl.so.3" ] && [ -f "$sysroot/libcrypto.so.3" ] && return 0
  need_root prereqs
  log "adding arm64 OpenSSL to $sysroot for qemu"
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  apt-get update -qq
  local work
  work=$(mktemp -d)
  chmod 777 "$work"
  (cd "$work" && apt-get download -qq libssl3:arm64)
  dpkg-deb -x "$work"/libssl3_*_arm64.deb "$work/root"
  cp "$work/root/usr/lib/aarch64-linux-gnu/libssl.so.3" "$work/root/usr/lib/aarch64-linux-gnu/libcrypto.so.3" "$sysroot/"
  rm -rf "$work"
}

# The C compiler that makes static binaries for a RID on this machine (native or cross).
c_compiler() {
  case "$1" in
    "$(host_rid)") echo gcc ;;
    linux-x64) echo x86_64-linux-gnu-gcc ;;
    linux-arm64) echo aarch64-linux-gnu-gcc ;;
    *) echo "unknown RID $1" >&2; exit 1 ;;
  esac
}

# native/pause as a static binary per RID; edge-agent embeds the one of its RID as the pause image.
native() {
  local rids=("$@")
  [ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64)
  for rid in "${rids[@]}"; do
    local out=$ARTIFACTS/native/$rid
    mkdir -p "$out"
    log "compiling native/pause for $rid"
    "$(c_compiler "$rid")" -static -Os -s -Wall -Wextra -Werror -o "$out/pause.tmp" native/pause/pause.c
    mv "$out/pause.tmp" "$out/pause"
  done
}

publish() {
  local rids=("$@")
  [ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64)
  native "${rids[@]}"
  for rid in "${rids[@]}"; do
    for project in "${EXECUTABLES[@]}"; do
      log "publishing $project for $rid"
      dotnet publish "$project" -c Release -r "$rid" -p:PublishAot=true -o "$ARTIFACTS/publish/$rid" -nologo -v:q -clp:NoSummary
    done
    rm -f "$ARTIFACTS/publish/$rid"/*.pdb
  done
}

# Names every test that did not pass, with the first lines of its message, just above the closing
# line: CI keeps only the tail of the output, and that is where a failure must be readable.
failures() {
  echo "---- tests that did not pass ----"
  awk '
    /<UnitTestResult / {
      inside = ($0 ~ /outcome="(Failed|Error|Timeout|Aborted)"/)
      if (inside) { match($0, /testName="[^"]*"/); print "FAILED " substr($0, RSTART + 10, RLENGTH - 11); lines = 0 }
    }
    inside && /<Message>/ { grab = 1; sub(/.*<Message>/, "") }
    inside && grab && lines < 6 { line = $0; sub(/<\/Message>.*/, "", line); print "    " line; lines++ }
    inside && /<\/Message>/ { grab = 0 }
    /<\/UnitTestResult>/ { inside = 0 }
  ' "$1"/*.trx | sed 's/&quot;/"/g; s/&apos;/'"'"'/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' | head -60
  echo "----"
}

# Sums the counters of every TRX file and prints the closing line CI reads.
summarize() {
  local dir=$1 passed=0 failed=0 skipped=0 total=0 files=0
  for trx in "$dir"/*.trx; do
    [ -f "$trx" ] || continue
    files=$((files + 1))
    local counters
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    attr() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
    total=$((total + $(attr total)))
    passed=$((passed + $(attr passed)))
    failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
    skipped=$((skipped + $(attr notExecuted)))
  done
  if [ "$files" -eq 0 ]; then
    echo "no test results were written" >&2
    failed=$((failed + 1))
  fi
  [ "$failed" -eq 0 ] || failures "$dir" || true
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

run_tests() {
  prereqs
  publish
  local results=$ARTIFACTS/test-results
  rm -rf "$results"
  mkdir -p "$results"
  log "running the test suite"
  local status=0
  dotnet test Edge.sln -c Release -nologo \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
    --blame-hang-timeout 5m || status=$?
  summarize "$results" || status=1
  return $status
}

up() {
  need_root up
  prereqs
  local rid
  rid=$(host_rid)
  publish "$rid"
  install -m 0755 "$ARTIFACTS/publish/$rid/edge-server" /usr/local/bin/edge-server
  install -m 0755 "$ARTIFACTS/publish/$rid/edge-agent" /usr/local/bin/edge-agent
  mkdir -p /var/log/edge /run/edge
  if [ -f /run/edge/server.pid ] && kill -0 "$(cat /run/edge/server.pid)" 2>/dev/null; then
    log "stopping the previous edge-server (pid $(cat /run/edge/server.pid))"
    kill "$(cat /run/edge/server.pid)"
    while kill -0 "$(cat /run/edge/server.pid)" 2>/dev/null; do sleep 0.1; done
  fi
  log "starting edge-server (log: /var/log/edge/server.log)"
  # Started from a clean working directory (Kestrel watches its content root), detached from
  # this shell's terminal and pipes, and recorded by its own PID.
  pushd /var/lib >/dev/null
  nohup /usr/local/bin/edge-server server </dev/null >>/var/log/edge/server.log 2>&1 &
  echo $! >/run/edge/server.pid
  popd >/dev/null
  local pid
  pid=$(cat /run/edge/server.pid)
  for _ in $(seq 1 100); do
    if [ -f /etc/edge/edge.yaml ] && kubectl --kubeconfig /etc/edge/edge.yaml get --raw /readyz >/dev/null 2>&1; then
      cat <<TXT

Edge is running (edge-server pid $pid, API on https://127.0.0.1:6443).
Use it with kubectl:
  export KUBECONFIG=/etc/edge/edge.yaml
  kubectl get namespaces
  kubectl create deployment hello --image=busybox
  kubectl get all -A
Pods run once an agent joins; on this machine (edge-agent is installed too):
  edge-agent join https://127.0.0.1:6443 --token "\$(edge-server token)"
  edge-agent run
Stop it with: ./build.sh down
TXT
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -5 /var/log/edge/server.log >&2; echo "edge-server exited; see /var/log/edge/server.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "edge-server did not become ready in 10 s; see /var/log/edge/server.log" >&2
  exit 1
}

down() {
  if [ -f /run/edge/server.pid ] && kill -0 "$(cat /run/edge/server.pid)" 2>/dev/null; then
    kill "$(cat /run/edge/server.pid)"
    log "stopped edge-server (pid $(cat /run/edge/server.pid))"
  else
    log "edge-server is not running"
  fi
  rm -f /run/edge/server.pid
}

bench() {
  prereqs   # includes etcd, the anchor measured beside Edge
  case "${1:-}" in
    store)
      shift
      dotnet run --project bench/Edge.Bench -c Release -- store "$@"
      ;;
    api)
      # The real server binary, published for this machine, driven over HTTPS on loopback.
      shift
      publish "$(host_rid)"
      dotnet run --project bench/Edge.Bench -c Release -- api --server "$ARTIFACTS/publish/$(host_rid)/edge-server" "$@"
      ;;
    pods)
      # Pod start-up through server + agent on a real containerd, beside CRI alone; agent memory;
      # both RIDs are published so the binary sizes of both are reported.
      shift
      publish
      dotnet run --project bench/Edge.Bench -c Release -- pods --publish "$ARTIFACTS/publish" "$@"
      ;;
    scheduler)
      # In-process first; then the published server end to end (apply of a Deployment → pods bound).
      shift
      publish "$(host_rid)"
      dotnet run --project bench/Edge.Bench -c Release -- scheduler "$@"
      ;;
    *)
      publish
      dotnet run --project bench/Edge.Bench -c Release -- startup "$ARTIFACTS/publish" "$@"
      ;;
  esac
}

case "${1:-}" in
  prereqs) prereqs ;;
  publish) shift; prereqs; publish "$@" ;;
  native) shift; prereqs; native "$@" ;;
  test) run_tests ;;
  up) up ;;
  down) down ;;
  bench) shift; bench "$@" ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
