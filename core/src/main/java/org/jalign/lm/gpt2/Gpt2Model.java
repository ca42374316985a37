package org.jalign.lm.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import org.jalign.lm.Activation;
import org.jalign.lm.Architecture;
import org.jalign.lm.Attention;
import org.jalign.lm.DecoderModel;
import org.jalign.lm.KvCache;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.TensorSource;

import java.io.IOException;

/**
 * GPT-2 decoder. Per layer: h = x + c_proj(attn(LN₁(x))); out = h + mlp.c_proj(act(c_fc(LN₂(h)))).
 * Input = wte[token] + wpe[position]; output = LN_f(x)·wteᵀ.
 */
public final class Gpt2Model implements DecoderModel {

    record Layer(NDArray norm1Weight, NDArray norm1Bias, NDArray qkvWeight, NDArray qkvBias, NDArray outWeight,
                 NDArray outBias, NDArray norm2Weight, NDArray norm2Bias, NDArray fcWeight, NDArray fcBias,
                 NDArray projWeight, NDArray projBias) {
    }

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray tokenEmbedding;    // (V, C)
    private final NDArray positionEmbedding; // (P, C)
    private final NDArray head;              // (V, C)
    private final NDArray finalNormWeight;
    private final NDArray finalNormBias;
    private final Layer[] layers;

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
        NDArray wte = tensor(manager, source, prefix + "wte.weight", config.vocabSize(), c);
        NDArray wpe = tensor(manager, source, prefix + "wpe.weight", config.maxPositions(), c);
        NDArray head = config.tieWordEmbeddings() || !source.contains("lm_head.weight")
                ? wte : tensor(manager, source, "lm_head.weight", config.vocabSize(), c);
        Layer[] layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = prefix + "h." + i + ".";
            layers[i] = new Layer(
                    tensor(manager, source, p + "ln_1.weight", c), tensor(manager, source, p + "ln_1.bias", c),
                    conv1d(manager, source, p + "attn.c_attn.weight", c, 3 * c),
                    tensor(manager, source, p + "attn.c_attn.bias", 3 * c),
                    conv1d(manager, source, p + "attn.c_proj.weight", c, c),
                    tensor(manager, source, p + "attn.c_proj.bias", c),
                    tensor(manager, source, p + "ln_2.weight", c), tensor(manager, source, p + "ln_2.bias", c),
                    conv1d(manager, source, p + "mlp.c_fc.weight", c, inter),
                    tensor(manager, source, p + "mlp.c_fc.bias", inter),
                    conv1d(manager, source, p + "mlp.c_proj.weight", inter, c),
                    tensor(manager, source, p + "mlp.c_proj.bias", c));
        }
        return new Gpt2Model(config, manager, wte, wpe, head,
                tensor(manager, source, prefix + "ln_f.weight", c), tensor(manager, source, prefix + "ln_f.bias", c),
                layers);
    }

    private static NDArray tensor(NDManager m, TensorSource source, String name, long... shape) throws IOException {
        return m.create(source.readChecked(name, shape), new Shape(shape));
    }

    /** A Conv1D weight stored [in, out], returned as an [out, in] view (BLAS reads either layout). */
    private static NDArray conv1d(NDManager m, TensorSource source, String name, long in, long out) throws IOException {
        try (NDArray stored = tensor(m, source, name, in, out)) {
            return stored.transpose().duplicate();
        }
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
            NDArray qkv = linear(layerNorm(x, layer.norm1Weight, layer.norm1Bias), layer.qkvWeight, layer.qkvBias);
            NDArray q = qkv.get(new NDIndex(":, :, :{}", c)).reshape(b, t, heads, hd);
            NDArray k = qkv.get(new NDIndex(":, :, {}:{}", c, 2 * c)).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray v = qkv.get(new NDIndex(":, :, {}:", 2 * c)).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            if (cache != null) {
                NDArray[] kvAll = cache.append(i, k, v);
                k = kvAll[0];
                v = kvAll[1];
            }
            x = x.add(linear(Attention.attend(q, k, v, mask), layer.outWeight, layer.outBias));
            NDArray hidden = linear(layerNorm(x, layer.norm2Weight, layer.norm2Bias), layer.fcWeight, layer.fcBias);
            x = x.add(linear(activate(hidden), layer.projWeight, layer.projBias));
        }
        if (cache != null) {
            cache.advance(t);
        }
        return layerNorm(x, finalNormWeight, finalNormBias);
    }

    @Override
    public NDArray logits(NDArray hidden) {
        return Linear.linear(hidden, head).singletonOrThrow();
    }

    private NDArray activate(NDArray x) {
        if (config.activation() == Activation.GELU) {
            return ai.djl.nn.Activation.gelu(x);
        }
        // gelu_new (Hendrycks & Gimpel 2016, tanh form): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
        NDArray inner = x.mul(x).mul(x).mul(0.044715f).add(x).mul(SQRT_2_OVER_PI).tanh();
        return inner.add(1f).mul(x).mul(0.5f);
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), weight, bias, (float) config.normEps())
                .singletonOrThrow();
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
