package org.jalign.lm.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import org.jalign.lm.Activation;
import org.jalign.lm.Architecture;
import org.jalign.lm.Attention;
import org.jalign.lm.DecoderModel;
import org.jalign.lm.KvCache;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.Parameter;
import org.jalign.lm.TensorSource;
import org.jalign.lm.Tensors;
import org.jalign.lm.lora.LoraAdapters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 decoder. Per layer: h = x + c_proj(attn(LN₁(x))); out = h + mlp.c_proj(act(c_fc(LN₂(h)))).
 * Input = wte[token] + wpe[position]; output = LN_f(x)·wteᵀ.
 *
 * <p>Conv1D weights are already [in, out], the layout every projection here multiplies with
 * (activations stay token-major: LayerNorm over the last axis is one fused op).
 */
public final class Gpt2Model implements DecoderModel {

    record Layer(NDArray norm1Weight, NDArray norm1Bias, NDArray qkvWeight, NDArray qkvBias, NDArray outWeight,
                 NDArray outBias, NDArray norm2Weight, NDArray norm2Bias, NDArray fcWeight, NDArray fcBias,
                 NDArray projWeight, NDArray projBias) {
    }


    /** HF's GPT2LMHeadModel holds the blocks under {@code transformer.}: PEFT keys name it. */
    private static final String MODULE_PREFIX = "transformer.";

    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray tokenEmbedding;    // (V, C)
    private final NDArray positionEmbedding; // (P, C)
    private final NDArray head;              // (V, C), the token embedding itself when tied
    private final NDArray finalNormWeight;
    private final NDArray finalNormBias;
    private final Layer[] layers;
    private final NDArray attentionScale;
    private final NDArray cubicCoefficient;   // gelu_new constants, made once (a scalar per op costs ~10 µs)
    private final NDArray sqrtTwoOverPi;
    private final NDArray one;
    private final NDArray half;
    private final NDIndex queryPart;
    private final NDIndex keyPart;
    private final NDIndex valuePart;
    private final Map<String, long[]> projections; // HF module path → {in, out}
    private LoraAdapters adapters;

    private Gpt2Model(ModelConfig config, NDManager manager, NDArray tokenEmbedding, NDArray positionEmbedding,
                      NDArray head, NDArray finalNormWeight, NDArray finalNormBias, Layer[] layers) {
        this.config = config;
        this.manager = manager;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.head = head;
        this.finalNormWeight = finalNormWeight;
        this.finalNormBias = finalNormBias;
        this.layers = layers;
        long c = config.hiddenSize();
        this.attentionScale = manager.create((float) (1.0 / Math.sqrt(config.headDim())));
        this.cubicCoefficient = manager.create(0.044715f);
        this.sqrtTwoOverPi = manager.create((float) Math.sqrt(2 / Math.PI));
        this.one = manager.create(1f);
        this.half = manager.create(0.5f);
        this.queryPart = new NDIndex().addAllDim().addAllDim().addSliceDim(0, c);
        this.keyPart = new NDIndex().addAllDim().addAllDim().addSliceDim(c, 2 * c);
        this.valuePart = new NDIndex().addAllDim().addAllDim().addSliceDim(2 * c, 3 * c);
        long inter = config.intermediateSize();
        Map<String, long[]> p = new LinkedHashMap<>();
        for (int i = 0; i < config.numLayers(); i++) {
            String module = MODULE_PREFIX + "h." + i + ".";
            p.put(module + "attn.c_attn", new long[] {c, 3 * c});
            p.put(module + "attn.c_proj", new long[] {c, c});
            p.put(module + "mlp.c_fc", new long[] {c, inter});
            p.put(module + "mlp.c_proj", new long[] {inter, c});
        }
        this.projections = java.util.Collections.unmodifiableMap(p);
    }

