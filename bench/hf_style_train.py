#!/usr/bin/env python3
"""HF-style PyTorch eager training-step baseline (Llama, AdamW, optional LoRA).

The PyTorch counterpart of ``jalign bench train``: the same model shapes, the same
step, the same FLOP count and the same JSON fields. The model is the HF-style eager
Llama of ``hf_style_decode.py`` (imported from it: separate q/k/v/o and gate/up/down
``nn.Linear``, LlamaRMSNorm, rotary embeddings from position_ids, eager attention
with an additive 4-D causal mask, softmax in float32), run without a cache.

One optimizer step, as jalign's CausalLmTrainer does it:
  * a fresh batch of B random sequences of T tokens (attention_mask all ones,
    position_ids 0..T-1), every token after the first a target;
  * logits for positions 0..T-2 (the ones that predict a token; jalign slices the
    hidden states before the head, so the head runs on B*(T-1) rows here too;
    HF computes all T and drops the last, 1/T more head work);
  * loss = sum of -log p(target) / number of targets (cross_entropy, reduction sum);
  * loss.backward(); clip_grad_norm_(1.0); AdamW step (torch defaults lr 1e-3,
    betas (0.9, 0.999), eps 1e-8, weight decay 0.01 on matrices only, none on the
    RMSNorm weights, as jalign's TrainableParameter rule); zero_grad(set_to_none=True).
  * loss.item() is read every step (jalign reads the loss too).

--lora r=8,alpha=16 wraps q_proj and v_proj (or --lora-targets) in a plain LoRA:
y = W x + (alpha/r) * B (A x), A kaiming_uniform(a=sqrt(5)) (PEFT's init), B = 0,
base weights requires_grad=False; only A and B are trained.

FLOPs per step (2 per multiply-add, matrix products only; see bench/README.md):
  P = layers * (C*(H*hd + 2*KV*hd) + H*hd*C + 3*C*I)     (decoder-layer weights)
  N = B*T tokens, N' = B*(T-1) predicted positions, head V*C
  attention = 12 * layers * B * T^2 * H * hd             (fwd 4, bwd 8, full square)
  full fine-tune: 6*N*P + 6*N'*V*C + attention
  LoRA:           4*N*P + 4*N'*V*C + attention + 6*N*sum(r*(in+out)) over adapters

Timing: --warmup untimed steps, then --steps timed ones; best and median reported.
Matmul peak: best of 10 1024^3 torch.mm before and after; the higher is used.
Memory: VmRSS / VmHWM from /proc/self/status.

Usage:  /usr/bin/python3 bench/hf_style_train.py [--lora r=8,alpha=16] ...
Human summary -> stderr; one JSON line -> stdout.
"""

import argparse
import gc
import json
import math
import os
import statistics
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_style_decode import (Config, LlamaForCausalLM, init_weights,  # noqa: E402
                             matmul_params, matmul_peak_gflops)


MIB = 1024.0 * 1024.0


