package org.jalign.lm;

import java.util.Map;

/**
 * An independent float64 reference forward pass for Llama, Qwen2 and GPT-2, for tests only.
 *
 * <p>Written straight from the equations and the Hugging Face modeling code
 * ({@code modeling_llama.py}, {@code modeling_qwen2.py}, {@code modeling_gpt2.py}), one token and
 * one head at a time, in double precision, with no DJL and nothing shared with the production
 * model except {@link ModelConfig} as a plain bag of numbers. The production model is checked
 * against this class, so this class is itself checked against hand-worked examples in
 * {@code ReferenceTransformerTest}. Clarity over speed: meant for hidden ≤ 64, ≤ 3 layers,
 * ≤ 64 tokens.
 *
 * <p>Weights are keyed by Hugging Face tensor names, row-major. Shapes below use T tokens,
 * C hidden, H query heads, KV key/value heads, d head dim, I intermediate, V vocab, P positions.
 */
public final class ReferenceTransformer {

    private ReferenceTransformer() {
    }

    /** Logits [T][V] for one unpadded sequence at positions 0..T-1. */
    public static double[][] logits(ModelConfig config, Map<String, float[]> weights, int[] tokens) {
        int[] positions = new int[tokens.length];
        for (int t = 0; t < positions.length; t++) {
            positions[t] = t;
        }
        return logits(config, weights, tokens, positions);
    }

