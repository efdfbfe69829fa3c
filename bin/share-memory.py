#!/usr/bin/python3
"""Asks Linux to merge this process's identical memory pages with other processes' (KSM), and
those of every program it starts: PR_SET_MEMORY_MERGE (Linux 6.4 or later) is inherited across
fork and exec. Node cannot call prctl, so gradlab does it from Python (kernel/hub/memory-merge.ts):

    share-memory.py COMMAND [ARGS...]   runs COMMAND with merging asked for (the single-user
                                        image's start, `npm run bench:kernel`)
    runpy.run_path(this file)["share_identical_memory"]()   from jupyterhub_config.py, so the
                                        hub's servers and kernels inherit it

It takes effect once root turns KSM on: echo 1 > /sys/kernel/mm/ksm/run (docs/sizing.md)."""
import ctypes
import errno
import os
import sys

KSM_RUN = "/sys/kernel/mm/ksm/run"
PR_SET_MEMORY_MERGE = 67


def share_identical_memory():
    """None once merging is asked for and KSM is on; otherwise one sentence saying why not."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as error:
        return f"no C library to call prctl: {error}"
    if libc.prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        if code == errno.EINVAL:
            return "this Linux has no PR_SET_MEMORY_MERGE (it needs Linux 6.4 or later)"
        return f"prctl(PR_SET_MEMORY_MERGE) failed: {errno.errorcode.get(code, code)}"
    try:
        with open(KSM_RUN) as f:
            if f.read().strip() != "1":
                return f"KSM is off on this machine: as root, echo 1 > {KSM_RUN} (docs/sizing.md)"
    except OSError:
        return f"this Linux has no KSM ({KSM_RUN})"
    return None


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: share-memory.py COMMAND [ARGS...]")
    why = share_identical_memory()
    if why:
        sys.stderr.write(f"memory merging: {why}\n")
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    except OSError as error:
        sys.exit(f"share-memory.py: cannot run {sys.argv[1]}: {error.strerror}")
