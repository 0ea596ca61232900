#!/usr/bin/env python3
"""The fsgen model family on a GPU: minutes where `./fsgen family` takes hours on 2 cores.

Same recipe as `./fsgen train` (TrainCommand, Trainer, AdamW, Initializer): sizes, steps, peak
learning rates, warm-up then cosine decay to a tenth, AdamW (0.9, 0.95) with decay on matrices
only, global-norm clipping at 1, batches of 16 x 256 tokens drawn by token-weighted domain, the
general mixture at 25% short arithmetic, Bible-tuned variants continued from the general ones, and
a System 1 distilled from System 2. The model is transformers' LlamaForCausalLM, whose weights
are the Hugging Face layout fsgen loads; each model directory is written complete (config,
weights, tokenizer, generation defaults, training.json with the wall time).

Two steps, so that the GPU machine needs neither Java nor the text:
  pack   (where fsgen runs)  the data's token caches -> one compressed file of token ids
  train  (on the GPU)        that file -> one model directory per size

Needs torch, transformers, safetensors and numpy.
"""
import argparse
import json
import math
import os
import shutil
import sys
import time

import numpy as np

# hidden, intermediate, layers, heads, kv heads: ModelFamily
SIZES = {
    "xs": (32, 128, 2, 2, 1),
    "s": (64, 256, 2, 2, 1),
    "m": (128, 384, 3, 4, 2),
    "l": (256, 768, 4, 4, 2),
    "xl": (384, 1024, 6, 6, 2),
}
CONTEXT = 1024
# TrainCommand.defaultSteps / defaultLr
STEPS = {"xs": 1500, "s": 2000, "m": 2500, "l": 3000, "xl": 4000}
TUNE_STEPS = {"xs": 300, "s": 300, "m": 300, "l": 250, "xl": 250}
LR = {"xs": 3e-3, "s": 3e-3, "m": 2e-3, "l": 1.5e-3, "xl": 1e-3}
ARITH = "arith"
BIBLE = "kjv"


def pack(args):
    """Token caches (little-endian int32 with a count header) -> uint16 arrays in one .npz."""
    if not os.path.isfile(os.path.join(args.data, "manifest.json")):
        sys.exit(f"pack: {args.data} holds no prepared data (manifest.json); run ./fsgen data first")
    tokens = os.path.join(args.data, "tokens")
    caches = [args.cache] if args.cache else \
        [os.path.join(tokens, d) for d in sorted(os.listdir(tokens))] if os.path.isdir(tokens) else []
    if len(caches) != 1:
        sys.exit(f"pack: expected one token cache under {tokens}, found {len(caches)} (name one with --cache); "
                 f"fsgen writes it on first use of the data (e.g. ./fsgen train --size xs --steps 1 --data {args.data} --out /tmp/x)")
    manifest = json.load(open(os.path.join(args.data, "manifest.json")))
    arrays = {}
    for name in sorted(os.listdir(caches[0])):
        if not name.endswith(".bin"):
            continue
        raw = np.fromfile(os.path.join(caches[0], name), dtype="<i4")
        count, ids = int(raw[0]), raw[1:]
        if count != len(ids):
            sys.exit(f"pack: {name} announces {count} tokens and holds {len(ids)}")
        if ids.max(initial=0) >= 1 << 16:
            sys.exit(f"pack: {name} has a token id above 65535")
        arrays[name[:-4]] = ids.astype(np.uint16)
    arrays["__domains__"] = np.array(domain_order(manifest, arrays))
    arrays["__mixture__"] = np.array(manifest.get("mixture", "bundled"))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    print(f"pack: {len(arrays) - 2} splits, {sum(a.size for k, a in arrays.items() if not k.startswith('__')):,} tokens -> {args.out}")


def domain_order(manifest, arrays):
    """The data's domains in fsgen's order (DataLayout.domains): validation losses are reported in it."""
    present = sorted({k.rsplit("-", 1)[0] for k in arrays})
    order = [n for n in manifest if n in present]  # the manifest names each domain in the data's order
    return order + [n for n in present if n not in order]


