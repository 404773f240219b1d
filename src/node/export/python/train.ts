/**
 * The fixed part of an exported project's train.py (../pytorch.ts writes the SETTINGS block above
 * it). Python source in a String.raw template: no backquotes and no dollar-brace in it.
 */
export const TRAIN_PY = String.raw`
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import build_model, read_state_dict, write_state_dict  # noqa: E402


class Mulberry32:
    """Sequence Lab's random numbers (src/core/rng.ts), bit for bit, so that the batches come in
    the same order: mulberry32 on unsigned 32-bit integers."""

    def __init__(self, seed):
        self.s = (int(seed) % 2**32) ^ 0x9E3779B9

    def next(self):
        """Uniform in [0, 1)."""
        M = 0xFFFFFFFF
        self.s = (self.s + 0x6D2B79F5) & M
        t = self.s
        t = ((t ^ (t >> 15)) * (t | 1)) & M
        t = (t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & M)) & M)) & M
        return ((t ^ (t >> 14)) & M) / 4294967296

    def shuffled(self, n):
        """Fisher-Yates over 0..n-1, drawing j = floor(next() * (i + 1)) for i = n-1 down to 1."""
        xs = list(range(n))
        for i in range(n - 1, 0, -1):
            j = math.floor(self.next() * (i + 1))
            xs[i], xs[j] = xs[j], xs[i]
        return xs


class Batches:
    """Sequence Lab's batch order: the training examples reshuffled at every epoch by the trainer's
    generator (seed training.seed + 7919), taken batch_size at a time across epoch boundaries."""

    def __init__(self, n, batch_size, seed):
        self.n, self.batch_size = n, batch_size
        self.rng = Mulberry32(seed)
        self.order, self.cursor = [], 0

    def next(self):
        out = []
        for _ in range(self.batch_size):
            if self.cursor >= len(self.order):
                self.order, self.cursor = self.rng.shuffled(self.n), 0
            out.append(self.order[self.cursor])
            self.cursor += 1
        return out


def as_tensors(examples, data):
    """Examples as data.json holds them -> x (ids [N, T] or features [N, T, F]), y (class ids
    [N, T] or values [N, T, O]), for encoder-decoder the decoder's input <start>, y_1, ..., and
    each example's lengths; shorter examples are padded at the end (what padding holds does not
    matter: the recurrence never reads it, the loss never counts it)."""
    if not examples:
        return None
    tokens = data["input"]["kind"] == "tokens"
    classes = data["output"]["kind"] == "classes"
    Tin = max(len(e["x"]) for e in examples)
    Tout = max(len(e["y"]) for e in examples)

    def pad(seq, T, fill):
        return seq + [fill] * (T - len(seq))

    if tokens:
        x = torch.tensor([pad([s[0] for s in e["x"]], Tin, 0) for e in examples], dtype=torch.long)
    else:
        F = len(examples[0]["x"][0])
        x = torch.tensor([pad(e["x"], Tin, [0.0] * F) for e in examples], dtype=torch.float32)
    if classes:
        y = torch.tensor([pad([s[0] for s in e["y"]], Tout, 0) for e in examples], dtype=torch.long)
    else:
        O = len(examples[0]["y"][0])
        y = torch.tensor([pad(e["y"], Tout, [0.0] * O) for e in examples], dtype=torch.float32)
    dec = None
    if data["structure"] == "encoder-decoder":
        start = data.get("startToken", 0)
        dec = torch.tensor([pad([start] + [s[0] for s in e["y"][:-1]], Tout, 0) for e in examples], dtype=torch.long)
    xlen = torch.tensor([len(e["x"]) for e in examples], dtype=torch.long)
    ylen = torch.tensor([len(e["y"]) for e in examples], dtype=torch.long)
    return {"x": x, "y": y, "dec": dec, "xlen": xlen, "ylen": ylen}


def batch_of(data_set, index, structure):
    """The examples index as Sequence Lab batches them: padded to the batch's longest; lengths
    (PyTorch's packed sequences) only when they differ; mask [B, T_out] of the targets that count."""
    xl, yl = data_set["xlen"][index], data_set["ylen"][index]
    Tin, Tout = int(xl.max()), int(yl.max())
    varies_in, varies_out = bool((xl != Tin).any()), bool((yl != Tout).any())
    b = {"x": data_set["x"][index][:, :Tin], "y": data_set["y"][index][:, :Tout],
         "dec": None if data_set["dec"] is None else data_set["dec"][index][:, :Tout]}
    # the stack that reads x runs over the input lengths (one-to-many: over the target lengths)
    b["lengths"] = (yl if varies_out else None) if structure == "one-to-many" else (xl if varies_in else None)
    b["target_lengths"] = yl if structure == "encoder-decoder" and varies_out else None
    b["mask"] = (torch.arange(Tout, device=yl.device).view(1, Tout) < yl.view(-1, 1)) if varies_out else None
    b["rows"] = int(yl.sum())
    return b


def local_rows(b, rank, world, device):
    """This process's share of a global batch: every world-th example from rank."""
    return {k: (v[rank::world].to(device) if isinstance(v, torch.Tensor) else v) for k, v in b.items() if k != "rows"}


def make_optimizer(params, t):
    """The optimizer the definition names, as torch.optim (Sequence Lab's follow torch.optim 1.13,
    src/core/optim.ts): weightDecay is PyTorch's weight_decay (L2; decoupled for adamw)."""
    lr, wd = t["learningRate"], t["weightDecay"]
    if t["optimizer"] == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if t["optimizer"] == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=t["momentum"], nesterov=t["nesterov"], weight_decay=wd)
    if t["optimizer"] == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=t["rho"], eps=t["epsilon"], weight_decay=wd,
                                   momentum=t["momentum"], centered=t["centered"])
    adam = torch.optim.AdamW if t["optimizer"] == "adamw" else torch.optim.Adam
    return adam(params, lr=lr, betas=(t["beta1"], t["beta2"]), eps=t["epsilon"], weight_decay=wd)


class Schedule:
    """The learning rate of each optimizer step, as Sequence Lab's schedules (src/core/schedule.ts)
    define PyTorch 1.13's lr_scheduler, for base rate lr0 and k steps already done:

      none         lr0
      step         lr0 * gamma^floor(k / stepSize)                                 StepLR
      exponential  lr0 * gamma^k                                                   ExponentialLR
      cosine       k < W: lr0 * (s + (1 - s) k / W)                                LinearLR warm-up
                   then minLr + (lr0 - minLr) (1 + cos(pi (k - W) / (K - W))) / 2  CosineAnnealingLR
      plateau      ReduceLROnPlateau(mode min, threshold_mode rel) on each validation loss
    """

    def __init__(self, base, spec, total):
        self.base, self.spec, self.total = base, spec, total
        self.lr, self.best, self.bad, self.cooldown = base, math.inf, 0, 0

    def rate(self, done):
        s, lr0 = self.spec, self.base
        if s["type"] == "step":
            return lr0 * math.pow(s["gamma"], math.floor(done / s["stepSize"]))
        if s["type"] == "exponential":
            return lr0 * math.pow(s["gamma"], done)
        if s["type"] == "cosine":
            W = s["warmupSteps"]
            if done < W:
                return lr0 * (s["warmupStartFactor"] + ((1 - s["warmupStartFactor"]) * done) / W)
            span = max(1, self.total - W)
            return s["minLr"] + ((lr0 - s["minLr"]) * (1 + math.cos((math.pi * (done - W)) / span))) / 2
        if s["type"] == "plateau":
            return self.lr
        return lr0

    def observe(self, loss):
        """A validation loss: reduce-on-plateau cuts the rate after patience bad validations."""
        s = self.spec
        if s["type"] != "plateau":
            return
        if loss < self.best * (1 - s["threshold"]):
            self.best, self.bad = loss, 0
        else:
            self.bad += 1
        if self.cooldown > 0:
            self.cooldown -= 1
            self.bad = 0
        if self.bad > s["patience"]:
            cut = max(self.lr * s["factor"], s["minLr"])
            if self.lr - cut > 1e-8:
                self.lr = cut
            self.cooldown, self.bad = s["cooldown"], 0


def load_optimizer_state(optimizer, model, saved, device):
    """Sequence Lab's optimizer state (slots by torch.optim's names, "param/slot") into torch.optim."""
    params = model.state_dict(keep_vars=True)  # Sequence Lab's names -> the parameters
    for key, t in saved["slots"].items():
        name, slot = key.rsplit("/", 1)
        optimizer.state[params[name]][slot] = torch.tensor(t["data"], dtype=torch.float32).view(*t["shape"]).to(device)
    for name, param in params.items():
        state = optimizer.state[param]
        if saved["optimizer"] in ("adam", "adamw"):
            state["step"] = torch.tensor(float(saved["step"]))
        elif saved["optimizer"] == "rmsprop":
            state["step"] = saved["step"]


def evaluate(model, data_set, structure):
    """Loss (and accuracy) over a whole set as Sequence Lab evaluates: examples grouped by their
    lengths (in order of first appearance), batches of up to 256, each weighted by its target rows."""
    n = data_set["y"].shape[0]
    size = max(1, min(256, n))
    groups = {}
    for i, key in enumerate(zip(data_set["xlen"].tolist(), data_set["ylen"].tolist())):
        groups.setdefault(key, []).append(i)
    loss = acc = 0.0
    total = 0
    with torch.no_grad():
        for members in groups.values():
            for i in range(0, len(members), size):
                b = batch_of(data_set, members[i:i + size], structure)
                logits, _ = model(b["x"], decoder_input=b["dec"], out_steps=b["y"].shape[1],
                                  lengths=b["lengths"], target_lengths=b["target_lengths"])
                a = model.accuracy(logits, b["y"], b["mask"])
                loss += float(model.loss(logits, b["y"], b["mask"])) * b["rows"]
                acc += (float(a) if a is not None else float("nan")) * b["rows"]
                total += b["rows"]
    return loss / total, (None if math.isnan(acc) else acc / total)


def free_running(model, examples, data, device):
    """An encoder-decoder writing on its own, as Sequence Lab validates it (src/core/decode.ts,
    seqMetrics.ts): greedy decoding in batches of up to 256 examples in order, each step one forward
    pass over the source and the tokens written so far, argmax of the last step's logits; a source
    stops at </s> or at its length limit (decoderMaxLength; with an end symbol min(200, 2 S + 10);
    without one, its target's length). Returns (exact match, token accuracy):

      exact match    = #{ i : hyp_i = ref_i } / N                  (and </s> written when expected)
      token accuracy = sum_i #{ t : hyp_i'[t] = ref_i'[t] } / sum_i |ref_i'|,  s' = s then </s>"""
    end = data.get("endToken")
    has_end = end is not None
    start = data.get("startToken", 0)
    fixed = SETTINGS.get("decoderMaxLength")
    exact = hit = total = 0
    with torch.no_grad():
        for i in range(0, len(examples), 256):
            group = examples[i:i + 256]
            refs = [[s[0] for s in e["y"]] for e in group]
            refs = [r[:-1] if has_end and r and r[-1] == end else r for r in refs]
            limits = [fixed if fixed is not None else (min(200, 2 * len(e["x"]) + 10) if has_end else len(refs[b]))
                      for b, e in enumerate(group)]
            tensors = as_tensors(group, data)
            x, xl = tensors["x"].to(device), tensors["xlen"].to(device)
            lengths = xl if bool((xl != int(xl.max())).any()) else None
            written = [[] for _ in group]
            hyps = [[] for _ in group]
            finished = [False] * len(group)
            done = [False] * len(group)
            for t in range(max(limits)):
                if all(done):
                    break
                dec = torch.tensor([[start] + w for w in written], dtype=torch.long, device=device)
                logits, _ = model(x, decoder_input=dec, out_steps=t + 1, lengths=lengths)
                for b, v in enumerate(logits[:, -1].argmax(dim=-1).tolist()):
                    written[b].append(v)
                    if done[b]:
                        continue
                    if has_end and v == end:
                        finished[b] = done[b] = True
                    else:
                        hyps[b].append(v)
                    if len(hyps[b]) >= limits[b]:
                        done[b] = True
            for b, ref in enumerate(refs):
                ok = not has_end or finished[b]
                exact += int(ok and hyps[b] == ref)
                r = ref + [-1] if has_end else ref
                h = hyps[b] + [-1] if has_end and finished[b] else hyps[b]
                total += len(r)
                hit += sum(1 for k in range(len(r)) if k < len(h) and h[k] == r[k])
    return exact / len(examples), (hit / total if total else float("nan"))


def to_precision(x, digits):
    """JavaScript's x.toPrecision(digits), as Sequence Lab's messages print numbers."""
    mantissa, exponent = ("%.*e" % (digits - 1, x)).split("e")
    e = int(exponent)
    if e < -6 or e >= digits:
        return "%se%s%d" % (mantissa, "+" if e >= 0 else "-", abs(e))
    return "%.*f" % (max(0, digits - 1 - e), x)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, help="optimizer steps (default %d)" % SETTINGS["training"]["steps"])
    p.add_argument("--json", action="store_true", help="one JSON object a line, as seqlab train --json prints")
    p.add_argument("--device", default="cpu", help="cpu or cuda (torchrun: each process takes cuda:LOCAL_RANK)")
    p.add_argument("--out", help="folder for checkpoints: weights.json, which seqlab import reads")
    p.add_argument("--weights", default=os.path.join(HERE, "initial_weights.json"), help="weights to start from")
    p.add_argument("--data", default=os.path.join(HERE, "data.json"), help="the examples")
    p.add_argument("--fresh", action="store_true", help="ignore resume.json: start at step 0 from --weights")
    args = p.parse_args()
    t = SETTINGS["training"]
    total = args.steps if args.steps is not None else t["steps"]
    if total < 1:
        p.error("--steps must be a positive integer")
    if args.device not in ("cpu", "cuda") and not args.device.startswith("cuda:"):
        p.error("--device must be cpu or cuda")
    if args.device != "cpu" and not torch.cuda.is_available():
        p.error("--device %s: this PyTorch sees no CUDA device" % args.device)

    # Data parallel when torchrun started us: every process takes its share of each global batch.
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    device = torch.device(args.device)
    if world > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(device)
    if device.type == "cuda":
        # Sequence Lab computes in float32: no TF32 shortcuts in matmuls or cuDNN
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    with open(args.data, encoding="utf-8") as f:
        data = json.load(f)
    train_set = as_tensors(data["train"], data)
    eval_set = as_tensors(data["valid"], data) or train_set
    test_set = as_tensors(data.get("test") or [], data)  # held out: evaluated once, at the end
    B = min(t["batchSize"], len(data["train"]))
    if B < world:
        p.error("the batch (%d examples) cannot be shared by %d processes" % (B, world))

    model = build_model()
    model.load_state_dict(read_state_dict(args.weights), strict=True)
    model.to(device)
    eval_set = {k: (v.to(device) if v is not None else None) for k, v in eval_set.items()}
    if test_set:
        test_set = {k: (v.to(device) if v is not None else None) for k, v in test_set.items()}
    structure = data["structure"]
    net = model
    if world > 1:
        # a learned initial state only takes part in the first window of a truncated-BPTT batch
        unused = bool(t["tbptt"]) and any(getattr(m, "learned", False) for m in model.modules())
        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None,
                                      find_unused_parameters=unused)
    params = list(model.parameters())
    optimizer = make_optimizer(params, t)
    batches = Batches(len(data["train"]), B, t["seed"] + 7919)
    schedule = Schedule(t["learningRate"], t["schedule"], total)

    def emit(obj):
        if rank == 0:
            if args.json:
                print(json.dumps(obj, separators=(",", ":")), flush=True)
            elif "step" in obj and "loss" in obj:
                print("  ".join("%s %s" % (k, ("%.4f" % v) if isinstance(v, float) else v) for k, v in obj.items()), flush=True)
            else:
                print(" ".join("%s=%s" % kv for kv in obj.items()), flush=True)

    def checkpoint():
        if rank == 0 and args.out:
            os.makedirs(args.out, exist_ok=True)
            write_state_dict(model, os.path.join(args.out, "weights.json"), SETTINGS["name"])

    parameters = sum(p.numel() for p in params)
    emit({"event": "start", "backend": "torch-" + device.type, "steps": total, "parameters": parameters,
          "processes": world, "task": SETTINGS["about"]})
    started = time.time()
    T = train_set["x"].shape[1]
    window = t["tbptt"]  # truncated BPTT: None, or the window length
    walk = None  # the batch being walked window by window: (index, offset, carried state)
    log_every, eval_every = t["logEvery"], t["evalEvery"]
    stopping = t["earlyStopping"]  # None, or {"patience", "minDelta"} on the validation loss
    best, since_best, best_weights = None, 0, None
    step = 0
    last = None
    resume_file = os.path.join(HERE, "resume.json")
    if os.path.exists(resume_file) and not args.fresh:
        # a stopped Sequence Lab run: continue it where its checkpoint was, as seqlab train --resume
        with open(resume_file, encoding="utf-8") as f:
            r = json.load(f)
        step = r["step"]
        progress = r["progress"]
        batches.rng.s, batches.order, batches.cursor = progress["rng"], progress["order"], progress["cursor"]
        if progress.get("schedule"):
            sc = progress["schedule"]
            schedule.lr, schedule.bad, schedule.cooldown = sc["lr"], sc["badEpochs"], sc["cooldownLeft"]
            schedule.best = math.inf if sc["best"] is None else sc["best"]
        if progress.get("tbptt"):
            tb = progress["tbptt"]
            mine = list(range(rank, len(tb["batch"]), world))
            carried = None
            if tb.get("state") is not None:
                as_tensor = lambda t: torch.tensor(t["data"], dtype=torch.float32).view(*t["shape"])[mine].to(device)
                carried = [(as_tensor(s["h"]), as_tensor(s["c"]) if "c" in s else None) for s in tb["state"]]
            walk = (tb["batch"], tb["offset"], carried)
        if r["session"].get("best"):
            best, since_best = (r["session"]["best"]["step"], r["session"]["best"]["validLoss"]), r["session"]["sinceBest"]
        load_optimizer_state(optimizer, model, r["optimizer"], device)
        emit({"event": "resume", "step": step})
    while step < total:
        # a metric row every logEvery steps and at every validation (every evalEvery steps, and the last)
        target = min((step // log_every + 1) * log_every, (step // eval_every + 1) * eval_every, total)
        todo = target - step
        for i in range(todo):
            step += 1
            init = None
            if window:
                if walk is None or walk[1] >= T:
                    walk = (batches.next(), 0, None)
                index, offset, init = walk
                span = slice(offset, offset + window)
            else:
                index, span = batches.next(), slice(None)
            whole = batch_of(train_set, index, structure)
            b = local_rows(whole, rank, world, device)  # this process's share of the global batch
            mine_rows = int(b["mask"].sum()) if b["mask"] is not None else b["y"].shape[0] * b["y"].shape[1]
            share = mine_rows / whole["rows"]
            x = b["x"][:, span]
            y = b["y"][:, span] if window else b["y"]
            # Sequence Lab's random draws (dropout masks: tf.dropout seeded step * 31 + layer; random
            # initial states) are made for the global batch; this process takes its rows of them
            shard = {"batch": len(index), "rows": list(range(rank, len(index), world))} if world > 1 else None
            logits, finals = net(x, decoder_input=b["dec"], out_steps=y.shape[1], init=init, dropout_seed=step * 31, shard=shard,
                                 lengths=b["lengths"], target_lengths=b["target_lengths"])
            loss = model.loss(logits, y, b["mask"])
            lr = schedule.rate(step - 1)  # the rate of this step
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.zero_grad(set_to_none=False)
            # DDP averages the processes' gradients; weighting each by its share of the batch makes
            # that average the gradient of the mean over the whole global batch.
            (loss * share * world).backward()
            grads = [q.grad for q in params]
            norm = torch.sqrt(sum((g * g).sum() for g in grads))  # global L2 norm before clipping
            if t["clip"]["type"] == "norm":
                torch.nn.utils.clip_grad_norm_(params, t["clip"]["threshold"])
            elif t["clip"]["type"] == "value":
                torch.nn.utils.clip_grad_value_(params, t["clip"]["threshold"])
            optimizer.step()
            if window:
                carried = [(h.detach(), c.detach() if c is not None else None) for h, c in finals]
                walk = (index, offset + window, carried)
            if i == todo - 1:
                a = model.accuracy(logits, y, b["mask"])
                figures = torch.stack([loss.detach() * share, norm.detach(), (a.detach() if a is not None else loss.detach() * 0) * share])
                if world > 1:
                    figures[1] /= world  # every process holds the same (averaged) gradient
                    dist.all_reduce(figures)
                last = {"loss": float(figures[0]), "gradNorm": float(figures[1]), "learningRate": lr,
                        "accuracy": float(figures[2]) if a is not None else None}
            elif not math.isfinite(float(norm)) or (world == 1 and not math.isfinite(float(loss))):
                last = {"loss": float(loss), "gradNorm": float(norm), "learningRate": lr, "accuracy": None}
                break
        if not (math.isfinite(last["loss"]) and math.isfinite(last["gradNorm"])):
            emit({"event": "end", "status": "failed", "step": step,
                  "message": "Training diverged at step %d: loss %s, gradient norm %s." % (step, last["loss"], last["gradNorm"])})
            return 1
        row = {"step": step, "loss": last["loss"], "elapsedMs": int((time.time() - started) * 1000), "gradNorm": last["gradNorm"],
               "learningRate": last["learningRate"]}
        if SETTINGS["perplexity"]:
            row["perplexity"] = math.exp(row["loss"])
        if last["accuracy"] is not None:
            row["accuracy"] = last["accuracy"]
        stopped = None
        if step % eval_every == 0 or step >= total:
            valid_loss, valid_acc = evaluate(model, eval_set, structure)
            row["validLoss"] = valid_loss
            if valid_acc is not None:
                row["validAccuracy"] = valid_acc
            if SETTINGS["perplexity"]:
                row["validPerplexity"] = math.exp(valid_loss)
            if structure == "encoder-decoder" and data["output"]["kind"] == "classes":
                # the loss and accuracy above are teacher-forced; these are the model writing on its own
                row["validExactMatch"], row["validTokenAccuracy"] = free_running(model, data["valid"] or data["train"], data, device)
            schedule.observe(valid_loss)  # reduce-on-plateau reads it
            # early stopping: a loss below best - minDelta is a new best; patience validations in a
            # row without one end the run with the best weights
            min_delta = stopping["minDelta"] if stopping else 0
            if math.isfinite(valid_loss) and (best is None or valid_loss < best[1] - min_delta):
                best, since_best = (step, valid_loss), 0
                if stopping:
                    best_weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                since_best += 1
                if stopping and since_best >= stopping["patience"] and best is not None:
                    model.load_state_dict(best_weights)
                    stopped = ("Stopped early at step %d: the validation loss did not improve by more than %s for %d validation%s. "
                               "Kept the weights of step %d (validation loss %s)."
                               % (step, min_delta, stopping["patience"], "" if stopping["patience"] == 1 else "s", best[0], to_precision(best[1], 4)))
            if not stopped:
                checkpoint()
        emit(row)
        if stopped:
            break
    checkpoint()
    end = {"event": "end", "status": "completed", "step": step, "steps": total, "lastLoss": last["loss"]}
    if best is not None:
        end["bestStep"], end["bestValidLoss"] = best
    if stopped:
        end["message"] = stopped
    if test_set:
        end["testLoss"], test_acc = evaluate(model, test_set, structure)
        if test_acc is not None:
            end["testAccuracy"] = test_acc
    emit(end)
    if world > 1:
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
