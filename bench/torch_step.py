"""PyTorch peer for bench/rnn-step.bench.ts: the same training step (one-hot input, one recurrent
layer, linear head, softmax cross-entropy, Adam) at the same shapes, timed the same way (median of
N steps after a warm-up step). Reads one case {B, T, V, H, cell, steps, threads} (threads 0 = all)
as JSON from argv[1] and prints one JSON object; one process per case, so that the peak resident
memory it reports (ru_maxrss minus the resident size before the model was made) is that case's.
Not a test."""
import json, os, resource, sys, time

import torch


def peak_rss_bytes():
    # ru_maxrss is KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def run(case, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    base = rss_bytes()
    B, T, V, H, cell, steps = case["B"], case["T"], case["V"], case["H"], case["cell"], case["steps"]
    rnn = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(V, H)
    head = torch.nn.Linear(H, V)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, V, (T + 1, B), generator=g)
    x = torch.nn.functional.one_hot(ids[:-1], V).float()  # [T, B, V], time-major like ours
    y = ids[1:].reshape(-1)

    def step():
        opt.zero_grad()
        out, _ = rnn(x)
        loss = torch.nn.functional.cross_entropy(head(out).reshape(-1, V), y)
        loss.backward()
        opt.step()
        return loss.item()  # a read-back, like ours

    t0 = time.perf_counter()
    step()
    first = (time.perf_counter() - t0) * 1000
    times, cpu = [], []
    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    return {"cell": cell, "B": B, "T": T, "H": H, "V": V, "threads": threads, "ms": times[len(times) // 2], "cpu_ms": cpu[len(cpu) // 2],
            "first_ms": first, "peak_bytes": max(0, peak_rss_bytes() - base), "torch": torch.__version__}


def main():
    case = json.loads(sys.argv[1])
    threads = case.get("threads") or os.cpu_count() or 1
    print(json.dumps(run(case, threads)), flush=True)


if __name__ == "__main__":
    main()