    /**
     * Logits [T][V] with explicit position ids. As in Hugging Face, positions only pick the RoPE
     * angle (Llama, Qwen2) or the {@code wpe} row (GPT-2); the causal mask is by index in the
     * sequence: token t attends to tokens 0..t whatever their positions.
     */
    public static double[][] logits(ModelConfig config, Map<String, float[]> weights, int[] tokens, int[] positions) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("tokens must not be empty");
        }
        if (positions.length != tokens.length) {
            throw new IllegalArgumentException("positions has length " + positions.length + ", tokens " + tokens.length);
        }
        for (int t = 0; t < tokens.length; t++) {
            if (tokens[t] < 0 || tokens[t] >= config.vocabSize()) {
                throw new IllegalArgumentException("token " + tokens[t] + " at index " + t + " outside vocab " + config.vocabSize());
            }
            if (positions[t] < 0) {
                throw new IllegalArgumentException("position " + positions[t] + " at index " + t + " is negative");
            }
        }
        Weights w = new Weights(weights);
        return config.architecture() == Architecture.GPT2
                ? gpt2(config, w, tokens, positions)
                : llama(config, w, tokens, positions);
    }

    /** log softmax(logits), computed as x − max − log Σ exp(x − max) so large logits do not overflow. */
    public static double[] logSoftmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : logits) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (double x : logits) {
            sum += Math.exp(x - max);
        }
        double logSum = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - logSum;
        }
        return out;
    }

    /**
     * Per-token log-probs of a sequence of n tokens: n−1 values, {@code [i] = log p(s[i+1] | s[0..i])}
     * (the same contract as {@link LanguageModel#logProbs}).
     */
    public static double[] tokenLogProbs(ModelConfig config, Map<String, float[]> weights, int[] sequence) {
        double[][] all = logits(config, weights, sequence);
        double[] out = new double[sequence.length - 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = logSoftmax(all[i])[sequence[i + 1]];
        }
        return out;
    }

    /**
     * Greedy decoding: {@code newTokens} argmax tokens (lowest id on ties), recomputing the whole
     * forward pass each step. Returns only the new tokens; it does not stop at EOS (callers cut).
     */
    public static int[] greedy(ModelConfig config, Map<String, float[]> weights, int[] prompt, int newTokens) {
        int[] sequence = java.util.Arrays.copyOf(prompt, prompt.length + newTokens);
        for (int step = 0; step < newTokens; step++) {
            int length = prompt.length + step;
            double[][] all = logits(config, weights, java.util.Arrays.copyOf(sequence, length));
            sequence[length] = argmax(all[length - 1]);
        }
        return java.util.Arrays.copyOfRange(sequence, prompt.length, sequence.length);
    }

    static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- Llama / Qwen2

    private static double[][] llama(ModelConfig c, Weights w, int[] tokens, int[] positions) {
        int T = tokens.length, C = c.hiddenSize(), V = c.vocabSize(), I = c.intermediateSize();
        int H = c.numHeads(), KV = c.numKeyValueHeads(), d = c.headDim();
        double[] inverseFrequencies = inverseFrequencies(c.ropeScaling(), d, c.ropeTheta());

        // 1. Token embeddings, no position embedding (positions enter through RoPE).
        double[][] embed = w.matrix("model.embed_tokens.weight", V, C);   // (V, C)
        double[][] x = new double[T][];                                    // (T, C)
        for (int t = 0; t < T; t++) {
            x[t] = embed[tokens[t]].clone();
        }
        for (int layer = 0; layer < c.numLayers(); layer++) {
            String p = "model.layers." + layer + ".";
            // 2. Attention sub-block: h = x + o_proj(attn(RMSNorm(x))).
            double[][] normed = rmsNorm(x, w.vector(p + "input_layernorm.weight", C), c.normEps());
            double[][] q = linear(normed, w.matrix(p + "self_attn.q_proj.weight", H * d, C),
                    c.qkvBias() ? w.vector(p + "self_attn.q_proj.bias", H * d) : null);      // (T, H*d)
            double[][] k = linear(normed, w.matrix(p + "self_attn.k_proj.weight", KV * d, C),
                    c.qkvBias() ? w.vector(p + "self_attn.k_proj.bias", KV * d) : null);     // (T, KV*d)
            double[][] v = linear(normed, w.matrix(p + "self_attn.v_proj.weight", KV * d, C),
                    c.qkvBias() ? w.vector(p + "self_attn.v_proj.bias", KV * d) : null);     // (T, KV*d)
            for (int t = 0; t < T; t++) {
                q[t] = ropeEachHead(q[t], H, d, positions[t], inverseFrequencies);
                k[t] = ropeEachHead(k[t], KV, d, positions[t], inverseFrequencies);
            }
            double[][] attention = causalSelfAttention(q, k, v, H, KV, d);                 // (T, H*d)
            double[][] projected = linear(attention, w.matrix(p + "self_attn.o_proj.weight", C, H * d),
                    c.outputBias() ? w.vector(p + "self_attn.o_proj.bias", C) : null);      // (T, C)
            x = add(x, projected);
            // 3. MLP sub-block: out = h + down(act(gate(RMSNorm(h))) ⊙ up(RMSNorm(h))).
            normed = rmsNorm(x, w.vector(p + "post_attention_layernorm.weight", C), c.normEps());
            double[][] gate = linear(normed, w.matrix(p + "mlp.gate_proj.weight", I, C),
                    c.mlpBias() ? w.vector(p + "mlp.gate_proj.bias", I) : null);            // (T, I)
            double[][] up = linear(normed, w.matrix(p + "mlp.up_proj.weight", I, C),
                    c.mlpBias() ? w.vector(p + "mlp.up_proj.bias", I) : null);              // (T, I)
            double[][] hidden = new double[T][I];
            for (int t = 0; t < T; t++) {
                for (int i = 0; i < I; i++) {
                    hidden[t][i] = activation(c.activation(), gate[t][i]) * up[t][i];
                }
            }
            double[][] down = linear(hidden, w.matrix(p + "mlp.down_proj.weight", C, I),
                    c.mlpBias() ? w.vector(p + "mlp.down_proj.bias", C) : null);            // (T, C)
            x = add(x, down);
        }
        // 4. Final RMSNorm, then logits = x·Wᵀ with W = lm_head, or the embedding when tied.
        x = rmsNorm(x, w.vector("model.norm.weight", C), c.normEps());
        double[][] head = c.tieWordEmbeddings() ? embed : w.matrix("lm_head.weight", V, C);
        return linear(x, head, null);                                                   // (T, V)
    }

    /** RMSNorm (Zhang & Sennrich 2019) as in LlamaRMSNorm: w ⊙ x / sqrt(mean(x²) + eps), per row. */
    static double[][] rmsNorm(double[][] x, double[] weight, double eps) {
        double[][] out = new double[x.length][weight.length];
        for (int t = 0; t < x.length; t++) {
            double meanSquare = 0;
            for (double value : x[t]) {
                meanSquare += value * value;
            }
            meanSquare /= x[t].length;
            double scale = 1.0 / Math.sqrt(meanSquare + eps);
            for (int i = 0; i < weight.length; i++) {
                out[t][i] = weight[i] * (x[t][i] * scale);
            }
        }
        return out;
    }

    private static double[] ropeEachHead(double[] row, int heads, int headDim, int position, double[] inverseFrequencies) {
        double[] out = new double[row.length];
        for (int h = 0; h < heads; h++) {
            double[] head = java.util.Arrays.copyOfRange(row, h * headDim, (h + 1) * headDim);
            System.arraycopy(applyRope(head, position, inverseFrequencies), 0, out, h * headDim, headDim);
        }
        return out;
    }

    /**
     * Rotary embedding (Su et al. 2021) in Hugging Face's rotate-half layout: element j pairs with
     * j + d/2, both rotated by angle position·inv_freq[j]. q' = q·cos + rotate_half(q)·sin with
     * rotate_half(q) = [−q[d/2:], q[:d/2]] and cos/sin duplicated over both halves.
     */
    static double[] applyRope(double[] head, int position, double[] inverseFrequencies) {
        int d = head.length, half = d / 2;
        if (inverseFrequencies.length != half) {
            throw new IllegalArgumentException("need " + half + " inverse frequencies, got " + inverseFrequencies.length);
        }
        double[] cos = new double[d], sin = new double[d], rotated = new double[d], out = new double[d];
        for (int j = 0; j < half; j++) {
            double angle = position * inverseFrequencies[j];
            cos[j] = cos[j + half] = Math.cos(angle);
            sin[j] = sin[j + half] = Math.sin(angle);
        }
        for (int j = 0; j < half; j++) {
            rotated[j] = -head[j + half];
            rotated[j + half] = head[j];
        }
        for (int j = 0; j < d; j++) {
            out[j] = head[j] * cos[j] + rotated[j] * sin[j];
        }
        return out;
    }

    /**
     * RoPE inverse frequencies θ^(−2i/d), i < d/2, then scaled. Written here rather than taken from
     * {@link RopeScaling#inverseFrequencies} so production and reference stay independent.
     * LINEAR divides by factor (position interpolation, Chen et al. 2023); LLAMA3 follows Meta's
     * {@code apply_scaling} (llama-models, Llama 3.1): keep short wavelengths, divide long ones
     * by factor, blend in between.
     */
    static double[] inverseFrequencies(RopeScaling scaling, int headDim, double theta) {
        double[] out = new double[headDim / 2];
        for (int i = 0; i < out.length; i++) {
            double freq = 1.0 / Math.pow(theta, 2.0 * i / headDim);
            switch (scaling.kind()) {
                case NONE -> out[i] = freq;
                case LINEAR -> out[i] = freq / scaling.factor();
                case LLAMA3 -> {
                    double oldContext = scaling.originalMaxPositions();
                    double lowFreqWavelength = oldContext / scaling.lowFreqFactor();
                    double highFreqWavelength = oldContext / scaling.highFreqFactor();
                    double wavelength = 2 * Math.PI / freq;
                    if (wavelength < highFreqWavelength) {
                        out[i] = freq;
                    } else if (wavelength > lowFreqWavelength) {
                        out[i] = freq / scaling.factor();
                    } else {
                        double smooth = (oldContext / wavelength - scaling.lowFreqFactor())
                                / (scaling.highFreqFactor() - scaling.lowFreqFactor());
                        out[i] = (1 - smooth) * freq / scaling.factor() + smooth * freq;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Causal scaled dot-product attention with grouped queries: q (T, H*d), k and v (T, KV*d);
     * query head h reads key/value head h / (H/KV). Returns (T, H*d), heads concatenated.
     */
    static double[][] causalSelfAttention(double[][] q, double[][] k, double[][] v, int heads, int keyValueHeads, int headDim) {
        int T = q.length, group = heads / keyValueHeads;
        double scale = 1.0 / Math.sqrt(headDim);
        double[][] out = new double[T][heads * headDim];
        for (int h = 0; h < heads; h++) {
            int kvHead = h / group;
            for (int i = 0; i < T; i++) {
                // scores over keys 0..i only (causal); later keys get probability 0.
                double[] scores = new double[i + 1];
                for (int j = 0; j <= i; j++) {
                    double dot = 0;
                    for (int e = 0; e < headDim; e++) {
                        dot += q[i][h * headDim + e] * k[j][kvHead * headDim + e];
                    }
                    scores[j] = dot * scale;
                }
                double[] logProbs = logSoftmax(scores);
                for (int j = 0; j <= i; j++) {
                    double p = Math.exp(logProbs[j]);
                    for (int e = 0; e < headDim; e++) {
                        out[i][h * headDim + e] += p * v[j][kvHead * headDim + e];
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- GPT-2

    private static double[][] gpt2(ModelConfig c, Weights w, int[] tokens, int[] positions) {
        int T = tokens.length, C = c.hiddenSize(), V = c.vocabSize(), I = c.intermediateSize();
        int H = c.numHeads(), d = c.headDim(), P = c.maxPositions();

        // 1. Input = wte[token] + wpe[position].
        double[][] wte = w.matrix(gpt2Name(w, "wte.weight"), V, C);      // (V, C)
        double[][] wpe = w.matrix(gpt2Name(w, "wpe.weight"), P, C);      // (P, C)
        double[][] x = new double[T][C];
        for (int t = 0; t < T; t++) {
            if (positions[t] >= P) {
                throw new IllegalArgumentException("position " + positions[t] + " >= n_positions " + P);
            }
            for (int i = 0; i < C; i++) {
                x[t][i] = wte[tokens[t]][i] + wpe[positions[t]][i];
            }
        }
        for (int layer = 0; layer < c.numLayers(); layer++) {
            String p = "h." + layer + ".";
            // 2. Attention sub-block: h = x + c_proj(attn(LN1(x))); c_attn yields [q | k | v].
            double[][] normed = layerNorm(x, w.vector(gpt2Name(w, p + "ln_1.weight"), C),
                    w.vector(gpt2Name(w, p + "ln_1.bias"), C), c.normEps());
            double[][] qkv = conv1d(normed, w.matrix(gpt2Name(w, p + "attn.c_attn.weight"), C, 3 * C),
                    c.qkvBias() ? w.vector(gpt2Name(w, p + "attn.c_attn.bias"), 3 * C) : null);   // (T, 3C)
            double[][] q = new double[T][], k = new double[T][], v = new double[T][];
            for (int t = 0; t < T; t++) {
                q[t] = java.util.Arrays.copyOfRange(qkv[t], 0, C);
                k[t] = java.util.Arrays.copyOfRange(qkv[t], C, 2 * C);
                v[t] = java.util.Arrays.copyOfRange(qkv[t], 2 * C, 3 * C);
            }
            double[][] attention = causalSelfAttention(q, k, v, H, H, d);                       // (T, C)
            double[][] projected = conv1d(attention, w.matrix(gpt2Name(w, p + "attn.c_proj.weight"), C, C),
                    c.outputBias() ? w.vector(gpt2Name(w, p + "attn.c_proj.bias"), C) : null);
            x = add(x, projected);
            // 3. MLP sub-block: out = h + c_proj(act(c_fc(LN2(h)))).
            normed = layerNorm(x, w.vector(gpt2Name(w, p + "ln_2.weight"), C),
                    w.vector(gpt2Name(w, p + "ln_2.bias"), C), c.normEps());
            double[][] hidden = conv1d(normed, w.matrix(gpt2Name(w, p + "mlp.c_fc.weight"), C, I),
                    c.mlpBias() ? w.vector(gpt2Name(w, p + "mlp.c_fc.bias"), I) : null);           // (T, I)
            for (int t = 0; t < T; t++) {
                for (int i = 0; i < I; i++) {
                    hidden[t][i] = activation(c.activation(), hidden[t][i]);
                }
            }
            double[][] down = conv1d(hidden, w.matrix(gpt2Name(w, p + "mlp.c_proj.weight"), I, C),
                    c.mlpBias() ? w.vector(gpt2Name(w, p + "mlp.c_proj.bias"), C) : null);         // (T, C)
            x = add(x, down);
        }
        // 4. Final LayerNorm; head = wte (tied) unless an untied lm_head.weight is present.
        x = layerNorm(x, w.vector(gpt2Name(w, "ln_f.weight"), C), w.vector(gpt2Name(w, "ln_f.bias"), C), c.normEps());
        double[][] head = !c.tieWordEmbeddings() && w.has("lm_head.weight") ? w.matrix("lm_head.weight", V, C) : wte;
        return linear(x, head, null);
    }

    /** GPT-2 checkpoints saved from GPT2LMHeadModel prefix every name with "transformer."; accept both. */
    private static String gpt2Name(Weights w, String name) {
        return !w.has(name) && w.has("transformer." + name) ? "transformer." + name : name;
    }

    /** LayerNorm (Ba et al. 2016) as torch.nn.LayerNorm: biased variance, eps inside the sqrt. */
    static double[][] layerNorm(double[][] x, double[] weight, double[] bias, double eps) {
        double[][] out = new double[x.length][weight.length];
        for (int t = 0; t < x.length; t++) {
            int n = x[t].length;
            double mean = 0;
            for (double value : x[t]) {
                mean += value;
            }
            mean /= n;
            double variance = 0;
            for (double value : x[t]) {
                variance += (value - mean) * (value - mean);
            }
            variance /= n;
            double scale = 1.0 / Math.sqrt(variance + eps);
            for (int i = 0; i < n; i++) {
                out[t][i] = (x[t][i] - mean) * scale * weight[i] + bias[i];
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- shared elementary math

    /** nn.Linear: y = x·Wᵀ + b with W stored [out, in]. x (T, in) → (T, out). */
    static double[][] linear(double[][] x, double[][] weight, double[] bias) {
        double[][] out = new double[x.length][weight.length];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < weight.length; o++) {
                double sum = bias == null ? 0 : bias[o];
                for (int i = 0; i < weight[o].length; i++) {
                    sum += x[t][i] * weight[o][i];
                }
                out[t][o] = sum;
            }
        }
        return out;
    }

    /** GPT-2's Conv1D: y = x·W + b with W stored [in, out] (torch.addmm(b, x, W)). x (T, in) → (T, out). */
    static double[][] conv1d(double[][] x, double[][] weight, double[] bias) {
        int outputs = weight[0].length;
        double[][] out = new double[x.length][outputs];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < outputs; o++) {
                double sum = bias == null ? 0 : bias[o];
                for (int i = 0; i < weight.length; i++) {
                    sum += x[t][i] * weight[i][o];
                }
                out[t][o] = sum;
            }
        }
        return out;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] out = new double[a.length][a[0].length];
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[t].length; i++) {
                out[t][i] = a[t][i] + b[t][i];
            }
        }
        return out;
    }

    static double activation(Activation activation, double x) {
        return switch (activation) {
            case SILU -> silu(x);
            case GELU_NEW -> geluNew(x);
            case GELU -> gelu(x);
        };
    }

    /** x·σ(x) (Elfwing et al. 2017; torch.nn.functional.silu). */
    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /** GPT-2's tanh approximation (Hendrycks & Gimpel 2016, eq. in §2): HF NewGELUActivation. */
    static double geluNew(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (torch.nn.functional.gelu, approximate='none'). */
    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /**
     * erf to about 1e-15 absolute, from the everywhere-convergent series with positive terms
     * (Abramowitz & Stegun 7.1.6): erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)).
     * No cancellation between terms, so no accuracy lost for moderate x; past |x| = 6,
     * 1 − erf(x) < 3e-17 and ±1 is exact in double.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a > 6) {
            return Math.signum(x);
        }
        double term = a;   // n = 0: x / 1
        double sum = term;
        for (int n = 1; n < 500; n++) {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return Math.signum(x) * 2 / Math.sqrt(Math.PI) * Math.exp(-a * a) * sum;
    }

    /** The weight map, read as doubles, with every missing or wrongly sized tensor named in the error. */
    private record Weights(Map<String, float[]> map) {
        boolean has(String name) {
            return map.containsKey(name);
        }

        double[] vector(String name, int length) {
            float[] raw = raw(name, length, "[" + length + "]");
            double[] out = new double[length];
            for (int i = 0; i < length; i++) {
                out[i] = raw[i];
            }
            return out;
        }

        double[][] matrix(String name, int rows, int columns) {
            float[] raw = raw(name, rows * columns, "[" + rows + ", " + columns + "]");
            double[][] out = new double[rows][columns];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < columns; c++) {
                    out[r][c] = raw[r * columns + c];
                }
            }
            return out;
        }

        private float[] raw(String name, int length, String shape) {
            float[] raw = map.get(name);
            if (raw == null) {
                throw new IllegalArgumentException("missing weight " + name + " " + shape);
            }
            if (raw.length != length) {
                throw new IllegalArgumentException("weight " + name + " has " + raw.length + " values, expected " + shape);
            }
            return raw;
        }
    }
}
