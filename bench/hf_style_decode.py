#!/usr/bin/env python3
"""HF-style PyTorch eager decode baseline (Llama architecture, KV cache, greedy).

A faithful plain-torch re-implementation of the *eager* path of Hugging Face
transformers' ``modeling_llama.py`` + ``generate()`` greedy loop, used as the
reference point for jalign's Java decoder on the same CPU and shapes.

What is modelled the way HF's eager code does it:
  * separate q_proj / k_proj / v_proj / o_proj and gate_proj / up_proj /
    down_proj ``nn.Linear(bias=False)`` layers (no fusion);
  * LlamaRMSNorm: float32 upcast, ``hidden.pow(2).mean(-1, keepdim=True)``,
    ``torch.rsqrt``, weight multiply;
  * LlamaRotaryEmbedding: cos/sin recomputed every forward from position_ids
    (``inv_freq @ position_ids``), ``rotate_half`` / ``apply_rotary_pos_emb``;
  * DynamicCache: per-layer key/value tensors grown with ``torch.cat`` on the
    sequence dim every step;
  * ``repeat_kv`` for GQA; ``eager_attention_forward``: matmul, scale, additive
    4-D causal+padding mask (finfo.min), softmax in float32, matmul;
  * SiLU-gated MLP, final norm, lm_head;
  * left-padded batches: attention_mask, position_ids = cumsum(mask) - 1
    (pads clamped to 0; HF fills them with 1 -- irrelevant, pads are masked),
    recomputed from the full mask every step as HF's
    ``prepare_inputs_for_generation`` does;
  * prefill computes logits for the last position only (HF ``logits_to_keep=1``);
    decode steps feed one token per sequence;
  * greedy argmax, ``input_ids = cat([input_ids, next_tokens[:, None]])``.
Not modelled: logits processors / stopping criteria / EOS bookkeeping (no EOS
is ever produced here, HF's greedy path with no processors is argmax).

Timing definitions (K = --new-tokens, B = --batch-size, P = --prompt-len):
  * prefill: one forward over the B x P prompt (fills the cache) + argmax ->
    new token #1;
  * decode: K-1 single-token forwards -> new tokens #2..#K (HF semantics of
    max_new_tokens=K);
  * decode_tokens_per_s = B * (K-1) / decode_s  (tokens produced by the timed
    decode forwards);
  * decode FLOPs = sum over the K-1 decode steps of
      B * [ 2 * (layers * (C*(H*hd + 2*KV*hd) + H*hd*C + 3*C*I) + V*C)
            + layers * 4 * H * hd * L_ctx ]
    with L_ctx = number of cached keys attended at that step (P + step,
    padding columns included since eager attention computes them).

Usage:  /usr/bin/python3 bench/hf_style_decode.py [--batch-size 16] ...
        /usr/bin/python3 bench/hf_style_decode.py --check
Human summary -> stderr; one JSON line -> stdout.
"""

import argparse
import json
import math
import statistics
import sys
import time

import torch
from torch import nn


# ----------------------------------------------------------------------------
# Model (mirrors transformers/models/llama/modeling_llama.py, eager attention)
# ----------------------------------------------------------------------------

class Config:
    def __init__(self, hidden, layers, heads, kv_heads, intermediate, vocab,
                 rms_eps=1e-6, rope_theta=10000.0):
        assert hidden % heads == 0 and heads % kv_heads == 0
        self.hidden_size = hidden
        self.num_hidden_layers = layers
        self.num_attention_heads = heads
        self.num_key_value_heads = kv_heads
        self.intermediate_size = intermediate
        self.vocab_size = vocab
        self.rms_norm_eps = rms_eps
        self.rope_theta = rope_theta
        self.head_dim = hidden // heads


class LlamaRMSNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states.to(input_dtype)


