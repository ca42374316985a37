package org.jalign.lm.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.jalign.lm.Architecture;
import org.jalign.lm.Attention;
import org.jalign.lm.DecodeEngine;
import org.jalign.lm.DecodeSession;
import org.jalign.lm.DecoderModel;
import org.jalign.lm.DjlDecodeSession;
import org.jalign.lm.KvCache;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.Parameter;
import org.jalign.lm.TensorSource;
import org.jalign.lm.Tensors;
import org.jalign.lm.kernel.Matrix;
import org.jalign.lm.lora.LoraAdapters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Llama / Qwen2 decoder (HF {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}).
 *
 * <p>Per layer: h = x + o(attn(rope(q), rope(k), v)) with q|k|v = W_qkv·RMSNorm(x);
 * out = h + down(silu(gate) ⊙ up) with gate|up = W_gu·RMSNorm(h).
 *
 * <p>Activations run feature-major: the residual stream is (C, N) for N = B·T tokens, and every
 * projection is W·X with W in Hugging Face's own [out, in] layout. Decoding multiplies a large
 * weight by a handful of columns; with the weight as the left operand MKL streams it once instead
 * of packing it per call, which measured 1.3–1.8× faster per projection on 2 cores when the
 * weights are not in cache (they never are: a model is larger than L3). The price is a few small
 * permutes of q/k/v per layer, which cost microseconds.
 */
public final class LlamaModel implements DecoderModel {

    /** One transformer block's weights, [in, out], fused where noted. */
    record Layer(NDArray inputNorm, NDArray qkvWeight, NDArray qkvBias, NDArray outWeight, NDArray outBias,
                 NDArray postNorm, NDArray gateUpWeight, NDArray gateUpBias, NDArray downWeight, NDArray downBias) {
    }

    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray embedding;   // (V, C)
    private final NDArray head;        // (V, C), the embedding itself when tied
    private final NDArray finalNorm;   // (C)
    private final Layer[] layers;
    private final NDArray cosTable;    // (P, hd)
    private final NDArray sinTable;    // (P, hd)
    private final NDArray rotateHalf;  // (hd, hd): R·x = rotate_half(x) = [−x2, x1] for a column x
    private final NDArray normEps;     // scalars made once: creating one per use costs ~10 µs
    private final NDArray attentionScale;
    // fixed slices of the fused projections
    private final long[] qkvSplit;     // row offsets splitting q|k from v (one split: its backward is one concat)
    private final NDIndex queryHeads;
    private final NDIndex keyHeads;
    private final long[] gateUpSplit;  // row offset between gate and up
    private final Map<String, long[]> projections; // module path → {in, out}
    private final float[] ropeCos;     // (P, hd/2) for the Java decode path
    private final float[] ropeSin;
    private LoraAdapters adapters;
    private KernelWeights kernelWeights; // views of the weights for the Java decode path, made on first use

    /** One layer's weights as the Java kernels read them: views of the DJL tensors' storage. */
    record KernelLayer(Matrix inputNorm, Matrix qkv, Matrix qkvBias, Matrix out, Matrix outBias, Matrix postNorm,
                       Matrix gateUp, Matrix gateUpBias, Matrix down, Matrix downBias) {
    }

    /** A LoRA adapter as the Java kernels read it: Δ rows [rowOffset, rowOffset + out) of a fused output += scale·B·(A·x). */
    record KernelAdapter(Matrix a, Matrix b, int rowOffset) {
    }

    /** Every weight of the model as the Java kernels read them, and the RoPE tables (P, hd/2). */
    record KernelWeights(Matrix embedding, Matrix head, Matrix finalNorm, KernelLayer[] layers, float[] cos,
                         float[] sin) {
    }