    /**
     * Builds the model from HF-named tensors, with or without the {@code transformer.} prefix that
     * some GPT-2 checkpoints carry. Buffers such as {@code h.0.attn.bias} (the causal mask) are ignored.
     */
    public static Gpt2Model load(ModelConfig config, TensorSource source, NDManager manager) throws IOException {
        if (config.architecture() != Architecture.GPT2) {
            throw new IllegalArgumentException("Gpt2Model cannot load a " + config.architecture() + " config");
        }
        String prefix = source.contains("transformer.wte.weight") ? "transformer." : "";
        long c = config.hiddenSize();
        long inter = config.intermediateSize();
        NDArray wpe = Tensors.load(manager, source, prefix + "wpe.weight", config.maxPositions(), c);
        NDArray wte = Tensors.load(manager, source, prefix + "wte.weight", config.vocabSize(), c);
        NDArray head = config.tieWordEmbeddings() || !source.contains("lm_head.weight")
                ? wte : Tensors.load(manager, source, "lm_head.weight", config.vocabSize(), c);
        Layer[] layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = prefix + "h." + i + ".";
            layers[i] = new Layer(
                    Tensors.load(manager, source, p + "ln_1.weight", c), Tensors.load(manager, source, p + "ln_1.bias", c),
                    Tensors.load(manager, source, p + "attn.c_attn.weight", c, 3 * c),
                    Tensors.load(manager, source, p + "attn.c_attn.bias", 3 * c),
                    Tensors.load(manager, source, p + "attn.c_proj.weight", c, c),
                    Tensors.load(manager, source, p + "attn.c_proj.bias", c),
                    Tensors.load(manager, source, p + "ln_2.weight", c), Tensors.load(manager, source, p + "ln_2.bias", c),
                    Tensors.load(manager, source, p + "mlp.c_fc.weight", c, inter),
                    Tensors.load(manager, source, p + "mlp.c_fc.bias", inter),
                    Tensors.load(manager, source, p + "mlp.c_proj.weight", inter, c),
                    Tensors.load(manager, source, p + "mlp.c_proj.bias", c));
        }
        return new Gpt2Model(config, manager, wte, wpe, head,
                Tensors.load(manager, source, prefix + "ln_f.weight", c), Tensors.load(manager, source, prefix + "ln_f.bias", c),
                layers);
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
        return new KvCache(m, config.numLayers(), batch, config.numHeads(), capacity, config.headDim());
    }

    @Override
    public NDArray hiddenStates(NDArray inputIds, NDArray positionIds, NDArray attentionMask, KvCache cache) {
        NDManager scope = inputIds.getManager();
        long b = inputIds.getShape().get(0);
        int t = (int) inputIds.getShape().get(1);
        int past = cache == null ? 0 : cache.length();
        int heads = config.numHeads();
        int hd = config.headDim();
        long c = config.hiddenSize();
        NDArray mask = Attention.additiveMask(attentionMask, t, past);
        NDArray x = tokenEmbedding.get(scope, new NDIndex("{}", inputIds))
                .add(positionEmbedding.get(scope, new NDIndex("{}", positionIds)));   // (B, T, C)
        for (int i = 0; i < layers.length; i++) {
            Layer layer = layers[i];
            String module = MODULE_PREFIX + "h." + i + ".";
            NDArray normed = layerNorm(x, layer.norm1Weight, layer.norm1Bias);
            NDArray qkv = withAdapter(linear(normed, layer.qkvWeight, layer.qkvBias), normed, module + "attn.c_attn");
            NDArray q = qkv.get(queryPart).reshape(b, t, heads, hd);
            NDArray k = qkv.get(keyPart).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray v = qkv.get(valuePart).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            if (cache != null) {
                NDArray[] kvAll = cache.append(i, k, v);
                k = kvAll[0];
                v = kvAll[1];
            }
            NDArray attended = Attention.attend(q, k, v, mask, attentionScale);
            x = x.add(withAdapter(linear(attended, layer.outWeight, layer.outBias), attended, module + "attn.c_proj"));
            NDArray normed2 = layerNorm(x, layer.norm2Weight, layer.norm2Bias);
            NDArray hidden = withAdapter(linear(normed2, layer.fcWeight, layer.fcBias), normed2, module + "mlp.c_fc");
            NDArray activated = activate(hidden);
            x = x.add(withAdapter(linear(activated, layer.projWeight, layer.projBias), activated, module + "mlp.c_proj"));
        }
        if (cache != null) {
            cache.advance(t);
        }
        return layerNorm(x, finalNormWeight, finalNormBias);
    }

    @Override
    public NDArray logits(NDArray hidden) {
        return Tensors.logits(hidden, head);
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>();
        p.add(new Parameter("wte.weight", tokenEmbedding));
        p.add(new Parameter("wpe.weight", positionEmbedding));
        for (int i = 0; i < layers.length; i++) {
            layerTensors(i).forEach((name, array) -> p.add(new Parameter(name, array)));
        }
        p.add(new Parameter("ln_f.weight", finalNormWeight));
        p.add(new Parameter("ln_f.bias", finalNormBias));
        if (head != tokenEmbedding) {
            p.add(new Parameter("lm_head.weight", head));
        }
        return p;
    }

    @Override
    public Map<String, float[]> exportWeights() {
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Parameter p : parameters()) {
            w.put(p.name(), p.array().toFloatArray());
        }
        return w;
    }

    private NDArray withAdapter(NDArray y, NDArray input, String module) {
        if (adapters == null) {
            return y;
        }
        NDArray delta = adapters.deltaRows(module, input);
        return delta == null ? y : y.add(delta);
    }

    @Override
    public Map<String, long[]> projections() {
        return projections;
    }

    @Override
    public boolean projectionsStoredInOut() {
        return true;
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
        for (int i = 0; i < layers.length; i++) {
            String module = MODULE_PREFIX + "h." + i + ".";
            Layer l = layers[i];
            mergeInto(l.qkvWeight, module + "attn.c_attn");
            mergeInto(l.outWeight, module + "attn.c_proj");
            mergeInto(l.fcWeight, module + "mlp.c_fc");
            mergeInto(l.projWeight, module + "mlp.c_proj");
        }
        adapters.close();
        adapters = null;
    }

    /** Conv1D stores [in, out]: adds ((α/r)·B·A)ᵀ in place. */
    private void mergeInto(NDArray weight, String module) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray delta = adapters.mergedDelta(module);
            if (delta != null) {
                delta.attach(scope);
                weight.addi(delta.transpose());
            }
        }
    }

    /** Layer i's arrays under their HF names; every one is stored exactly as HF stores it. */
    private Map<String, NDArray> layerTensors(int i) {
        Layer l = layers[i];
        String n = "h." + i + ".";
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put(n + "ln_1.weight", l.norm1Weight);
        m.put(n + "ln_1.bias", l.norm1Bias);
        m.put(n + "attn.c_attn.weight", l.qkvWeight);
        m.put(n + "attn.c_attn.bias", l.qkvBias);
        m.put(n + "attn.c_proj.weight", l.outWeight);
        m.put(n + "attn.c_proj.bias", l.outBias);
        m.put(n + "ln_2.weight", l.norm2Weight);
        m.put(n + "ln_2.bias", l.norm2Bias);
        m.put(n + "mlp.c_fc.weight", l.fcWeight);
        m.put(n + "mlp.c_fc.bias", l.fcBias);
        m.put(n + "mlp.c_proj.weight", l.projWeight);
        m.put(n + "mlp.c_proj.bias", l.projBias);
        return m;
    }

    private NDArray activate(NDArray x) {
        if (config.activation() == Activation.GELU) {
            return ai.djl.nn.Activation.gelu(x);
        }
        // gelu_new (Hendrycks & Gimpel 2016, tanh form): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
        NDArray inner = x.mul(x).mul(x).mul(cubicCoefficient).add(x).mul(sqrtTwoOverPi).tanh();
        return inner.add(one).mul(x).mul(half);
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), weight, bias, (float) config.normEps())
                .singletonOrThrow();
    }

    /** x·W + b with W held [in, out] (Conv1D's own layout). */
    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.matMul(weight).add(bias);
    }

    @Override
    public void close() {
        manager.close();
    }
}