class LlamaRotaryEmbedding(nn.Module):
    def __init__(self, config):
        super().__init__()
        dim = config.head_dim
        inv_freq = 1.0 / (config.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self.attention_scaling = 1.0  # default rope type

    @torch.no_grad()
    def forward(self, x, position_ids):
        inv_freq_expanded = self.inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        position_ids_expanded = position_ids[:, None, :].float()
        freqs = (inv_freq_expanded.float() @ position_ids_expanded.float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos = emb.cos() * self.attention_scaling
        sin = emb.sin() * self.attention_scaling
        return cos.to(dtype=x.dtype), sin.to(dtype=x.dtype)


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin, unsqueeze_dim=1):
    cos = cos.unsqueeze(unsqueeze_dim)
    sin = sin.unsqueeze(unsqueeze_dim)
    q_embed = (q * cos) + (rotate_half(q) * sin)
    k_embed = (k * cos) + (rotate_half(k) * sin)
    return q_embed, k_embed


def repeat_kv(hidden_states, n_rep):
    batch, num_key_value_heads, slen, head_dim = hidden_states.shape
    if n_rep == 1:
        return hidden_states
    hidden_states = hidden_states[:, :, None, :, :].expand(batch, num_key_value_heads, n_rep, slen, head_dim)
    return hidden_states.reshape(batch, num_key_value_heads * n_rep, slen, head_dim)


class DynamicCache:
    """HF DynamicCache: lists of [B, KV, S, hd] tensors grown with torch.cat."""

    def __init__(self):
        self.key_cache = []
        self.value_cache = []

    def update(self, key_states, value_states, layer_idx):
        if len(self.key_cache) <= layer_idx:
            self.key_cache.append(key_states)
            self.value_cache.append(value_states)
        else:
            self.key_cache[layer_idx] = torch.cat([self.key_cache[layer_idx], key_states], dim=-2)
            self.value_cache[layer_idx] = torch.cat([self.value_cache[layer_idx], value_states], dim=-2)
        return self.key_cache[layer_idx], self.value_cache[layer_idx]

    def get_seq_length(self, layer_idx=0):
        if len(self.key_cache) <= layer_idx:
            return 0
        return self.key_cache[layer_idx].shape[-2]


def eager_attention_forward(module, query, key, value, attention_mask, scaling):
    key_states = repeat_kv(key, module.num_key_value_groups)
    value_states = repeat_kv(value, module.num_key_value_groups)
    attn_weights = torch.matmul(query, key_states.transpose(2, 3)) * scaling
    if attention_mask is not None:
        causal_mask = attention_mask[:, :, :, : key_states.shape[-2]]
        attn_weights = attn_weights + causal_mask
    attn_weights = nn.functional.softmax(attn_weights, dim=-1, dtype=torch.float32).to(query.dtype)
    # dropout: p = 0 in eval
    attn_output = torch.matmul(attn_weights, value_states)
    attn_output = attn_output.transpose(1, 2).contiguous()
    return attn_output, attn_weights


class LlamaAttention(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.layer_idx = layer_idx
        self.head_dim = config.head_dim
        self.num_key_value_groups = config.num_attention_heads // config.num_key_value_heads
        self.scaling = self.head_dim ** -0.5
        C = config.hidden_size
        self.q_proj = nn.Linear(C, config.num_attention_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(C, config.num_key_value_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(C, config.num_key_value_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(config.num_attention_heads * self.head_dim, C, bias=False)

    def forward(self, hidden_states, position_embeddings, attention_mask, past_key_value):
        input_shape = hidden_states.shape[:-1]
        hidden_shape = (*input_shape, -1, self.head_dim)
        query_states = self.q_proj(hidden_states).view(hidden_shape).transpose(1, 2)
        key_states = self.k_proj(hidden_states).view(hidden_shape).transpose(1, 2)
        value_states = self.v_proj(hidden_states).view(hidden_shape).transpose(1, 2)
        cos, sin = position_embeddings
        query_states, key_states = apply_rotary_pos_emb(query_states, key_states, cos, sin)
        if past_key_value is not None:
            key_states, value_states = past_key_value.update(key_states, value_states, self.layer_idx)
        attn_output, _ = eager_attention_forward(self, query_states, key_states, value_states,
                                                 attention_mask, self.scaling)
        attn_output = attn_output.reshape(*input_shape, -1).contiguous()
        return self.o_proj(attn_output)


class LlamaMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        C, I = config.hidden_size, config.intermediate_size
        self.gate_proj = nn.Linear(C, I, bias=False)
        self.up_proj = nn.Linear(C, I, bias=False)
        self.down_proj = nn.Linear(I, C, bias=False)
        self.act_fn = nn.SiLU()

    def forward(self, x):
        return self.down_proj(self.act_fn(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.self_attn = LlamaAttention(config, layer_idx)
        self.mlp = LlamaMLP(config)
        self.input_layernorm = LlamaRMSNorm(config.hidden_size, config.rms_norm_eps)
        self.post_attention_layernorm = LlamaRMSNorm(config.hidden_size, config.rms_norm_eps)

    def forward(self, hidden_states, attention_mask, past_key_value, position_embeddings):
        residual = hidden_states
        hidden_states = self.input_layernorm(hidden_states)
        hidden_states = self.self_attn(hidden_states, position_embeddings, attention_mask, past_key_value)
        hidden_states = residual + hidden_states
        residual = hidden_states
        hidden_states = self.post_attention_layernorm(hidden_states)
        hidden_states = self.mlp(hidden_states)
        hidden_states = residual + hidden_states
        return hidden_states


def prepare_4d_causal_attention_mask_with_cache_position(attention_mask, sequence_length, target_length,
                                                         dtype, cache_position, batch_size):
    """HF LlamaModel._prepare_4d_causal_attention_mask_with_cache_position (eager path)."""
    min_dtype = torch.finfo(dtype).min
    causal_mask = torch.full((sequence_length, target_length), fill_value=min_dtype, dtype=dtype)
    if sequence_length != 1:
        causal_mask = torch.triu(causal_mask, diagonal=1)
    causal_mask *= torch.arange(target_length) > cache_position.reshape(-1, 1)
    causal_mask = causal_mask[None, None, :, :].expand(batch_size, 1, -1, -1)
    if attention_mask is not None:
        causal_mask = causal_mask.clone()
        mask_length = attention_mask.shape[-1]
        padding_mask = causal_mask[:, :, :, :mask_length] + attention_mask[:, None, None, :].to(causal_mask.dtype)
        padding_mask = padding_mask == 0
        causal_mask[:, :, :, :mask_length] = causal_mask[:, :, :, :mask_length].masked_fill(padding_mask, min_dtype)
    return causal_mask


class LlamaModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList([LlamaDecoderLayer(config, i) for i in range(config.num_hidden_layers)])
        self.norm = LlamaRMSNorm(config.hidden_size, config.rms_norm_eps)
        self.rotary_emb = LlamaRotaryEmbedding(config)

    def forward(self, input_ids, attention_mask, position_ids, past_key_values, cache_position=None):
        inputs_embeds = self.embed_tokens(input_ids)
        past_seen = past_key_values.get_seq_length() if past_key_values is not None else 0
        if cache_position is None:
            cache_position = torch.arange(past_seen, past_seen + inputs_embeds.shape[1])
        if position_ids is None:
            position_ids = cache_position.unsqueeze(0)
        target_length = attention_mask.shape[-1] if attention_mask is not None else past_seen + inputs_embeds.shape[1]
        causal_mask = prepare_4d_causal_attention_mask_with_cache_position(
            attention_mask, inputs_embeds.shape[1], target_length, inputs_embeds.dtype,
            cache_position, inputs_embeds.shape[0])
        hidden_states = inputs_embeds
        position_embeddings = self.rotary_emb(hidden_states, position_ids)
        for layer in self.layers:
            hidden_states = layer(hidden_states, causal_mask, past_key_values, position_embeddings)
        return self.norm(hidden_states)


class LlamaForCausalLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.model = LlamaModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past_key_values=None,
                cache_position=None, logits_to_keep=0):
        hidden_states = self.model(input_ids, attention_mask, position_ids, past_key_values, cache_position)
        slice_indices = slice(-logits_to_keep, None) if logits_to_keep else slice(None)
        return self.lm_head(hidden_states[:, slice_indices, :])


def init_weights(model, std, generator):
    for name, p in model.named_parameters():
        if name.endswith("layernorm.weight") or name.endswith("norm.weight"):
            continue  # RMSNorm weights stay 1 as in HF _init_weights
        with torch.no_grad():
            p.normal_(0.0, std, generator=generator)


# ----------------------------------------------------------------------------
# Generation (mirrors GenerationMixin._sample greedy path + prepare_inputs)
# ----------------------------------------------------------------------------

def position_ids_from_mask(attention_mask, num_new):
    position_ids = attention_mask.long().cumsum(-1) - 1
    position_ids = position_ids.clamp(min=0)
    return position_ids[:, -num_new:]


def greedy_generate(model, input_ids, attention_mask, new_tokens, use_cache=True,
                    return_logits=False, timings=None):
    """Returns (generated [B, new_tokens], list of per-step last logits or None).

    timings, if a dict, receives 'prefill_s' and 'decode_s'.
    """
    all_logits = [] if return_logits else None
    cache = DynamicCache() if use_cache else None
    cur_len = input_ids.shape[1]

    t0 = time.perf_counter()
    # ---- prefill (logits_to_keep=1) ----
    position_ids = position_ids_from_mask(attention_mask, input_ids.shape[1])
    cache_position = torch.arange(0, cur_len)
    logits = model(input_ids, attention_mask=attention_mask, position_ids=position_ids,
                   past_key_values=cache, cache_position=cache_position, logits_to_keep=1)
    next_token_logits = logits[:, -1, :].clone().float()
    if return_logits:
        all_logits.append(next_token_logits)
    next_tokens = torch.argmax(next_token_logits, dim=-1)
    input_ids = torch.cat([input_ids, next_tokens[:, None]], dim=-1)
    attention_mask = torch.cat([attention_mask, attention_mask.new_ones((attention_mask.shape[0], 1))], dim=-1)
    cur_len += 1
    t1 = time.perf_counter()

    # ---- decode: new tokens 2..K ----
    for _ in range(new_tokens - 1):
        if use_cache:
            step_ids = input_ids[:, -1:]
            cache_position = torch.arange(cur_len - 1, cur_len)
            position_ids = position_ids_from_mask(attention_mask, 1)
        else:  # full recompute: whole sequence, no cache
            step_ids = input_ids
            cache_position = torch.arange(0, cur_len)
            position_ids = position_ids_from_mask(attention_mask, cur_len)
        logits = model(step_ids, attention_mask=attention_mask, position_ids=position_ids,
                       past_key_values=cache, cache_position=cache_position, logits_to_keep=1)
        next_token_logits = logits[:, -1, :].clone().float()
        if return_logits:
            all_logits.append(next_token_logits)
        next_tokens = torch.argmax(next_token_logits, dim=-1)
        input_ids = torch.cat([input_ids, next_tokens[:, None]], dim=-1)
        attention_mask = torch.cat([attention_mask, attention_mask.new_ones((attention_mask.shape[0], 1))], dim=-1)
        cur_len += 1
    t2 = time.perf_counter()
    if timings is not None:
        timings["prefill_s"] = t1 - t0
        timings["decode_s"] = t2 - t1
    return input_ids[:, -new_tokens:], all_logits


# ----------------------------------------------------------------------------
# FLOPs, peak, op count
# ----------------------------------------------------------------------------

def matmul_params(cfg):
    C, H, KV, hd, I = (cfg.hidden_size, cfg.num_attention_heads, cfg.num_key_value_heads,
                       cfg.head_dim, cfg.intermediate_size)
    per_layer = C * (H * hd + 2 * KV * hd) + H * hd * C + 3 * C * I
    return cfg.num_hidden_layers * per_layer + cfg.vocab_size * C


def decode_flops(cfg, batch, prompt_len, new_tokens):
    """FLOPs of the K-1 timed decode forwards (see module docstring)."""
    lin = 2 * matmul_params(cfg)
    total = 0
    for step in range(1, new_tokens):
        l_ctx = prompt_len + step  # keys in the cache after appending this step's token
        attn = cfg.num_hidden_layers * 4 * cfg.num_attention_heads * cfg.head_dim * l_ctx
        total += batch * (lin + attn)
    return total


def matmul_peak_gflops(n=1024, tries=10):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    c = torch.empty(n, n)
    for _ in range(3):
        torch.mm(a, b, out=c)
    best = float("inf")
    for _ in range(tries):
        t = time.perf_counter()
        torch.mm(a, b, out=c)
        best = min(best, time.perf_counter() - t)
    return 2.0 * n ** 3 / best / 1e9


def count_ops_one_decode_step(model, cfg, prompt_len, seed):
    """Number of aten ops dispatched in one B=1 decode step (forward + argmax + cats).

    Counted with a TorchDispatchMode, i.e. the kernels PyTorch's dispatcher actually
    runs after composite ops are decomposed (views/reshapes included). Deterministic.
    """
    from torch.utils._python_dispatch import TorchDispatchMode

    class _Count(TorchDispatchMode):
        n = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            _Count.n += 1
            return func(*args, **(kwargs or {}))

    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, cfg.vocab_size, (1, prompt_len), generator=g)
    mask = torch.ones_like(ids)
    cache = DynamicCache()
    model(ids, attention_mask=mask, position_ids=position_ids_from_mask(mask, prompt_len),
          past_key_values=cache, cache_position=torch.arange(prompt_len), logits_to_keep=1)
    mask2 = torch.cat([mask, mask.new_ones((1, 1))], dim=-1)
    with _Count():
        logits = model(ids[:, -1:], attention_mask=mask2, position_ids=position_ids_from_mask(mask2, 1),
                       past_key_values=cache, cache_position=torch.arange(prompt_len, prompt_len + 1),
                       logits_to_keep=1)
        nt = torch.argmax(logits[:, -1, :].clone().float(), dim=-1)
        torch.cat([ids, nt[:, None]], dim=-1)
        torch.cat([mask2, mask2.new_ones((1, 1))], dim=-1)
    return _Count.n


# ----------------------------------------------------------------------------
# Self-check
# ----------------------------------------------------------------------------

def run_check(threads):
    torch.set_num_threads(threads)
    ok = True
    # tiny config, GQA (kv_heads < heads) to exercise repeat_kv
    cfg = Config(hidden=64, layers=2, heads=4, kv_heads=2, intermediate=176, vocab=97)
    g = torch.Generator().manual_seed(1234)
    model = LlamaForCausalLM(cfg).eval()
    init_weights(model, 0.1, g)  # larger std than the bench (0.02): decisive argmax, logits O(1)
    lens = [7, 3, 10, 1, 5]
    P = max(lens)
    K = 12
    pad_id = 0
    prompts = [torch.randint(1, cfg.vocab_size, (n,), generator=g) for n in lens]
    ids = torch.full((len(lens), P), pad_id, dtype=torch.long)
    mask = torch.zeros((len(lens), P), dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, P - len(p):] = p
        mask[i, P - len(p):] = 1
    tol = 1e-5
    with torch.inference_mode():
        # 1) KV cache vs full recompute, left-padded batch
        tok_c, log_c = greedy_generate(model, ids, mask, K, use_cache=True, return_logits=True)
        tok_f, log_f = greedy_generate(model, ids, mask, K, use_cache=False, return_logits=True)
        same = torch.equal(tok_c, tok_f)
        d = max((a - b).abs().max().item() for a, b in zip(log_c, log_f))
        print(f"[check] cache vs full recompute (B={len(lens)}, left-padded, K={K}): "
              f"tokens {'identical' if same else 'DIFFER'}, max|dlogit|={d:.2e}", file=sys.stderr)
        ok &= same and d <= tol
        stacked = torch.stack(log_c)
        top2 = stacked.topk(2, dim=-1).values
        margin = (top2[..., 0] - top2[..., 1]).min().item()
        print(f"[check]   max|logit|={stacked.abs().max().item():.2f}, "
              f"min top1-top2 margin={margin:.2e} (>> tolerance, so argmax is well-defined)", file=sys.stderr)
        ok &= margin > 100 * tol
        # 2) left-padded batch vs each sequence alone (unpadded, B=1)
        worst = 0.0
        all_same = True
        for i, p in enumerate(prompts):
            t1, l1 = greedy_generate(model, p[None, :], torch.ones((1, len(p)), dtype=torch.long), K,
                                     use_cache=True, return_logits=True)
            all_same &= torch.equal(t1[0], tok_c[i])
            worst = max(worst, max((a[0] - b[i]).abs().max().item() for a, b in zip(l1, log_c)))
        print(f"[check] padded batch vs per-sequence (lens={lens}): "
              f"tokens {'identical' if all_same else 'DIFFER'}, max|dlogit|={worst:.2e}", file=sys.stderr)
        ok &= all_same and worst <= tol
        # 3) padding content must not matter
        ids2 = ids.clone()
        ids2[mask == 0] = 42
        tok_p, log_p = greedy_generate(model, ids2, mask, K, use_cache=True, return_logits=True)
        d3 = max((a - b).abs().max().item() for a, b in zip(log_c, log_p))
        print(f"[check] pad-token content invariance: max|dlogit|={d3:.2e}", file=sys.stderr)
        ok &= torch.equal(tok_p, tok_c) and d3 <= tol
        # 4) sanity: the decoded tokens are not degenerate
        distinct = len(set(tok_c.flatten().tolist()))
        print(f"[check] distinct generated tokens: {distinct}", file=sys.stderr)
        ok &= distinct > 5
    print(f"[check] {'PASS' if ok else 'FAIL'} (tolerance {tol:g})", file=sys.stderr)
    print(json.dumps({"impl": "pytorch-eager-hf-style", "check": "pass" if ok else "fail"}))
    return 0 if ok else 1


# ----------------------------------------------------------------------------
# Benchmark
# ----------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--kv-heads", type=int, default=8)
    ap.add_argument("--intermediate", type=int, default=1408)
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--prompt-len", type=int, default=32)
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="run the correctness self-check and exit")
    ap.add_argument("--no-op-count", action="store_true", help="skip the profiler op count")
    args = ap.parse_args()
    if args.check:
        return run_check(args.threads)
    if args.new_tokens < 2:
        ap.error("--new-tokens must be >= 2 (decode = tokens 2..K)")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = Config(args.hidden, args.layers, args.heads, args.kv_heads, args.intermediate, args.vocab)
    g = torch.Generator().manual_seed(args.seed)
    model = LlamaForCausalLM(cfg).eval()
    init_weights(model, 0.02, g)
    B, P, K = args.batch_size, args.prompt_len, args.new_tokens
    ids = torch.randint(0, cfg.vocab_size, (B, P), generator=g)
    mask = torch.ones((B, P), dtype=torch.long)  # full-length prompts (padding path still exercised via mask)

    with torch.inference_mode():
        peak = matmul_peak_gflops()
        for _ in range(args.warmup):
            greedy_generate(model, ids, mask, K)
        runs = []
        for _ in range(args.repeats):
            t = {}
            greedy_generate(model, ids, mask, K, timings=t)
            runs.append(t)
        n_top = None if args.no_op_count else count_ops_one_decode_step(model, cfg, P, args.seed)
        # measure the peak again after the runs and keep the best: this machine's vCPUs are
        # noisy, and an under-measured peak would flatter the fraction-of-peak figure
        peak_before, peak_after = peak, matmul_peak_gflops()
        peak = max(peak_before, peak_after)

    prefill_s = min(r["prefill_s"] for r in runs)
    decode_s = min(r["decode_s"] for r in runs)
    decode_med = statistics.median(r["decode_s"] for r in runs)
    steps = K - 1
    flops = decode_flops(cfg, B, P, K)
    tps = B * steps / decode_s
    gflops = flops / decode_s / 1e9
    step_ms = decode_s / steps * 1e3
    n_params = sum(p.numel() for p in model.parameters())

    err = sys.stderr
    print(f"torch {torch.__version__}, threads={torch.get_num_threads()}, "
          f"params={n_params / 1e6:.1f}M, matmul params={matmul_params(cfg) / 1e6:.2f}M", file=err)
    print(f"matmul peak (1024^3 fp32 torch.mm, best of 10 before and 10 after the runs): {peak:.1f} GFLOP/s "
          f"(before {peak_before:.1f}, after {peak_after:.1f})", file=err)
    print(f"B={B} P={P} K={K} (prefill -> token 1, {steps} decode steps), "
          f"best of {args.repeats} after {args.warmup} warmup", file=err)
    print(f"prefill: {prefill_s * 1e3:.1f} ms   decode: {decode_s:.3f} s (median {decode_med:.3f} s), "
          f"{step_ms:.2f} ms/step", file=err)
    print(f"decode: {tps:.1f} tok/s, {gflops:.2f} GFLOP/s = {100 * gflops / peak:.1f}% of matmul peak "
          f"({flops / 1e9:.2f} GFLOP)", file=err)
    if n_top is not None:
        print(f"ops per decode step: {n_top} dispatched aten ops; "
              f"{step_ms * 1e3 / n_top:.1f} us/op at this batch", file=err)
    print("all runs: " + ", ".join(f"prefill {r['prefill_s'] * 1e3:.1f} ms / decode {r['decode_s']:.3f} s"
                                   for r in runs), file=err)

    print(json.dumps({
        "impl": "pytorch-eager-hf-style",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": B,
        "prompt_len": P,
        "new_tokens": K,
        "decode_steps": steps,
        "decode_tokens_per_s": round(tps, 2),
        "decode_gflops": round(gflops, 3),
        "matmul_peak_gflops": round(peak, 2),
        "fraction_of_peak": round(gflops / peak, 4),
        "prefill_s": round(prefill_s, 5),
        "decode_s": round(decode_s, 5),
        "decode_s_median": round(decode_med, 5),
        "decode_ms_per_step": round(step_ms, 3),
        "ops_per_decode_step": n_top,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