    private LlamaModel(ModelConfig config, NDManager manager, NDArray embedding, NDArray head, NDArray finalNorm,
                       Layer[] layers) {
        this.config = config;
        this.manager = manager;
        this.embedding = embedding;
        this.head = head;
        this.finalNorm = finalNorm;
        this.layers = layers;
        int hd = config.headDim();
        int positions = config.maxPositions();
        double[] inv = config.ropeScaling().inverseFrequencies(hd, config.ropeTheta());
        float[] cos = new float[positions * hd];
        float[] sin = new float[positions * hd];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < hd / 2; i++) {
                double angle = p * inv[i];
                cos[p * hd + i] = cos[p * hd + i + hd / 2] = (float) Math.cos(angle);
                sin[p * hd + i] = sin[p * hd + i + hd / 2] = (float) Math.sin(angle);
            }
        }
        this.ropeCos = new float[positions * hd / 2];
        this.ropeSin = new float[positions * hd / 2];
        for (int p = 0; p < positions; p++) {
            System.arraycopy(cos, p * hd, ropeCos, p * hd / 2, hd / 2);
            System.arraycopy(sin, p * hd, ropeSin, p * hd / 2, hd / 2);
        }
        this.cosTable = manager.create(cos, new Shape(positions, hd));
        this.sinTable = manager.create(sin, new Shape(positions, hd));
        float[] r = new float[hd * hd];
        for (int j = 0; j < hd / 2; j++) {
            r[j * hd + j + hd / 2] = -1f;    // out[j] = −x[j + hd/2]
            r[(j + hd / 2) * hd + j] = 1f;   // out[j + hd/2] = x[j]
        }
        this.rotateHalf = manager.create(r, new Shape(hd, hd));
        this.normEps = manager.create((float) config.normEps());
        this.attentionScale = manager.create((float) (1.0 / Math.sqrt(hd)));
        int heads = config.numHeads();
        int kvHeads = config.numKeyValueHeads();
        int inter = config.intermediateSize();
        // row slices of feature-major arrays: contiguous views
        this.qkvSplit = new long[] {(long) (heads + kvHeads) * hd};
        this.queryHeads = new NDIndex().addSliceDim(0, heads);
        this.keyHeads = new NDIndex().addSliceDim(heads, heads + kvHeads);
        this.gateUpSplit = new long[] {inter};
        long c = config.hiddenSize();
        long q = (long) heads * hd;
        long kv = (long) kvHeads * hd;
        Map<String, long[]> p = new LinkedHashMap<>();
        for (int i = 0; i < config.numLayers(); i++) {
            String module = "model.layers." + i + ".";
            p.put(module + "self_attn.q_proj", new long[] {c, q});
            p.put(module + "self_attn.k_proj", new long[] {c, kv});
            p.put(module + "self_attn.v_proj", new long[] {c, kv});
            p.put(module + "self_attn.o_proj", new long[] {q, c});
            p.put(module + "mlp.gate_proj", new long[] {c, inter});
            p.put(module + "mlp.up_proj", new long[] {c, inter});
            p.put(module + "mlp.down_proj", new long[] {inter, c});
        }
        this.projections = java.util.Collections.unmodifiableMap(p);
    }

    /** Builds the model from HF-named tensors, checking every shape against the config. */
    public static LlamaModel load(ModelConfig config, TensorSource source, NDManager manager) throws IOException {
        if (config.architecture() != Architecture.LLAMA && config.architecture() != Architecture.QWEN2) {
            throw new IllegalArgumentException("LlamaModel cannot load a " + config.architecture() + " config");
        }
        long c = config.hiddenSize();
        long q = (long) config.numHeads() * config.headDim();
        long kv = (long) config.numKeyValueHeads() * config.headDim();
        long inter = config.intermediateSize();
        long vocab = config.vocabSize();
        NDArray embedding = Tensors.load(manager, source, "model.embed_tokens.weight", vocab, c);
        NDArray head = config.tieWordEmbeddings() ? embedding : Tensors.load(manager, source, "lm_head.weight", vocab, c);
        Layer[] layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            NDArray qkv = (concat(Tensors.load(manager, source, p + "self_attn.q_proj.weight", q, c),
                    Tensors.load(manager, source, p + "self_attn.k_proj.weight", kv, c),
                    Tensors.load(manager, source, p + "self_attn.v_proj.weight", kv, c)));
            NDArray qkvBias = config.qkvBias() ? column(concat(Tensors.load(manager, source, p + "self_attn.q_proj.bias", q),
                    Tensors.load(manager, source, p + "self_attn.k_proj.bias", kv),
                    Tensors.load(manager, source, p + "self_attn.v_proj.bias", kv))) : null;
            NDArray out = (Tensors.load(manager, source, p + "self_attn.o_proj.weight", c, q));
            NDArray outBias = config.outputBias() ? column(Tensors.load(manager, source, p + "self_attn.o_proj.bias", c)) : null;
            NDArray gateUp = (concat(Tensors.load(manager, source, p + "mlp.gate_proj.weight", inter, c),
                    Tensors.load(manager, source, p + "mlp.up_proj.weight", inter, c)));
            NDArray gateUpBias = config.mlpBias() ? column(concat(Tensors.load(manager, source, p + "mlp.gate_proj.bias", inter),
                    Tensors.load(manager, source, p + "mlp.up_proj.bias", inter))) : null;
            NDArray down = (Tensors.load(manager, source, p + "mlp.down_proj.weight", c, inter));
            NDArray downBias = config.mlpBias() ? column(Tensors.load(manager, source, p + "mlp.down_proj.bias", c)) : null;
            layers[i] = new Layer(column(Tensors.load(manager, source, p + "input_layernorm.weight", c)), qkv, qkvBias,
                    out, outBias, column(Tensors.load(manager, source, p + "post_attention_layernorm.weight", c)),
                    gateUp, gateUpBias, down, downBias);
        }
        NDArray finalNorm = column(Tensors.load(manager, source, "model.norm.weight", c));
        return new LlamaModel(config, manager, embedding, head, finalNorm, layers);
    }

    /** A vector (n) as a column (n, 1), to broadcast over the token axis of feature-major arrays. */
    private static NDArray column(NDArray vector) {
        return vector.reshape(vector.getShape().get(0), 1);
    }

    private static NDArray concat(NDArray... parts) {
        NDArray joined = NDArrays.concat(new NDList(parts), 0);
        for (NDArray p : parts) {
            p.close();
        }
        return joined;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public KvCache newCache(NDManager m, int batch, int capacity) {
        return new KvCache(m, config.numLayers(), batch, config.numKeyValueHeads(), capacity, config.headDim());
    }

    /**
     * The Java Vector API path ({@link LlamaDecodeSession}) when the engine and the model allow it,
     * else DJL's. The Java path needs {@code jdk.incubator.vector} and float32 CPU weights of under
     * 2 GB each. Enabled LoRA adapters are applied by the Java path too (read in place, like the
     * weights), except in training mode, whose dropout stays on DJL.
     */
    @Override
    public DecodeSession newDecodeSession(int rows, int capacity, boolean argMaxOnly, DecodeEngine engine) {
        String unavailable = engine == DecodeEngine.DJL ? null : javaPathUnavailable();
        if (engine == DecodeEngine.DJL || (engine == DecodeEngine.AUTO && unavailable != null)) {
            return new DjlDecodeSession(this, rows, capacity, argMaxOnly);
        }
        if (unavailable != null) {
            throw new IllegalStateException("the Java decode path does not apply: " + unavailable);
        }
        float loraScale = adapters == null ? 0f : (float) adapters.config().scale();
        return new LlamaDecodeSession(this, kernelWeights(), kernelAdapters(), loraScale, rows, capacity);
    }

    /** Why the Java decode path cannot run this model now, or null when it can. */
    private String javaPathUnavailable() {
        if (!DecodeEngine.vectorApiAvailable()) {
            return "the JVM was started without --add-modules jdk.incubator.vector";
        }
        if (adapters != null && adapters.enabled() && adapters.training()) {
            return "LoRA adapters are in training mode (their dropout is random)";
        }
        for (Parameter p : parameters()) {
            NDArray a = p.array();
            if (a.getDataType() != DataType.FLOAT32 || !a.getDevice().equals(Device.cpu())) {
                return p.name() + " is " + a.getDataType() + " on " + a.getDevice() + ", not float32 on the CPU";
            }
            long columns = a.getShape().dimension() == 2 ? a.getShape().get(1) : 1;
            if (!Matrix.fits(a.getShape().get(0), columns)) {
                return p.name() + " is larger than 2 GB";
            }
        }
        return null;
    }

    /**
     * Views of every weight for the Java kernels, made once. {@code toByteBuffer(true)} on a
     * contiguous float32 CPU tensor returns a direct buffer over the tensor's own storage
     * (docs/djl-notes.md), so updates made in place (optimizer steps, merged adapters) are seen.
     * All weights here are contiguous: loaded, concatenated, or reshaped without a transpose.
     */
    synchronized KernelWeights kernelWeights() {
        if (kernelWeights == null) {
            KernelLayer[] kl = new KernelLayer[layers.length];
            for (int i = 0; i < layers.length; i++) {
                Layer l = layers[i];
                kl[i] = new KernelLayer(view(l.inputNorm), view(l.qkvWeight), view(l.qkvBias), view(l.outWeight),
                        view(l.outBias), view(l.postNorm), view(l.gateUpWeight), view(l.gateUpBias),
                        view(l.downWeight), view(l.downBias));
            }
            kernelWeights = new KernelWeights(view(embedding), view(head), view(finalNorm), kl, ropeCos, ropeSin);
        }
        return kernelWeights;
    }

    /**
     * The enabled adapters as the Java kernels read them, per layer and projection (0 q|k|v, 1 o,
     * 2 gate|up, 3 down); empty lists without adapters. Made per session: adapters come and go.
     */
    private List<KernelAdapter>[][] kernelAdapters() {
        @SuppressWarnings("unchecked")
        List<KernelAdapter>[][] all = new List[layers.length][4];
        long q = (long) config.numHeads() * config.headDim();
        long kv = (long) config.numKeyValueHeads() * config.headDim();
        long inter = config.intermediateSize();
        for (int i = 0; i < layers.length; i++) {
            String m = "model.layers." + i + ".";
            all[i][0] = adaptersOf(new String[] {m + "self_attn.q_proj", m + "self_attn.k_proj", m + "self_attn.v_proj"},
                    new long[] {0, q, q + kv});
            all[i][1] = adaptersOf(new String[] {m + "self_attn.o_proj"}, new long[] {0});
            all[i][2] = adaptersOf(new String[] {m + "mlp.gate_proj", m + "mlp.up_proj"}, new long[] {0, inter});
            all[i][3] = adaptersOf(new String[] {m + "mlp.down_proj"}, new long[] {0});
        }
        return all;
    }

    private List<KernelAdapter> adaptersOf(String[] modules, long[] rowOffsets) {
        List<KernelAdapter> found = new ArrayList<>();
        for (int k = 0; adapters != null && k < modules.length; k++) {
            NDArray[] pair = adapters.activePair(modules[k]);
            if (pair != null) {
                found.add(new KernelAdapter(view(pair[0]), view(pair[1]), (int) rowOffsets[k]));
            }
        }
        return found;
    }

    /** A matrix over {@code array}'s own storage ((n) and (n, 1) arrays as one column), or null for null. */
    private static Matrix view(NDArray array) {
        if (array == null) {
            return null;
        }
        Shape shape = array.getShape();
        int rows = (int) shape.get(0);
        int columns = shape.dimension() == 2 ? (int) shape.get(1) : 1;
        return new Matrix(array.toByteBuffer(true), rows, columns);
    }

    @Override
    public NDArray hiddenStates(NDArray inputIds, NDArray positionIds, NDArray attentionMask, KvCache cache) {
        NDManager scope = inputIds.getManager();
        long b = inputIds.getShape().get(0);
        long t = inputIds.getShape().get(1);
        long n = b * t;
        long c = config.hiddenSize();
        int past = cache == null ? 0 : cache.length();
        int heads = config.numHeads();
        int kvHeads = config.numKeyValueHeads();
        int groups = heads / kvHeads;
        int hd = config.headDim();
        NDArray tokens = inputIds.reshape(n);
        NDArray positions = positionIds.reshape(n);
        NDArray cos = cosTable.get(scope, new NDIndex("{}", positions)).transpose().reshape(1, hd, n);  // (1, hd, N)
        NDArray sin = sinTable.get(scope, new NDIndex("{}", positions)).transpose().reshape(1, hd, n);
        NDArray mask = Attention.additiveMask(attentionMask, (int) t, past);
        // (N, C) rows → the (C, N) residual stream; reshape(-1) of the transpose makes it contiguous
        NDArray x = embedding.get(scope, new NDIndex("{}", tokens)).transpose().reshape(-1).reshape(c, n);
        for (int i = 0; i < layers.length; i++) {
            Layer layer = layers[i];
            String module = "model.layers." + i + ".";
            NDArray normed = rmsNorm(x, layer.inputNorm);
            NDArray qkv = withAdapters(project(layer.qkvWeight, normed, layer.qkvBias), normed,
                    module + "self_attn.q_proj", module + "self_attn.k_proj", module + "self_attn.v_proj"); // (F, N)
            // 1. rotary embedding on q and k together: x·cos + rotate_half(x)·sin per head
            // split, not two slices: a slice's backward zero-fills a full-size gradient each
            NDList qkAndV = qkv.split(qkvSplit, 0);
            NDArray qk = qkAndV.get(0).reshape(heads + kvHeads, hd, n);
            NDArray rotated = rotateHalf.matMul(qk);
            rotated.attach(scope);
            qk = qk.mul(cos).add(rotated.mul(sin));
            NDArray q = qk.get(queryHeads).reshape(kvHeads, groups, hd, b, t)
                    .transpose(3, 0, 1, 4, 2);                                              // (B, KV, G, T, hd)
            NDArray k = qk.get(keyHeads).reshape(kvHeads, hd, b, t).transpose(2, 0, 3, 1);  // (B, KV, T, hd)
            NDArray v = qkAndV.get(1).reshape(kvHeads, hd, b, t).transpose(2, 0, 3, 1);    // (B, KV, T, hd)
            // 2. attend over the past and the present
            if (cache != null) {
                NDArray[] kvAll = cache.append(i, k, v);
                k = kvAll[0];
                v = kvAll[1];
            }
            NDArray attended = Attention.attendGrouped(q, k, v, mask, attentionScale)     // (B, KV, G, T, hd)
                    .transpose(1, 2, 4, 0, 3).reshape((long) heads * hd, n);             // (H·hd, N)
            x = x.add(withAdapters(project(layer.outWeight, attended, layer.outBias), attended,
                    module + "self_attn.o_proj"));
            // 3. gated MLP
            NDArray normed2 = rmsNorm(x, layer.postNorm);
            NDArray gateUp = withAdapters(project(layer.gateUpWeight, normed2, layer.gateUpBias), normed2,
                    module + "mlp.gate_proj", module + "mlp.up_proj");                               // (2I, N)
            NDList gateAndUp = gateUp.split(gateUpSplit, 0);
            NDArray gate = gateAndUp.get(0);
            NDArray activated = Activation.sigmoid(gate).mul(gate).mul(gateAndUp.get(1));
            x = x.add(withAdapters(project(layer.downWeight, activated, layer.downBias), activated,
                    module + "mlp.down_proj"));
        }
        if (cache != null) {
            cache.advance((int) t);
        }
        return rmsNorm(x, finalNorm).reshape(c, b, t).transpose(1, 2, 0);                 // (B, T, C) view
    }

    @Override
    public NDArray logits(NDArray hidden) {
        return Tensors.logits(hidden, head);
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>();
        p.add(new Parameter("model.embed_tokens.weight", embedding));
        for (int i = 0; i < layers.length; i++) {
            String n = "model.layers." + i + ".";
            Layer l = layers[i];
            p.add(new Parameter(n + "input_layernorm.weight", l.inputNorm));
            p.add(new Parameter(n + "self_attn.qkv_proj.weight", l.qkvWeight));
            if (l.qkvBias != null) {
                p.add(new Parameter(n + "self_attn.qkv_proj.bias", l.qkvBias));
            }
            p.add(new Parameter(n + "self_attn.o_proj.weight", l.outWeight));
            if (l.outBias != null) {
                p.add(new Parameter(n + "self_attn.o_proj.bias", l.outBias));
            }
            p.add(new Parameter(n + "post_attention_layernorm.weight", l.postNorm));
            p.add(new Parameter(n + "mlp.gate_up_proj.weight", l.gateUpWeight));
            if (l.gateUpBias != null) {
                p.add(new Parameter(n + "mlp.gate_up_proj.bias", l.gateUpBias));
            }
            p.add(new Parameter(n + "mlp.down_proj.weight", l.downWeight));
            if (l.downBias != null) {
                p.add(new Parameter(n + "mlp.down_proj.bias", l.downBias));
            }
        }
        p.add(new Parameter("model.norm.weight", finalNorm));
        if (head != embedding) {
            p.add(new Parameter("lm_head.weight", head));
        }
        return p;
    }

    @Override
    public Map<String, float[]> exportWeights() {
        long q = (long) config.numHeads() * config.headDim();
        long kv = (long) config.numKeyValueHeads() * config.headDim();
        long inter = config.intermediateSize();
        Map<String, float[]> w = new LinkedHashMap<>();
        w.put("model.embed_tokens.weight", embedding.toFloatArray());
        for (int i = 0; i < layers.length; i++) {
            String n = "model.layers." + i + ".";
            Layer l = layers[i];
            w.put(n + "input_layernorm.weight", l.inputNorm.toFloatArray());
            w.put(n + "self_attn.q_proj.weight", Tensors.rows(l.qkvWeight, 0, q));
            w.put(n + "self_attn.k_proj.weight", Tensors.rows(l.qkvWeight, q, q + kv));
            w.put(n + "self_attn.v_proj.weight", Tensors.rows(l.qkvWeight, q + kv, q + 2 * kv));
            if (l.qkvBias != null) {
                w.put(n + "self_attn.q_proj.bias", Tensors.rows(l.qkvBias, 0, q));
                w.put(n + "self_attn.k_proj.bias", Tensors.rows(l.qkvBias, q, q + kv));
                w.put(n + "self_attn.v_proj.bias", Tensors.rows(l.qkvBias, q + kv, q + 2 * kv));
            }
            w.put(n + "self_attn.o_proj.weight", l.outWeight.toFloatArray());
            if (l.outBias != null) {
                w.put(n + "self_attn.o_proj.bias", l.outBias.toFloatArray());
            }
            w.put(n + "post_attention_layernorm.weight", l.postNorm.toFloatArray());
            w.put(n + "mlp.gate_proj.weight", Tensors.rows(l.gateUpWeight, 0, inter));
            w.put(n + "mlp.up_proj.weight", Tensors.rows(l.gateUpWeight, inter, 2 * inter));
            w.put(n + "mlp.down_proj.weight", l.downWeight.toFloatArray());
            if (l.gateUpBias != null) {
                w.put(n + "mlp.gate_proj.bias", Tensors.rows(l.gateUpBias, 0, inter));
                w.put(n + "mlp.up_proj.bias", Tensors.rows(l.gateUpBias, inter, 2 * inter));
                w.put(n + "mlp.down_proj.bias", l.downBias.toFloatArray());
            }
        }
        w.put("model.norm.weight", finalNorm.toFloatArray());
        if (head != embedding) {
            w.put("lm_head.weight", head.toFloatArray());
        }
        return w;
    }

    /**
     * y plus the adapters' contributions for the projections whose outputs are stacked in y, in
     * order (a fused projection lists its parts); parts without an adapter contribute zeros.
     */
    private NDArray withAdapters(NDArray y, NDArray input, String... modules) {
        if (adapters == null || !adapters.enabled()) {
            return y;
        }
        // y is this forward's own fresh output, so each delta is added in place into its rows:
        // no zero blocks for untargeted parts and no concatenation (autograd records the slices)
        long row = 0;
        for (String module : modules) {
            long out = projections.get(module)[1];
            NDArray delta = adapters.deltaColumns(module, input);
            if (delta != null) {
                NDArray rows = modules.length == 1 ? y : y.get(new NDIndex().addSliceDim(row, row + out));
                rows.addi(delta);
            }
            row += out;
        }
        return y;
    }

    @Override
    public Map<String, long[]> projections() {
        return projections;
    }

    @Override
    public boolean projectionsStoredInOut() {
        return false;
    }

    @Override
    public void setAdapters(LoraAdapters adapters) {
        this.adapters = adapters;
    }

    @Override
    public LoraAdapters adapters() {
        return adapters;
    }

    @Override
    public void mergeAdapters() {
        if (adapters == null) {
            return;
        }
        long q = (long) config.numHeads() * config.headDim();
        long kv = (long) config.numKeyValueHeads() * config.headDim();
        long inter = config.intermediateSize();
        for (int i = 0; i < layers.length; i++) {
            String module = "model.layers." + i + ".";
            Layer l = layers[i];
            mergeInto(l.qkvWeight, 0, module + "self_attn.q_proj");
            mergeInto(l.qkvWeight, q, module + "self_attn.k_proj");
            mergeInto(l.qkvWeight, q + kv, module + "self_attn.v_proj");
            mergeInto(l.outWeight, 0, module + "self_attn.o_proj");
            mergeInto(l.gateUpWeight, 0, module + "mlp.gate_proj");
            mergeInto(l.gateUpWeight, inter, module + "mlp.up_proj");
            mergeInto(l.downWeight, 0, module + "mlp.down_proj");
        }
        adapters.close();
        adapters = null;
    }

    /** Adds (α/r)·B·A of {@code module} into rows [rowOffset, rowOffset + out) of {@code weight}, in place. */
    private void mergeInto(NDArray weight, long rowOffset, String module) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray delta = adapters.mergedDelta(module);
            if (delta == null) {
                return;
            }
            delta.attach(scope);
            long out = delta.getShape().get(0);
            weight.get(new NDIndex().addSliceDim(rowOffset, rowOffset + out)).addi(delta);
        }
    }

    /** w ⊙ x / √(mean(x²) + ε), over the feature axis (0) of a (C, N) array. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray rms = x.square().mean(new int[] {0}, true).add(normEps).sqrt();
        return x.div(rms).mul(weight);
    }

    /** W·X (+ b) with W in HF's [out, in] layout and X feature-major (in, N). */
    private static NDArray project(NDArray weight, NDArray x, NDArray bias) {
        NDArray y = weight.matMul(x);
        y.attach(x.getManager()); // a result belongs to its first operand's manager: the model's
        return bias == null ? y : y.add(bias);
    }

    @Override
    public void close() {
        manager.close();
    }
}
