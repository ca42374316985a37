package org.jalign.lm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Autograd through the production blocks (fused projections, padding masks) against central
 * finite differences of the independent float64 reference: the gradients every trainer relies on.
 */
class GradientTest {

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void logLikelihoodGradientsMatchFiniteDifferencesOfTheReference(Architecture architecture) throws Exception {
        ModelConfig config = TinyModels.config(architecture);
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, 21);
        int[] sequence = new SplittableRandom(5).ints(7, 3, config.vocabSize()).toArray();
        Map<String, long[]> shapes = TinyCheckpoints.shapes(config);
        try (LanguageModel model = LanguageModel.of(config, TensorSource.of(weights, shapes));
             NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> parameters = new HashMap<>();
            for (Parameter p : model.decoder().parameters()) {
                p.array().setRequiresGradient(true);
                parameters.put(p.name(), p.array());
            }
            // −Σ log p(s[i+1] | s[..i]) on a left-padded row, so the mask path is differentiated too
            int pad = 2;
            long[] ids = new long[pad + sequence.length];
            long[] positions = new long[ids.length];
            float[] mask = new float[ids.length];
            for (int i = 0; i < sequence.length; i++) {
                ids[pad + i] = sequence[i];
                positions[pad + i] = i;
                mask[pad + i] = 1;
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                DecoderModel d = model.decoder();
                NDArray input = m.create(ids, new Shape(1, ids.length));
                NDArray hidden = d.hiddenStates(input, m.create(positions, new Shape(1, ids.length)),
                        m.create(mask, new Shape(1, ids.length)), null);
                NDArray logits = d.logits(hidden.get(":, " + pad + ":-1, :"));
                NDArray targets = input.get(":, " + (pad + 1) + ":");
                NDArray loss = TokenLogProbs.selected(logits, targets, 1.0).sum().neg();
                collector.backward(loss);
            }
            SplittableRandom random = new SplittableRandom(9);
            List<String> names = new ArrayList<>(shapes.keySet());
            int checked = 0;
            for (String name : names) {
                float[] w = weights.get(name);
                for (int probe = 0; probe < 2; probe++) {
                    int index = random.nextInt(w.length);
                    double expected = finiteDifference(config, weights, sequence, name, index);
                    Location at = locate(config, name, index);
                    float actual = parameters.get(at.parameter()).getGradient().toFloatArray()[at.index()];
                    assertThat((double) actual).as("%s %s[%d]", architecture, name, index)
                            .isCloseTo(expected, within(2e-3 * Math.max(1, Math.abs(expected))));
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(2 * names.size());
        }
    }

    private static double finiteDifference(ModelConfig config, Map<String, float[]> weights, int[] sequence,
                                           String name, int index) {
        float[] w = weights.get(name);
        float original = w[index];
        float h = 1e-2f;
        w[index] = original + h;
        double plus = -sum(ReferenceTransformer.tokenLogProbs(config, weights, sequence));
        w[index] = original - h;
        double minus = -sum(ReferenceTransformer.tokenLogProbs(config, weights, sequence));
        w[index] = original;
        return (plus - minus) / (2.0 * h);
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    record Location(String parameter, int index) {
    }

    /** Where element {@code index} of HF tensor {@code name} lives among the model's parameters. */
    private static Location locate(ModelConfig c, String name, int index) {
        long hidden = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long inter = c.intermediateSize();
        String[] fused = {"self_attn.q_proj.", "self_attn.k_proj.", "self_attn.v_proj.", "mlp.gate_proj.", "mlp.up_proj."};
        long[] rowOffset = {0, q, q + kv, 0, inter};
        for (int f = 0; f < fused.length; f++) {
            int at = name.indexOf(fused[f]);
            if (at >= 0) {
                String target = f < 3 ? "self_attn.qkv_proj." : "mlp.gate_up_proj.";
                boolean bias = name.endsWith(".bias");
                long offset = rowOffset[f] * (bias ? 1 : hidden);
                return new Location(name.substring(0, at) + target + (bias ? "bias" : "weight"), (int) (offset + index));
            }
        }
        return new Location(name, index);
    }
}
