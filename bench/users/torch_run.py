"""PyTorch's side of the "as users write it" benchmark: the same workloads as gradlab-run.ts,
written as a PyTorch user writes them, one per process: python3 torch_run.py <workload> [steps]
[digits.x digits.y]. Prints one JSON line like gradlab's. One thread, as the issue compares;
GRADLAB_TORCH_THREADS overrides.

torch.set_num_threads alone does not make PyTorch single-threaded here: Debian's build does its
matmuls in OpenBLAS (pthreads), whose own pool starts one thread per core and ignores it. With
that pool, a "one thread" run kept two cores busy (1.99 in the "cores" field) and its SGD loop
ran at 1,270-1,730 steps/s from run to run; with OPENBLAS_NUM_THREADS=1 as well, one core and
1,800-1,920. The pool reads its size when the library loads, so it is set before the import."""
import json, os, sys, time

THREADS = os.environ.get("GRADLAB_TORCH_THREADS", "1")
for pool in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[pool] = THREADS

import torch  # noqa: E402 (after the thread pools' sizes)


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def mlp():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    return model, torch.randn(64, 784), torch.randint(0, 10, (64,))


def loop(make):
    def run(steps):
        model, x, y = mlp()
        opt = make(model.parameters())
        t100 = cpu100 = rss100 = peak = 0
        for step in range(steps):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
            if step == 100:
                t100, cpu100, rss100 = time.perf_counter(), time.process_time(), rss_mb()
            if step > 100 and step % 100 == 0:
                peak = max(peak, rss_mb())
        seconds = time.perf_counter() - t100
        cores = (time.process_time() - cpu100) / seconds
        return {"value": (steps - 101) / seconds, "unit": "steps/s", "rss100": rss100, "rssPeak": max(peak, rss_mb()), "cores": cores}
    return run


def fit(epochs, xs, ys):
    import numpy as np
    x = torch.from_numpy(np.fromfile(xs, dtype=np.float32).reshape(-1, 784))
    y = torch.from_numpy(np.fromfile(ys, dtype=np.int32).astype(np.int64))
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rss100 = rss_mb()
    t0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(epochs):
        perm = torch.randperm(x.shape[0])
        for i in range(0, x.shape[0], 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            loss.item()  # what a loop that logs its loss (and train.fit) reads every batch
    seconds = time.perf_counter() - t0
    cores = (time.process_time() - cpu0) / seconds
    return {"value": x.shape[0] * epochs / seconds, "unit": "samples/s", "rss100": rss100, "rssPeak": rss_mb(), "cores": cores}


WORKLOADS = {
    "sgd": loop(lambda p: torch.optim.SGD(p, lr=0.01)),
    "momentum": loop(lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    "rmsprop": loop(lambda p: torch.optim.RMSprop(p, lr=0.001)),
    "adam": loop(lambda p: torch.optim.Adam(p, lr=0.001)),
}

if __name__ == "__main__":
    torch.set_num_threads(int(THREADS))
    name, steps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    result = fit(steps, sys.argv[3], sys.argv[4]) if name == "fit" else WORKLOADS[name](steps)
    print(json.dumps(result))
