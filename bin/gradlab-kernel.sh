#!/bin/sh
# What Jupyter runs to start a gradlab kernel (the kernel.json that `gradlab install` writes).
# With a current start-up snapshot it starts Node from it at once: finding the snapshot from
# `gradlab.js kernel` would cost a second Node start, a sixth of the time to the first reply.
#
# $1: Node, as recorded at install; $2: this copy of gradlab's id (kernel/paths.ts: installId);
# $3: the connection file.
node=$1
id=$2
connection=$3
here=${0%/*}

# The socket relay (kernel/wire/relay.cts) binds Jupyter's ports while the kernel starts, so a
# frontend's first request waits there instead of in ZeroMQ's reconnect timer. The kernel finds
# it through these two variables; without a relay it binds the ports itself. A lean kernel
# (GRADLAB_LEAN, kernel/lean.ts: a classroom's server) goes without, to save its memory.
relay=
relay_dir=
relay_js=$here/../dist/kernel/wire/relay.cjs
lean=$(printf %s "$GRADLAB_LEAN" | tr '[:upper:]' '[:lower:]')
case $lean in "" | 0 | false) lean= ;; esac
if [ -z "$GRADLAB_NO_RELAY" ] && [ -z "$lean" ] && [ -f "$relay_js" ] &&
  relay_dir=$(mktemp -d "${TMPDIR:-/tmp}/gradlab-relay.XXXXXX" 2>/dev/null); then
  "$node" "$relay_js" "$connection" "$relay_dir" &
  relay=$!
  GRADLAB_WIRE_RELAY=$relay_dir
  GRADLAB_WIRE_RELAY_PID=$relay
  export GRADLAB_WIRE_RELAY GRADLAB_WIRE_RELAY_PID
fi

# Ends with the kernel's exit code once the relay has let go of the ports (a restart binds them
# again at once).
finish() {
  if [ -n "$relay" ]; then
    kill "$relay" 2>/dev/null
    wait "$relay" 2>/dev/null
    rm -rf "$relay_dir"
  fi
  exit "$1"
}

if [ -z "$GRADLAB_NO_SNAPSHOT" ]; then
  # The same folder as cacheDir() in kernel/paths.ts.
  if [ -n "$GRADLAB_CACHE_DIR" ]; then cache=$GRADLAB_CACHE_DIR
  elif [ -n "$XDG_CACHE_HOME" ]; then cache=$XDG_CACHE_HOME/gradlab
  else cache=$HOME/.cache/gradlab
  fi
  # Written next to each new snapshot: the Node that built it, the blob, and the V8 flags it was
  # built with (kernel/v8-flags.ts), which restoring it needs too. An older pointer has no flags.
  pointer=$cache/kernel-$id.launch
  flags=
  if [ -f "$pointer" ] && { IFS= read -r built_by && IFS= read -r blob && { IFS= read -r flags || true; }; } < "$pointer" &&
    [ "$built_by" = "$node" ] && [ -f "$blob" ]; then
    # The options of restoredKernelOptions() in kernel/snapshot/launch.ts (why: see there).
    pool=
    cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 4)
    if [ "$cores" -le 2 ] 2>/dev/null; then pool=--v8-pool-size=1; fi
    # shellcheck disable=SC2086 # $pool and $flags are lists of options
    "$node" $pool $flags --snapshot-blob "$blob" "$connection"
    code=$?
    # 75: the snapshot holds other code than what is installed now (build-entry.cts);
    # 14: Node cannot load it (another Node version). Either way nothing has run yet.
    if [ "$code" -ne 75 ] && [ "$code" -ne 14 ]; then finish "$code"; fi
  fi
fi
"$node" "$here/gradlab.js" kernel --connection-file "$connection"
finish $?