def lr_at(step, steps, peak, warmup):
    """TrainConfig.lrAt: linear warm-up, then cosine to a tenth of the peak."""
    low = peak / 10
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return low + 0.5 * (peak - low) * (1 + math.cos(math.pi * min(1.0, progress)))


class Corpora:
    """Every split's tokens on the device, drawn as FSGEN's TokenCorpus draws them."""

    def __init__(self, npz, torch, device):
        self.torch = torch
        self.device = device
        self.domains = [str(d) for d in npz["__domains__"]]
        self.broad = str(npz["__mixture__"]) == "broad"
        self.split = {k: torch.from_numpy(npz[k].astype(np.int64)).to(device) for k in npz.files if not k.startswith("__")}

    def mixture(self, general, arith_weight=0.25):
        """(names, weights) as GeneralMixture: the broad mixture weights its text by tokens, the bundled one is Brown; the Bible alone for tuning."""
        if not general:
            return [f"{BIBLE}-train"], [1.0]
        text = [d for d in self.domains if d != ARITH] if self.broad else ["brown"]
        total = sum(self.split[f"{d}-train"].numel() for d in text)
        names = [f"{d}-train" for d in text] + [f"{ARITH}-train"]
        weights = [(1 - arith_weight) * self.split[f"{d}-train"].numel() / total for d in text] + [arith_weight]
        return names, weights

    def batch(self, names, weights, rows, seq, gen):
        """inputs, targets [rows, seq]: each row a random window of a corpus picked by weight."""
        t = self.torch
        which = t.multinomial(t.tensor(weights, device=self.device), rows, replacement=True, generator=gen)
        x = t.empty(rows, seq + 1, dtype=t.long, device=self.device)
        for i, name in enumerate(names):
            pick = (which == i).nonzero().flatten()
            if pick.numel() == 0:
                continue
            data = self.split[name]
            span = min(seq, data.numel() - 1)
            room = max(1, data.numel() - 1 - span)
            off = t.randint(0, room, (pick.numel(),), device=self.device, generator=gen)
            idx = off[:, None] + t.arange(seq + 1, device=self.device).clamp(max=span)[None, :]  # [n, seq+1]
            x[pick] = data[idx]
        return x[:, :-1], x[:, 1:]

    def windows(self, domain, seq, limit=32):
        """Validation windows [n, seq+1], consecutive from the start (TokenCorpus.window)."""
        data = self.split[f"{domain}-val"]
        span = min(seq, data.numel() - 1)
        n = max(1, min(limit, (data.numel() - 1) // seq))
        idx = (self.torch.arange(n, device=self.device) * span)[:, None] + self.torch.arange(seq + 1, device=self.device).clamp(max=span)[None, :]
        return data[idx]


def build(size, torch, transformers, vocab, eos):
    h, inter, layers, heads, kv = SIZES[size]
    config = transformers.LlamaConfig(
        vocab_size=vocab, hidden_size=h, intermediate_size=inter, num_hidden_layers=layers, num_attention_heads=heads,
        num_key_value_heads=kv, head_dim=h // heads, max_position_embeddings=CONTEXT, rms_norm_eps=1e-5,
        rope_theta=10000.0, hidden_act="silu", tie_word_embeddings=True, attention_bias=False, mlp_bias=False,
        bos_token_id=eos, eos_token_id=eos, pad_token_id=eos)
    return transformers.LlamaForCausalLM(config)


# exact weights of the models trained in this run: what tuning and distillation continue from,
# rather than the rounded copies written to disk
FP32 = {}


def load(directory, size, torch, transformers, vocab, eos):
    """A trained model: this run's exact weights where it has them, else the directory's."""
    model = build(size, torch, transformers, vocab, eos)
    state = FP32.get(os.path.abspath(directory))
    exact = exact_path(directory)
    if state is None and os.path.exists(exact):
        from safetensors.torch import load_file
        state = load_file(exact)
    if state is None:
        from safetensors.torch import load_file
        state = {k: v.float() for k, v in load_file(os.path.join(directory, "model.safetensors")).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or [k for k in missing if k != "lm_head.weight"]:
        raise RuntimeError(f"{directory}: missing {missing}, unexpected {unexpected}")
    model.tie_weights()
    return model


def exact_path(directory):
    """Where a model's float32 weights wait for the models that continue from it: beside the family, not in it."""
    directory = os.path.abspath(directory)
    family = os.path.dirname(directory)
    if os.path.basename(family) == "distil":
        family = os.path.dirname(family)
    return os.path.join(family, ".exact", os.path.relpath(directory, family).replace(os.sep, "_") + ".safetensors")


def initialise(model, torch, seed, layers):
    """Initializer: normal(0, 0.02), residual outputs 0.02/sqrt(2 layers), norms 1."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.fill_(1.0)
            else:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(("o_proj.weight", "down_proj.weight")) else 0.02
                p.copy_(torch.randn(p.shape, generator=gen) * std)


def loss_of(model, torch, x, y, teacher=None, weight=0.0):
    """Mean next-token loss; with a teacher, mixed with the cross-entropy against its distributions (Teacher.softLoss)."""
    logits = model(input_ids=x).logits.float()  # [b, t, vocab]
    logp = torch.log_softmax(logits, -1)
    loss = -logp.gather(-1, y[..., None]).mean()
    if teacher is not None:
        with torch.no_grad():
            soft = torch.softmax(teacher(input_ids=x).logits.float(), -1)  # [b, t, vocab]
        loss = (1 - weight) * loss + weight * -(soft * logp).sum(-1).mean()
    return loss


def evaluate(model, torch, corpora, seq, rows):
    """Mean loss in nats per token per domain over up to 32 windows (Evaluation.meanLoss)."""
    model.eval()
    out = {}
    with torch.no_grad():
        for d in corpora.domains:
            w = corpora.windows(d, seq)
            total = 0.0
            for i in range(0, w.shape[0], rows):
                chunk = w[i:i + rows]
                logp = torch.log_softmax(model(input_ids=chunk[:, :-1]).logits.float(), -1)
                total += float(-logp.gather(-1, chunk[:, 1:, None]).sum())
            out[d] = total / (w.shape[0] * seq)
    model.train()
    return out


def train_one(job, args, torch, transformers, corpora, vocab, eos, device, log):
    size, general = job["size"], job["general"]
    steps = max(1, round((STEPS[size] if general else TUNE_STEPS[size]) * args.step_scale)) if job.get("steps") is None \
        else max(1, round(job["steps"] * args.step_scale))
    peak = job.get("lr") or (LR[size] if general else LR[size] / 3)
    seed = job.get("seed", 1234)
    warmup = max(1, min(200, steps // 10))
    cfg = dict(steps=steps, batch=args.batch, seqLen=args.seq_len, lr=peak, minLr=peak / 10, warmupSteps=warmup,
               weightDecay=0.1, clipNorm=1.0, evalEvery=max(50, steps // 10), evalWindows=32,
               checkpointEvery=max(50, steps // 20), seed=seed)
    torch.manual_seed(seed)
    if job.get("init"):
        model = load(job["init"], size, torch, transformers, vocab, eos)
    else:
        model = build(size, torch, transformers, vocab, eos)
        initialise(model, torch, seed, SIZES[size][2])
    model.to(device).train()
    teacher = None
    if job.get("teacher"):
        teacher_size = json.load(open(os.path.join(job["teacher"], "training.json")))["size"]
        teacher = load(job["teacher"], teacher_size, torch, transformers, vocab, eos).to(device).eval()
    params = list(model.parameters())
    decay = [p for p in params if p.dim() >= 2]
    flat = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": flat, "weight_decay": 0.0}],
                            lr=peak, betas=(0.9, 0.95), eps=1e-8, fused=device.type == "cuda")
    names, weights = corpora.mixture(general)
    gen = torch.Generator(device=device).manual_seed(seed)
    history, skipped, smooth, last = [], 0, float("nan"), float("nan")
    start = time.time()
    for step in range(steps):
        x, y = corpora.batch(names, weights, args.batch, args.seq_len, gen)
        loss = loss_of(model, torch, x, y, teacher, job.get("distil_weight", 0.0))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = float(torch.nn.utils.clip_grad_norm_(params, 1.0))
        last = float(loss.detach())
        if math.isfinite(norm) and math.isfinite(last):
            for g in opt.param_groups:
                g["lr"] = lr_at(step, steps, peak, warmup)
            opt.step()
        else:
            skipped += 1  # a non-finite gradient would poison the moments for good: drop this update only
            log(f"{job['name']}: step {step + 1}: non-finite gradient (loss {last}), update skipped")
        smooth = last if math.isnan(smooth) else 0.95 * smooth + 0.05 * last
        if (step + 1) % cfg["evalEvery"] == 0 or step + 1 == steps:
            val = evaluate(model, torch, corpora, args.seq_len, args.batch)
            point = {"step": step + 1, "train_loss": smooth, "seconds": time.time() - start}
            point.update({f"val_{k}": v for k, v in val.items()})
            history.append(point)
            log(f"{job['name']}: step {step + 1}/{steps} loss {smooth:.3f} " + " ".join(f"{k} {v:.3f}" for k, v in val.items())
                + f" ({time.time() - start:.0f} s)")
    seconds = time.time() - start
    val = history[-1]
    parameters = sum(p.numel() for p in model.parameters())
    report = {"size": size, "domain": "general" if general else BIBLE, "parameters": parameters, "steps": steps,
              "complete": True, "train_loss": last,
              "validation_loss": {d: val[f"val_{d}"] for d in corpora.domains},
              "tokens_per_second": steps * args.batch * args.seq_len / seconds, "skipped_steps": skipped,
              "seconds": seconds, "train_config": cfg, "history": history,
              "trained_by": {"script": "scripts/train-family-gpu.py", "device": device_name(torch, device),
                             "torch": torch.__version__, "transformers": transformers.__version__}}
    if teacher is not None:
        report["distilled_from"] = {"teacher": job["teacher"], "weight": job["distil_weight"]}
    save(model, torch, job["out"], args, report, vocab, eos)
    exact = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}
    FP32[os.path.abspath(job["out"])] = exact
    os.makedirs(os.path.dirname(exact_path(job["out"])), exist_ok=True)
    from safetensors.torch import save_file
    save_file(exact, exact_path(job["out"]))
    del teacher, model, opt
    return report


def device_name(torch, device):
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"


def save(model, torch, out, args, report, vocab, eos):
    """A Hugging Face layout directory as fsgen writes one (LlamaModel.save), weights in the chosen dtype."""
    from safetensors.torch import save_file
    os.makedirs(out, exist_ok=True)
    dtype = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[args.dtype]
    # tied: the output projection is the embedding, stored once
    state = {k: v.detach().to("cpu", dtype).contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}
    save_file(state, os.path.join(out, "model.safetensors"))
    h, inter, layers, heads, kv = SIZES[report["size"]]
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": vocab, "hidden_size": h,
              "intermediate_size": inter, "num_hidden_layers": layers, "num_attention_heads": heads,
              "num_key_value_heads": kv, "head_dim": h // heads, "max_position_embeddings": CONTEXT,
              "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": None, "hidden_act": "silu",
              "tie_word_embeddings": True, "attention_bias": False, "bos_token_id": eos, "eos_token_id": eos,
              "torch_dtype": args.dtype}
    dump(config, os.path.join(out, "config.json"))
    dump({"bos_token_id": eos, "eos_token_id": eos, "do_sample": False}, os.path.join(out, "generation_config.json"))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(args.tokenizer, name), os.path.join(out, name))
    dump(report, os.path.join(out, "training.json"))


def dump(obj, path):
    with open(path + ".tmp", "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def jobs(args):
    """The family in dependency order: general sizes, Bible-tuned variants, then the distilled System 1."""
    out = []
    for s in args.sizes:
        out.append({"name": s, "size": s, "general": True, "stage": 0, "out": os.path.join(args.out_dir, s)})
    for s in args.tuned:
        out.append({"name": f"{s}-{BIBLE}", "size": s, "general": False, "init": os.path.join(args.out_dir, s),
                    "stage": 1, "out": os.path.join(args.out_dir, f"{s}-{BIBLE}")})
    if args.distil:
        student, teacher = args.distil.split(":")
        # as the bundled distilled System 1 was made: 800 steps at 6e-4 from the general student, 80% teacher
        out.append({"name": f"{student}-from-{teacher}", "size": student, "general": True, "steps": 800, "lr": 6e-4,
                    "seed": 77, "init": os.path.join(args.out_dir, student), "teacher": os.path.join(args.out_dir, teacher),
                    "distil_weight": 0.8, "stage": 1, "out": os.path.join(args.out_dir, "distil", f"{student}-{teacher}")})
    return out


def train(args):
    for path, what in ((args.tokens, "the token file (pack's --out)"), (os.path.join(args.tokenizer, "tokenizer.json"), "tokenizer.json")):
        if not os.path.isfile(path):
            sys.exit(f"train: {path} does not exist; --tokens and --tokenizer name {what}")
    import torch
    import transformers
    device = torch.device(args.device if args.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    tok = json.load(open(os.path.join(args.tokenizer, "tokenizer.json")))
    vocab = 1 + max(list(tok["model"]["vocab"].values()) + [t["id"] for t in tok.get("added_tokens", [])])
    eos = next(t["id"] for t in tok["added_tokens"] if t["content"] == "<|endoftext|>")
    corpora = Corpora(np.load(args.tokens), torch, device)
    started = time.time()

    def log(msg):
        print(f"[{time.time() - started:6.0f} s] {msg}", flush=True)

    log(f"device {device_name(torch, device)}, torch {torch.__version__}, transformers {transformers.__version__}, "
        f"vocab {vocab}, domains {corpora.domains}")
    done = {}
    todo = [j for j in jobs(args) if args.only is None or j["name"] == args.only]
    if args.only is not None and not todo:
        sys.exit(f"train: no job named {args.only}")
    for stage in sorted({j["stage"] for j in todo}):
        pending = []
        for job in (j for j in todo if j["stage"] == stage):
            if os.path.exists(os.path.join(job["out"], "training.json")):
                log(f"{job['name']}: already trained, kept")
            elif time.time() - started > args.budget_seconds:
                log(f"{job['name']}: skipped, the {args.budget_seconds:.0f} s budget is spent")
            else:
                pending.append(job)
        if args.workers > 1 and len(pending) > 1:
            parallel(pending, args, log)  # the models of a stage are independent; one GPU runs several at once
            continue
        for job in pending:
            r = train_one(job, args, torch, transformers, corpora, vocab, eos, device, log)
            log(f"{job['name']}: {r['parameters']:,} parameters, {r['seconds']:.1f} s")
    for job in jobs(args):
        report = os.path.join(job["out"], "training.json")
        if os.path.exists(report):
            r = json.load(open(report))
            done[job["name"]] = {"parameters": r["parameters"], "seconds": r["seconds"],
                                 "validation_loss": r["validation_loss"], "skipped_steps": r["skipped_steps"]}
    if args.only is not None:
        return
    dump({"models": done, "total_seconds": time.time() - started, "workers": args.workers},
         os.path.join(args.out_dir, "family-gpu.json"))


def parallel(pending, args, log):
    """Runs each job in its own process, at most --workers at a time, and fails if any failed."""
    import subprocess
    waiting, running, failed = list(pending), [], []
    base = [sys.executable, os.path.abspath(__file__), "train", "--tokens", args.tokens, "--tokenizer", args.tokenizer,
            "--out-dir", args.out_dir, "--sizes", ",".join(args.sizes), "--tuned", ",".join(args.tuned),
            "--distil", args.distil, "--batch", str(args.batch), "--seq-len", str(args.seq_len),
            "--step-scale", str(args.step_scale), "--dtype", args.dtype, "--device", args.device, "--workers", "1"]
    while waiting or running:
        while waiting and len(running) < args.workers:
            job = waiting.pop(0)
            running.append((job, subprocess.Popen(base + ["--only", job["name"]])))
        time.sleep(0.5)
        for job, proc in list(running):
            if proc.poll() is not None:
                running.remove((job, proc))
                if proc.returncode != 0:
                    failed.append(job["name"])
                log(f"{job['name']}: worker ended ({'ok' if proc.returncode == 0 else 'exit ' + str(proc.returncode)})")
    if failed:
        sys.exit(f"train: {', '.join(failed)} failed")


def table(args):
    """The family's training reports as a Markdown table: what each model cost and reached."""
    rows = []
    for name in ["xs", "s", "m", "l", "xl", "xs-kjv", "s-kjv", "m-kjv", "l-kjv", "xl-kjv"]:
        report = os.path.join(args.family, name, "training.json")
        if os.path.exists(report):
            rows.append((name, json.load(open(report))))
    for extra in args.extra:
        rows.append((os.path.basename(os.path.normpath(extra)), json.load(open(os.path.join(extra, "training.json")))))
    if not rows:
        sys.exit(f"table: no training.json under {args.family}")
    domains = list(rows[0][1]["validation_loss"])
    lines = ["| model | parameters | steps | trained on | wall time | " + " | ".join(domains) + " |",
             "|---|---:|---:|---|---:|" + "---:|" * len(domains)]
    for name, r in rows:
        by = r.get("trained_by", {}).get("device", "fsgen (DJL, CPU)")
        lines.append(f"| {name} | {r['parameters'] / 1e6:.2f} M | {r['steps']} | {by} | {r['seconds']:.1f} s | "
                     + " | ".join(f"{r['validation_loss'][d]:.3f}" for d in domains) + " |")
    text = ("Validation loss in nats per token (the first 32 windows of 256 tokens of each domain's validation split) and "
            "wall time of each model's training, from each model's `training.json`; written by "
            "`scripts/train-family-gpu.py table`.\n\n" + "\n".join(lines) + "\n")
    run = os.path.join(args.family, "family-gpu.json")
    if os.path.exists(run):
        whole = json.load(open(run))
        text += (f"\nThe whole run (`train --workers {whole.get('workers', '?')}`): "
                 f"{whole['total_seconds']:.0f} s wall time; the models of a stage shared the device.\n")
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    print(text, end="")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    pk = sub.add_parser("pack", help="the data's token caches -> one .npz of token ids")
    pk.add_argument("--data", required=True, help="prepared data directory (./fsgen data), after fsgen has tokenised it")
    pk.add_argument("--cache", help="the token cache directory (data/tokens/<fingerprint>) where the data holds several")
    pk.add_argument("--out", required=True)
    tr = sub.add_parser("train", help="train the family from a packed .npz")
    tr.add_argument("--tokens", required=True, help="the .npz from pack")
    tr.add_argument("--tokenizer", required=True, help="directory holding the data's tokenizer.json and tokenizer_config.json")
    tr.add_argument("--out-dir", required=True)
    tr.add_argument("--sizes", type=lambda s: s.split(","), default=list(SIZES))
    tr.add_argument("--tuned", type=lambda s: s.split(",") if s else [], default=["xs", "s", "m", "xl"])
    tr.add_argument("--distil", default="m:xl", help="STUDENT:TEACHER for a distilled System 1, or empty for none")
    tr.add_argument("--batch", type=int, default=16)
    tr.add_argument("--seq-len", type=int, default=256)
    tr.add_argument("--step-scale", type=float, default=1.0, help="multiply every model's steps (a quick trial run)")
    tr.add_argument("--dtype", default="float16", choices=["float32", "float16", "bfloat16"])
    tr.add_argument("--device", default="auto")
    tr.add_argument("--workers", type=int, default=1, help="train up to this many independent models at once, each in its own process")
    tr.add_argument("--only", help=argparse.SUPPRESS)
    tr.add_argument("--budget-seconds", type=float, default=float("inf"), help="start no further model after this long")
    tb = sub.add_parser("table", help="the family's training reports as a Markdown table")
    tb.add_argument("--family", required=True)
    tb.add_argument("--extra", action="append", default=[], help="another model directory to list (e.g. a distilled one)")
    tb.add_argument("--out", help="also write the table here")
    args = p.parse_args()
    {"pack": pack, "train": train, "table": table}[args.command](args)


if __name__ == "__main__":
    main()
