package org.jalign.lm.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import org.jalign.lm.Architecture;
import org.jalign.lm.Attention;
import org.jalign.lm.DecoderModel;
import org.jalign.lm.KvCache;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.TensorSource;

import java.io.IOException;

/**
 * Llama / Qwen2 decoder (HF {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}).
 *
 * <p>Per layer: h = x + o(attn(rope(q), rope(k), v)) with q|k|v = RMSNorm(x)·W_qkvᵀ;
 * out = h + down(silu(gate) ⊙ up) with gate|up = RMSNorm(h)·W_guᵀ.
 */
public final class LlamaModel implements DecoderModel {

    /** One transformer block's weights, HF [out, in] layout, fused where noted. */
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
    private final NDArray rotateHalf;  // (hd, hd): x·R = rotate_half(x) = [−x2, x1]

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
        this.cosTable = manager.create(cos, new Shape(positions, hd));
        this.sinTable = manager.create(sin, new Shape(positions, hd));
        float[] r = new float[hd * hd];
        for (int j = 0; j < hd / 2; j++) {
            r[(j + hd / 2) * hd + j] = -1f;  // out[j] = −x[j + hd/2]
            r[j * hd + j + hd / 2] = 1f;     // out[j + hd/2] = x[j]
        }
        this.rotateHalf = manager.create(r, new Shape(hd, hd));
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
        NDArray embedding = tensor(manager, source, "model.embed_tokens.weight", vocab, c);
        NDArray head;
        if (config.tieWordEmbeddings()) {
            head = embedding;
        } else {
            head = tensor(manager, source, "lm_head.weight", vocab, c);
        }
        Layer[] layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            NDArray qkv = concat(tensor(manager, source, p + "self_attn.q_proj.weight", q, c),
                    tensor(manager, source, p + "self_attn.k_proj.weight", kv, c),
                    tensor(manager, source, p + "self_attn.v_proj.weight", kv, c));
            NDArray qkvBias = config.qkvBias() ? concat(tensor(manager, source, p + "self_attn.q_proj.bias", q),
                    tensor(manager, source, p + "self_attn.k_proj.bias", kv),
                    tensor(manager, source, p + "self_attn.v_proj.bias", kv)) : null;
            NDArray out = tensor(manager, source, p + "self_attn.o_proj.weight", c, q);
            NDArray outBias = config.outputBias() ? tensor(manager, source, p + "self_attn.o_proj.bias", c) : null;
            NDArray gateUp = concat(tensor(manager, source, p + "mlp.gate_proj.weight", inter, c),
                    tensor(manager, source, p + "mlp.up_proj.weight", inter, c));
            NDArray gateUpBias = config.mlpBias() ? concat(tensor(manager, source, p + "mlp.gate_proj.bias", inter),
                    tensor(manager, source, p + "mlp.up_proj.bias", inter)) : null;
            NDArray down = tensor(manager, source, p + "mlp.down_proj.weight", c, inter);
            NDArray downBias = config.mlpBias() ? tensor(manager, source, p + "mlp.down_proj.bias", c) : null;
            layers[i] = new Layer(tensor(manager, source, p + "input_layernorm.weight", c), qkv, qkvBias, out, outBias,
                    tensor(manager, source, p + "post_attention_layernorm.weight", c), gateUp, gateUpBias, down,
                    downBias);
        }
        NDArray finalNorm = tensor(manager, source, "model.norm.weight", c);
        return new LlamaModel(config, manager, embedding, head, finalNorm, layers);
    }

    private static NDArray tensor(NDManager m, TensorSource source, String name, long... shape) throws IOException {
        return m.create(source.readChecked(name, shape), new Shape(shape));
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

    @Override
    public NDArray hiddenStates(NDArray inputIds, NDArray positionIds, NDArray attentionMask, KvCache cache) {
        NDManager scope = inputIds.getManager();
        long b = inputIds.getShape().get(0);
        int t = (int) inputIds.getShape().get(1);
        int past = cache == null ? 0 : cache.length();
        int heads = config.numHeads();
        int kvHeads = config.numKeyValueHeads();
        int hd = config.headDim();
        NDIndex byPosition = new NDIndex("{}", positionIds);
        NDArray cos = cosTable.get(scope, byPosition).reshape(b, t, 1, hd);
        NDArray sin = sinTable.get(scope, byPosition).reshape(b, t, 1, hd);
        NDArray mask = Attention.additiveMask(attentionMask, t, past);
        NDArray x = embedding.get(scope, new NDIndex("{}", inputIds));                // (B, T, C)
        for (int i = 0; i < layers.length; i++) {
            Layer layer = layers[i];
            NDArray qkv = linear(rmsNorm(x, layer.inputNorm), layer.qkvWeight, layer.qkvBias);
            // 1. rotary embedding on q and k together: x·cos + rotate_half(x)·sin
            NDArray qk = qkv.get(new NDIndex(":, :, :{}", (heads + kvHeads) * hd)).reshape(b, t, heads + kvHeads, hd);
            qk = qk.mul(cos).add(qk.matMul(rotateHalf).mul(sin));
            NDArray q = qk.get(new NDIndex(":, :, :{}", heads));                          // (B, T, H, hd)
            NDArray k = qk.get(new NDIndex(":, :, {}:", heads)).transpose(0, 2, 1, 3);  // (B, KV, T, hd)
            NDArray v = qkv.get(new NDIndex(":, :, {}:", (heads + kvHeads) * hd))
                    .reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);                   // (B, KV, T, hd)
            // 2. attend over the past and the present
            if (cache != null) {
                NDArray[] kvAll = cache.append(i, k, v);
                k = kvAll[0];
                v = kvAll[1];
            }
            NDArray attended = Attention.attend(q, k, v, mask);                          // (B, T, H·hd)
            x = x.add(linear(attended, layer.outWeight, layer.outBias));
            // 3. gated MLP
            NDArray gateUp = linear(rmsNorm(x, layer.postNorm), layer.gateUpWeight, layer.gateUpBias);
            int inter = config.intermediateSize();
            NDArray gate = gateUp.get(new NDIndex(":, :, :{}", inter));
            NDArray up = gateUp.get(new NDIndex(":, :, {}:", inter));
            NDArray activated = Activation.sigmoid(gate).mul(gate).mul(up);
            x = x.add(linear(activated, layer.downWeight, layer.downBias));
        }
        if (cache != null) {
            cache.advance(t);
        }
        return rmsNorm(x, finalNorm);
    }

    @Override
    public NDArray logits(NDArray hidden) {
        return linear(hidden, head, null);
    }

    /** w ⊙ x / √(mean(x²) + ε), over the last axis. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray inverseRms = x.square().mean(new int[] {-1}, true).add((float) config.normEps()).pow(-0.5f);
        return x.mul(inverseRms).mul(weight);
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return bias == null ? Linear.linear(x, weight).singletonOrThrow() : Linear.linear(x, weight, bias).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