class LoraLinear(nn.Module):
    """A frozen nn.Linear plus (alpha/r) * B(A x): PEFT's lora.Linear without dropout."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.base.weight.requires_grad_(False)
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = alpha / r

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scaling


def parse_lora(spec):
    """r=8,alpha=16[,targets=q_proj,v_proj]: values after targets= run to the end."""
    r, alpha, targets, in_targets = 8, None, [], False
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key, _, value = part.partition("=")
        if in_targets and (not _ or key not in ("r", "rank", "alpha", "targets")):
            targets.append(part)
            continue
        in_targets = False
        if key in ("r", "rank"):
            r = int(value)
        elif key == "alpha":
            alpha = float(value)
        elif key == "targets":
            in_targets = True
            if value:
                targets.append(value)
        else:
            raise ValueError(f"--lora: unknown key {key!r}; expected r, alpha, targets")
    return r, (2.0 * r if alpha is None else alpha), (targets or ["q_proj", "v_proj"])


def add_lora(model, r, alpha, targets):
    """Freezes every weight and wraps the targeted projections; returns sum r*(in+out)."""
    for p in model.parameters():
        p.requires_grad_(False)
    adapter_weights = 0
    for layer in model.model.layers:
        for owner in (layer.self_attn, layer.mlp):
            for name in list(vars(owner)["_modules"]):
                if name in targets:
                    base = getattr(owner, name)
                    setattr(owner, name, LoraLinear(base, r, alpha))
                    adapter_weights += r * (base.in_features + base.out_features)
    return adapter_weights


def flops_per_step(cfg, batch, seq_len, adapter_weights=None):
    tokens = batch * seq_len
    predicted = batch * (seq_len - 1)
    head = cfg.vocab_size * cfg.hidden_size
    layers = matmul_params(cfg) - head
    attention = 12 * cfg.num_hidden_layers * batch * seq_len * seq_len * cfg.num_attention_heads * cfg.head_dim
    if adapter_weights is None:
        return 6 * tokens * layers + 6 * predicted * head + attention
    return 4 * tokens * layers + 4 * predicted * head + attention + 6 * tokens * adapter_weights


def memory():
    """(VmRSS, VmHWM) in bytes."""
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, rest = line.split(":", 1)
                values[key] = int(rest.split()[0]) * 1024
    return values.get("VmRSS", -1), values.get("VmHWM", -1)


def train_step(model, optimizer, ids, mask, position_ids):
    hidden = model.model(ids, mask, position_ids, None)
    logits = model.lm_head(hidden[:, :-1, :])
    targets = ids[:, 1:]
    n_targets = targets.numel()
    loss_sum = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                           reduction="sum")
    (loss_sum / n_targets).backward()
    trainable = [p for g in optimizer.param_groups for p in g["params"]]
    grad_norm = torch.nn.utils.clip_grad_norm_(trainable, 1.0)
    if torch.isfinite(grad_norm):
        optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss_sum.item() / n_targets


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--kv-heads", type=int, default=None, help="default: --heads")
    ap.add_argument("--intermediate", type=int, default=1408)
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--lora", metavar="SPEC", default=None,
                    help="train a LoRA on the named projections, e.g. r=8,alpha=16,targets=q_proj,v_proj")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.batch_size < 1 or args.seq_len < 2 or args.steps < 1 or args.warmup < 0:
        ap.error("--batch-size must be >= 1, --seq-len >= 2, --steps >= 1 and --warmup >= 0")

    if args.kv_heads is None:
        args.kv_heads = args.heads
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    peak_before = matmul_peak_gflops()
    rss_start = memory()[0]

    cfg = Config(args.hidden, args.layers, args.heads, args.kv_heads, args.intermediate, args.vocab, rms_eps=1e-5)
    g = torch.Generator().manual_seed(args.seed)
    model = LlamaForCausalLM(cfg).train()
    init_weights(model, 0.02, g)
    n_params = sum(p.numel() for p in model.parameters())
    adapter_weights = None
    if args.lora:
        r, alpha, targets = parse_lora(args.lora)
        adapter_weights = add_lora(model, r, alpha, targets)
    gc.collect()
    rss_model = memory()[0]
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() >= 2 and "norm" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and not (p.dim() >= 2 and "norm" not in n)]
    groups = [{"params": decay, "weight_decay": 0.01}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    optimizer = torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    n_trainable = sum(p.numel() for p in decay + no_decay)

    B, T = args.batch_size, args.seq_len
    mask = torch.ones((B, T), dtype=torch.long)
    position_ids = torch.arange(T).unsqueeze(0).expand(B, T)
    times, losses = [], []
    for s in range(args.warmup + args.steps):
        ids = torch.randint(0, cfg.vocab_size, (B, T), generator=g)
        t0 = time.perf_counter()
        losses.append(train_step(model, optimizer, ids, mask, position_ids))
        elapsed = time.perf_counter() - t0
        if s >= args.warmup:
            times.append(elapsed)
    rss, hwm = memory()
    peak_after = matmul_peak_gflops()
    peak = max(peak_before, peak_after)

    best = min(times)
    median = statistics.median(times)
    flops = flops_per_step(cfg, B, T, adapter_weights)
    gflops = flops / best / 1e9
    weights_mib = 4 * n_params / MIB
    err = sys.stderr
    print(f"torch {torch.__version__}, threads={torch.get_num_threads()}, params={n_params / 1e6:.1f}M "
          f"({weights_mib:.1f} MiB fp32), trainable={n_trainable / 1e6:.2f}M, "
          f"{'LoRA ' + args.lora if args.lora else 'full fine-tune'}", file=err)
    print(f"matmul peak (1024^3 fp32 torch.mm, best of 10 before and after): {peak:.1f} GFLOP/s "
          f"(before {peak_before:.1f}, after {peak_after:.1f})", file=err)
    print(f"B={B} T={T}, {args.warmup} warm-up + {args.steps} timed steps; loss {losses[0]:.4f} -> {losses[-1]:.4f}",
          file=err)
    print(f"step: best {best:.3f} s, median {median:.3f} s ({flops / 1e9:.1f} GFLOP per step); all: "
          + ", ".join(f"{t:.3f}" for t in times), file=err)
    print(f"throughput: {B * T / best:.1f} tokens/s, {gflops:.2f} GFLOP/s = {100 * gflops / peak:.1f}% of matmul peak",
          file=err)
    print(f"memory: RSS {rss_start / MIB:.0f} MiB at start, {rss_model / MIB:.0f} MiB with the model, "
          f"{rss / MIB:.0f} MiB after training, peak (VmHWM) {hwm / MIB:.0f} MiB; weights {weights_mib:.0f} MiB",
          file=err)
    print(json.dumps({
        "impl": "pytorch-eager-hf-style",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "mode": "lora" if args.lora else "full",
        "lora": args.lora,
        "batch": B,
        "seq_len": T,
        "warmup": args.warmup,
        "steps": args.steps,
        "params": n_params,
        "trainable_params": n_trainable,
        "step_s": round(best, 5),
        "step_s_median": round(median, 5),
        "tokens_per_s": round(B * T / best, 2),
        "gflop_per_step": round(flops / 1e9, 4),
        "gflops": round(gflops, 3),
        "matmul_peak_gflops": round(peak, 2),
        "fraction_of_peak": round(gflops / peak, 4),
        "loss_first": round(losses[0], 5),
        "loss_last": round(losses[-1], 5),
        "weights_mib": round(weights_mib, 2),
        "rss_start_mib": round(rss_start / MIB, 1),
        "rss_model_mib": round(rss_model / MIB, 1),
        "rss_mib": round(rss / MIB, 1),
        "hwm_mib": round(hwm / MIB, 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
