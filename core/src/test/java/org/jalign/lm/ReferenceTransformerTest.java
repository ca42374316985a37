package org.jalign.lm;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks {@link ReferenceTransformer} against arithmetic done by hand and against properties that
 * hold for any weights. Later tests trust the reference, so nothing here compares it with the
 * production model.
 */
class ReferenceTransformerTest {

    private static final double EXACT = 1e-12;

    // ------------------------------------------------------------ 1. hand-worked Llama

    /**
     * One layer, hidden 2, one head of dim 2, vocab 3, intermediate 1, rms eps 1/2 (large on
     * purpose, so eps visibly enters every norm and the square roots come out whole).
     */
    private static ModelConfig handLlamaConfig(boolean tied) {
        return new ModelConfig(Architecture.LLAMA, 3, 2, 1, 1, 1, 1, 2, 16, 0.5, 10000, RopeScaling.NONE,
                Activation.SILU, tied, false, false, false, -1, List.of(), -1);
    }

    /** Small integer weights; none of the 2x2 matrices is symmetric, so a transposition shows. */
    private static Map<String, float[]> handLlamaWeights() {
        Map<String, float[]> w = new HashMap<>();
        w.put("model.embed_tokens.weight", new float[] {1, 0, 0, 1, 1, 4});          // rows: tokens 0, 1, 2
        w.put("model.layers.0.input_layernorm.weight", new float[] {2, 1});
        w.put("model.layers.0.self_attn.q_proj.weight", new float[] {1, 1, 0, 1});   // q = [a+b, b]
        w.put("model.layers.0.self_attn.k_proj.weight", new float[] {1, 0, 1, 1});   // k = [a, a+b]
        w.put("model.layers.0.self_attn.v_proj.weight", new float[] {1, 0, 2, 1});   // v = [a, 2a+b]
        w.put("model.layers.0.self_attn.o_proj.weight", new float[] {1, -1, 0, 1});  // o = [a-b, b]
        w.put("model.layers.0.post_attention_layernorm.weight", new float[] {1, 2});
        w.put("model.layers.0.mlp.gate_proj.weight", new float[] {1, 0});           // gate = a
        w.put("model.layers.0.mlp.up_proj.weight", new float[] {0, 1});             // up = b
        w.put("model.layers.0.mlp.down_proj.weight", new float[] {1, -1});          // down(z) = [z, -z]
        w.put("model.norm.weight", new float[] {1, 3});
        w.put("lm_head.weight", new float[] {1, 0, 0, 1, 1, -1});                   // logits = [y0, y1, y0-y1]
        return w;
    }

    /**
     * Tokens [2, 1] at positions 0, 1.
     * <pre>
     * 1. Embeddings: x0 = [1, 4], x1 = [0, 1].
     * 2. RMSNorm, g = [2, 1], eps 1/2:
     *      x0: mean(1, 16) = 17/2, + 1/2 = 9, sqrt 3 → [1/3, 4/3] ⊙ g = n0 = [2/3, 4/3]
     *      x1: mean(0, 1)  = 1/2,  + 1/2 = 1         → [0, 1]     ⊙ g = n1 = [0, 1]
     * 3. Projections (y = W·n):
     *      q0 = [2, 4/3], k0 = [2/3, 2], v0 = [2/3, 8/3]
     *      q1 = [1, 1],   k1 = [0, 1],   v1 = [0, 1]
     * 4. RoPE: d = 2 so inv_freq = [θ^0] = [1], angle = position. rotate_half([u, w]) = [-w, u].
     *      position 0: cos 1, sin 0 → identity: q0, k0 unchanged.
     *      position 1: c = cos 1, s = sin 1:
     *        q1' = [1,1]·c + [-1,1]·s = [c - s, c + s];  k1' = [0,1]·c + [-1,0]·s = [-s, c]
     * 5. Attention, scale 1/√2, causal:
     *      t0 sees only itself: a0 = v0 = [2/3, 8/3]
     *      t1: s10 = q1'·k0/√2 = ((c-s)·2/3 + (c+s)·2)/√2 = (8c/3 + 4s/3)/√2
     *          s11 = q1'·k1'/√2 = (-(c-s)s + (c+s)c)/√2 = (c² + s²)/√2 = 1/√2
     *          p10 = 1/(1 + e^(s11 - s10)), p11 = 1 - p10
     *          a1 = p10·[2/3, 8/3] + p11·[0, 1]
     * 6. o_proj [a-b, b] and residual:
     *      h0 = [1, 4] + [2/3 - 8/3, 8/3] = [-1, 20/3]
     *      h1 = [0, 1] + [-2p10 - p11, 8p10/3 + p11] = [-1 - p10, 2 + 5p10/3]
     * 7. RMSNorm, g = [1, 2]: r = sqrt((h_a² + h_b²)/2 + 1/2), m = [h_a/r, 2h_b/r]
     *      (for t0: r = sqrt(418/18) = √209/3, m0 = [-3/√209, 40/√209])
     * 8. MLP: z = silu(m_a)·m_b with silu(u) = u/(1 + e^-u); out = h + [z, -z]
     * 9. Final RMSNorm, g = [1, 3]: y = [o_a/r, 3·o_b/r], r = sqrt((o_a² + o_b²)/2 + 1/2)
     * 10. lm_head: [y0, y1, y0 - y1]; tied to the embedding instead: [y0, y1, y0 + 4·y1]
     * </pre>
     * ≈ [[-0.2502, 4.1329, -4.3830], [-0.7129, 3.5427, -4.2556]] untied.
     */
    @Test
    void handWorkedLlamaMatchesStepByStepArithmetic() {
        double c = Math.cos(1), s = Math.sin(1);
        double s10 = (8 * c / 3 + 4 * s / 3) / Math.sqrt(2);
        double s11 = 1 / Math.sqrt(2);
        double p10 = 1 / (1 + Math.exp(s11 - s10));
        double[] h0 = {-1, 20.0 / 3};
        double[] h1 = {-1 - p10, 2 + 5 * p10 / 3};
        double[] y0 = handLlamaSteps7to9(h0);
        double[] y1 = handLlamaSteps7to9(h1);

        double[][] untied = ReferenceTransformer.logits(handLlamaConfig(false), handLlamaWeights(), new int[] {2, 1});
        assertArrayEquals(new double[] {y0[0], y0[1], y0[0] - y0[1]}, untied[0], EXACT);
        assertArrayEquals(new double[] {y1[0], y1[1], y1[0] - y1[1]}, untied[1], EXACT);

        double[][] tied = ReferenceTransformer.logits(handLlamaConfig(true), handLlamaWeights(), new int[] {2, 1});
        assertArrayEquals(new double[] {y0[0], y0[1], y0[0] + 4 * y0[1]}, tied[0], EXACT);
        assertArrayEquals(new double[] {y1[0], y1[1], y1[0] + 4 * y1[1]}, tied[1], EXACT);

        // Step 7 for t0 in closed form, to pin the helper below to the comment.
        double r = Math.sqrt((h0[0] * h0[0] + h0[1] * h0[1]) / 2 + 0.5);
        assertEquals(Math.sqrt(209) / 3, r, EXACT);
    }

    /** Steps 7-9 of the hand-worked Llama for one position; h is the residual after attention. */
    private static double[] handLlamaSteps7to9(double[] h) {
        double r = Math.sqrt((h[0] * h[0] + h[1] * h[1]) / 2 + 0.5);
        double ma = h[0] / r, mb = 2 * h[1] / r;
        double z = ma / (1 + Math.exp(-ma)) * mb;
        double oa = h[0] + z, ob = h[1] - z;
        double rf = Math.sqrt((oa * oa + ob * ob) / 2 + 0.5);
        return new double[] {oa / rf, 3 * ob / rf};
    }

    // ------------------------------------------------------------ 2. hand-worked GPT-2

    /** One layer, hidden 2, one head, vocab 3, inner 2, 4 positions, LayerNorm eps 3 (so roots are whole). */
    private static ModelConfig handGpt2Config(Activation activation, boolean tied) {
        return new ModelConfig(Architecture.GPT2, 3, 2, 2, 1, 1, 1, 2, 4, 3.0, 0, RopeScaling.NONE,
                activation, tied, true, true, true, -1, List.of(), -1);
    }

    /** Conv1D weights are [in, out]: y_j = Σ_i x_i·W[i][j] + b_j. None is symmetric. */
    private static Map<String, float[]> handGpt2Weights() {
        Map<String, float[]> w = new HashMap<>();
        w.put("wte.weight", new float[] {1, 0, 1, 1, 3, 1});
        w.put("wpe.weight", new float[] {1, 0, -1, 1, 0.5f, 0.25f, 0, 0});
        w.put("h.0.ln_1.weight", new float[] {2, 1});
        w.put("h.0.ln_1.bias", new float[] {0, 1});
        // rows are inputs a, b; columns [q0 q1 | k0 k1 | v0 v1]: q = [a, 2b], k = [a+b, b], v = [b, a] + bias
        w.put("h.0.attn.c_attn.weight", new float[] {1, 0, 1, 0, 0, 1, 0, 2, 1, 1, 1, 0});
        w.put("h.0.attn.c_attn.bias", new float[] {0, 0, 0, 0, 1, 0});
        w.put("h.0.attn.c_proj.weight", new float[] {1, 2, 0, 1});      // [a, 2a+b]
        w.put("h.0.attn.c_proj.bias", new float[] {0, -1});
        w.put("h.0.ln_2.weight", new float[] {1, -1});
        w.put("h.0.ln_2.bias", new float[] {0.5f, 0});
        w.put("h.0.mlp.c_fc.weight", new float[] {1, 0, 1, 1});        // [a+b, b]
        w.put("h.0.mlp.c_fc.bias", new float[] {0, -0.5f});
        w.put("h.0.mlp.c_proj.weight", new float[] {0, 1, -1, 1});     // [-b, a+b]
        w.put("h.0.mlp.c_proj.bias", new float[] {1, 0});
        w.put("ln_f.weight", new float[] {1, 2});
        w.put("ln_f.bias", new float[] {0, 0.25f});
        return w;
    }

    /**
     * Tokens [0, 1] at positions 0, 1. For a 2-vector [a, b] LayerNorm gives [σ, -σ] with
     * δ = (a - b)/2 and σ = δ/sqrt(δ² + eps) (mean (a+b)/2, biased variance δ²).
     * <pre>
     * 1. x0 = wte0 + wpe0 = [1,0] + [1,0] = [2, 0];  x1 = wte1 + wpe1 = [1,1] + [-1,1] = [0, 2]
     * 2. LN1 (eps 3): x0: δ = 1, σ = 1/sqrt(4) = 1/2 → [1/2, -1/2] ⊙ [2,1] + [0,1] = n0 = [1, 1/2]
     *                 x1: δ = -1, σ = -1/2           → [-1/2, 1/2] ⊙ [2,1] + [0,1] = n1 = [-1, 3/2]
     * 3. c_attn (x·W, W [in, out]): q = [a, 2b], k = [a+b, b], v = [b + 1, a]
     *      t0: q0 = [1, 1],  k0 = [3/2, 1/2], v0 = [3/2, 1]
     *      t1: q1 = [-1, 3], k1 = [1/2, 3/2], v1 = [5/2, -1]
     *    (the same 12 floats read as nn.Linear [out, in] = [6, 2] would give other q, k, v entirely)
     * 4. Attention, scale 1/√2: a0 = v0 = [3/2, 1]
     *      s10 = (-3/2 + 3/2)/√2 = 0;  s11 = (-1/2 + 9/2)/√2 = 2√2
     *      p11 = 1/(1 + e^(-2√2)), p10 = 1 - p11;  a1 = p10·v0 + p11·v1 = [3/2 + p11, 1 - 2p11]
     * 5. c_proj [a, 2a + b] + [0, -1] and residual:
     *      h0 = [2, 0] + [3/2, 3 + 1 - 1] = [7/2, 3]
     *      h1 = [0, 2] + [3/2 + p11, 3 + 2p11 + 1 - 2p11 - 1] = [3/2 + p11, 5]
     * 6. LN2, weight [1, -1], bias [1/2, 0]: LN gives [σ, -σ] → m = [σ + 1/2, σ]
     *      h0: δ = 1/4, δ² + 3 = 49/16, σ = (1/4)/(7/4) = 1/7 → m0 = [9/14, 1/7]
     *      h1: δ = (p11 - 7/2)/2, σ1 = δ/sqrt(δ² + 3)       → m1 = [σ1 + 1/2, σ1]
     * 7. c_fc [a + b, b] + [0, -1/2]: f0 = [11/14, -5/14], f1 = [2σ1 + 1/2, σ1 - 1/2]; g = act(f)
     * 8. mlp c_proj [-b, a + b] + [1, 0]: out = h + [1 - g_b, g_a + g_b]
     * 9. ln_f, weight [1, 2], bias [0, 1/4]: y = [σ, -2σ + 1/4]
     * 10. Tied head wte: logits = [y0, y0 + y1, 3y0 + y1]; lm_head [[0,1],[1,0],[1,-1]]: [y1, y0, y0 - y1]
     * </pre>
     * ≈ [[0.3130, -0.0630, 0.5630], [-0.2993, 0.5493, -0.0493]] tied, gelu_new.
     */
    @Test
    void handWorkedGpt2MatchesStepByStepArithmetic() {
        DoubleUnaryOperator geluNew = x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        double[][] expected = handGpt2Expected(geluNew);
        int[] tokens = {0, 1};

        double[][] tied = ReferenceTransformer.logits(handGpt2Config(Activation.GELU_NEW, true), handGpt2Weights(), tokens);
        for (int t = 0; t < 2; t++) {
            double[] y = expected[t];
            assertArrayEquals(new double[] {y[0], y[0] + y[1], 3 * y[0] + y[1]}, tied[t], EXACT, "t=" + t);
        }

        // Tied: an lm_head.weight in the checkpoint is ignored, as GPT2LMHeadModel ties it to wte.
        Map<String, float[]> withHead = handGpt2Weights();
        withHead.put("lm_head.weight", new float[] {0, 1, 1, 0, 1, -1});
        assertArrayEquals(tied[1], ReferenceTransformer.logits(handGpt2Config(Activation.GELU_NEW, true), withHead, tokens)[1], 0);

        double[][] untied = ReferenceTransformer.logits(handGpt2Config(Activation.GELU_NEW, false), withHead, tokens);
        for (int t = 0; t < 2; t++) {
            double[] y = expected[t];
            assertArrayEquals(new double[] {y[1], y[0], y[0] - y[1]}, untied[t], EXACT, "t=" + t);
        }
    }

    @Test
    void handWorkedGpt2WithExactGeluUsesErf() {
        DoubleUnaryOperator gelu = x -> 0.5 * x * (1 + ReferenceTransformer.erf(x / Math.sqrt(2)));
        double[][] expected = handGpt2Expected(gelu);
        double[][] logits = ReferenceTransformer.logits(handGpt2Config(Activation.GELU, true), handGpt2Weights(), new int[] {0, 1});
        for (int t = 0; t < 2; t++) {
            double[] y = expected[t];
            assertArrayEquals(new double[] {y[0], y[0] + y[1], 3 * y[0] + y[1]}, logits[t], EXACT);
        }
    }

    /** Steps 4-9 of the GPT-2 comment above; returns y (after ln_f) per position. */
    private static double[][] handGpt2Expected(DoubleUnaryOperator activation) {
        double p11 = 1 / (1 + Math.exp(-2 * Math.sqrt(2)));
        double[][] h = {{3.5, 3}, {1.5 + p11, 5}};
        double delta1 = (p11 - 3.5) / 2;
        double sigma1 = delta1 / Math.sqrt(delta1 * delta1 + 3);
        double[][] f = {{11.0 / 14, -5.0 / 14}, {2 * sigma1 + 0.5, sigma1 - 0.5}};
        double[][] y = new double[2][];
        for (int t = 0; t < 2; t++) {
            double ga = activation.applyAsDouble(f[t][0]), gb = activation.applyAsDouble(f[t][1]);
            double outA = h[t][0] + 1 - gb, outB = h[t][1] + ga + gb;
            double delta = (outA - outB) / 2;
            double sigma = delta / Math.sqrt(delta * delta + 3);
            y[t] = new double[] {sigma, -2 * sigma + 0.25};
        }
        // Step 6 for t0 in closed form: δ = 1/4 → σ = 1/7.
        assertEquals(1.0 / 7, 0.25 / Math.sqrt(0.0625 + 3), EXACT);
        return y;
    }

    // ------------------------------------------------------------ 3. RoPE

    @Test
    void ropeAtPositionZeroIsIdentityAndEveryPositionPreservesNorm() {
        Random random = new Random(1);
        double[] inverseFrequencies = ReferenceTransformer.inverseFrequencies(RopeScaling.NONE, 8, 10000);
        double[] q = gaussian(random, 8);
        assertArrayEquals(q, ReferenceTransformer.applyRope(q, 0, inverseFrequencies), 0);
        for (int position : new int[] {1, 7, 63, 5000}) {
            assertEquals(norm(q), norm(ReferenceTransformer.applyRope(q, position, inverseFrequencies)), EXACT);
        }
    }

    @Test
    void ropeDotProductDependsOnlyOnRelativePosition() {
        Random random = new Random(2);
        double[] inverseFrequencies = ReferenceTransformer.inverseFrequencies(RopeScaling.NONE, 8, 10000);
        double[] q = gaussian(random, 8), k = gaussian(random, 8);
        double near = dot(ReferenceTransformer.applyRope(q, 5, inverseFrequencies), ReferenceTransformer.applyRope(k, 2, inverseFrequencies));
        double far = dot(ReferenceTransformer.applyRope(q, 43, inverseFrequencies), ReferenceTransformer.applyRope(k, 40, inverseFrequencies));
        assertEquals(near, far, 1e-12);
    }

    /** HF rotate-half pairs element j with j + d/2 (not j with j+1 as in GPT-J/Meta's complex layout). */
    @Test
    void ropePairsElementJWithElementJPlusHalf() {
        double[] inverseFrequencies = {1, 0.1};   // d = 4
        // q = e0 at position 2: q·cos + [-q2, -q3, q0, q1]·sin = [cos 2, 0, sin 2, 0]
        assertArrayEquals(new double[] {Math.cos(2), 0, Math.sin(2), 0},
                ReferenceTransformer.applyRope(new double[] {1, 0, 0, 0}, 2, inverseFrequencies), EXACT);
        // q = e3 at position 2 uses frequency 0.1: [0, -sin 0.2, 0, cos 0.2]
        assertArrayEquals(new double[] {0, -Math.sin(0.2), 0, Math.cos(0.2)},
                ReferenceTransformer.applyRope(new double[] {0, 0, 0, 1}, 2, inverseFrequencies), EXACT);
    }

    /**
     * d = 8, θ = 10000: θ^(-2i/8) = 10^(-i) = [1, 0.1, 0.01, 0.001]. Llama 3 with factor 8,
     * low 1, high 4, original context 1000: wavelengths 2π/f ≈ [6.3, 62.8, 628.3, 6283.2] against
     * the band [1000/4, 1000/1] = [250, 1000]: i = 0, 1 keep f; i = 3 is f/8; i = 2 blends with
     * smooth = (1000/(2π/0.01) - 1)/(4 - 1) = (5/π - 1)/3 into (1 - smooth)·0.01/8 + smooth·0.01.
     * Checked for the reference's own frequencies and for production's RopeScaling alike.
     */
    @Test
    void ropeFrequenciesMatchHandValuesForPlainLinearAndLlama3Scaling() {
        double smooth = (5 / Math.PI - 1) / 3;
        double[] plain = {1, 0.1, 0.01, 0.001};
        double[] linear = {0.25, 0.025, 0.0025, 0.00025};
        double[] llama3 = {1, 0.1, (1 - smooth) * 0.01 / 8 + smooth * 0.01, 0.001 / 8};
        assertEquals(0.0029753525068469478, llama3[2], 1e-17);
        RopeScaling linearScaling = new RopeScaling(RopeScaling.Kind.LINEAR, 4, 1, 1, 0);
        RopeScaling llama3Scaling = new RopeScaling(RopeScaling.Kind.LLAMA3, 8, 1, 4, 1000);

        assertArrayEquals(plain, ReferenceTransformer.inverseFrequencies(RopeScaling.NONE, 8, 10000), 1e-15);
        assertArrayEquals(linear, ReferenceTransformer.inverseFrequencies(linearScaling, 8, 10000), 1e-15);
        assertArrayEquals(llama3, ReferenceTransformer.inverseFrequencies(llama3Scaling, 8, 10000), 1e-15);

        assertArrayEquals(plain, RopeScaling.NONE.inverseFrequencies(8, 10000), 1e-15);
        assertArrayEquals(linear, linearScaling.inverseFrequencies(8, 10000), 1e-15);
        assertArrayEquals(llama3, llama3Scaling.inverseFrequencies(8, 10000), 1e-15);
    }

    // ------------------------------------------------------------ 4. attention properties

    @Test
    void laterTokensDoNotChangeEarlierLogits() {
        for (ModelConfig config : List.of(llamaConfig(Architecture.LLAMA, 4, 2, 4, false),
                llamaConfig(Architecture.QWEN2, 2, 1, 6, true), gpt2Config(Activation.GELU_NEW, true))) {
            Map<String, float[]> weights = randomWeights(config, 3);
            int[] a = {1, 5, 2, 9, 4, 4, 0};
            int[] b = {1, 5, 2, 7, 12, 3, 8};   // differs from index 3 on
            double[][] logitsA = ReferenceTransformer.logits(config, weights, a);
            double[][] logitsB = ReferenceTransformer.logits(config, weights, b);
            for (int t = 0; t < 3; t++) {
                assertArrayEquals(logitsA[t], logitsB[t], EXACT, config.architecture() + " t=" + t);
            }
            assertTrue(maxAbsDifference(logitsA[3], logitsB[3]) > 1e-3, "index 3 must see its own token");
        }
    }

    @Test
    void singleTokenAttentionOutputIsItsOwnValueProjection() {
        Random random = new Random(4);
        double[][] q = {gaussian(random, 4 * 3)}, k = {gaussian(random, 2 * 3)}, v = {gaussian(random, 2 * 3)};
        double[][] out = ReferenceTransformer.causalSelfAttention(q, k, v, 4, 2, 3);
        // Heads 0, 1 read kv head 0; heads 2, 3 read kv head 1.
        for (int h = 0; h < 4; h++) {
            for (int e = 0; e < 3; e++) {
                assertEquals(v[0][(h / 2) * 3 + e], out[0][h * 3 + e], EXACT);
            }
        }
    }

    @Test
    void singleTokenLogitsDoNotDependOnQueryOrKeyWeights() {
        ModelConfig config = llamaConfig(Architecture.QWEN2, 4, 2, 4, false);
        Map<String, float[]> weights = randomWeights(config, 5);
        Map<String, float[]> scrambled = new HashMap<>(weights);
        Random random = new Random(6);
        for (int layer = 0; layer < config.numLayers(); layer++) {
            for (String name : List.of("q_proj.weight", "k_proj.weight", "q_proj.bias", "k_proj.bias")) {
                String key = "model.layers." + layer + ".self_attn." + name;
                scrambled.put(key, gaussianFloats(random, weights.get(key).length, 1));
            }
        }
        int[] token = {7};
        assertArrayEquals(ReferenceTransformer.logits(config, weights, token)[0],
                ReferenceTransformer.logits(config, scrambled, token)[0], EXACT);
    }

    @Test
    void attentionWithAsManyKeyValueHeadsAsQueryHeadsIsPlainMultiHeadAttention() {
        Random random = new Random(7);
        int T = 5, H = 3, d = 4;
        double[][] q = new double[T][], k = new double[T][], v = new double[T][];
        for (int t = 0; t < T; t++) {
            q[t] = gaussian(random, H * d);
            k[t] = gaussian(random, H * d);
            v[t] = gaussian(random, H * d);
        }
        double[][] actual = ReferenceTransformer.causalSelfAttention(q, k, v, H, H, d);
        // Plain MHA, per head h: softmax(q_h k_hᵀ/√d + causal mask) v_h, written without the group index.
        for (int h = 0; h < H; h++) {
            for (int i = 0; i < T; i++) {
                double[] weights = new double[i + 1];
                double total = 0;
                for (int j = 0; j <= i; j++) {
                    double score = 0;
                    for (int e = 0; e < d; e++) {
                        score += q[i][h * d + e] * k[j][h * d + e];
                    }
                    weights[j] = Math.exp(score / Math.sqrt(d));
                    total += weights[j];
                }
                for (int e = 0; e < d; e++) {
                    double expected = 0;
                    for (int j = 0; j <= i; j++) {
                        expected += weights[j] / total * v[j][h * d + e];
                    }
                    assertEquals(expected, actual[i][h * d + e], EXACT);
                }
            }
        }
    }

    /** GQA with KV < H equals MHA whose k/v heads are copies: head h gets kv head h / (H/KV). */
    @Test
    void duplicatingKeyValueHeadsToEveryQueryHeadGivesIdenticalLogits() {
        for (Architecture architecture : List.of(Architecture.LLAMA, Architecture.QWEN2)) {
            ModelConfig grouped = llamaConfig(architecture, 4, 2, 4, false);
            ModelConfig full = llamaConfig(architecture, 4, 4, 4, false);
            Map<String, float[]> weights = randomWeights(grouped, 8);
            Map<String, float[]> duplicated = new HashMap<>(weights);
            int C = grouped.hiddenSize(), d = grouped.headDim();
            for (int layer = 0; layer < grouped.numLayers(); layer++) {
                for (String projection : List.of("k_proj", "v_proj")) {
                    String prefix = "model.layers." + layer + ".self_attn." + projection;
                    duplicated.put(prefix + ".weight", repeatHeads(weights.get(prefix + ".weight"), 2, 2, d * C));
                    if (grouped.qkvBias()) {
                        duplicated.put(prefix + ".bias", repeatHeads(weights.get(prefix + ".bias"), 2, 2, d));
                    }
                }
            }
            int[] tokens = {3, 1, 4, 1, 5, 9, 2, 6};
            double[][] expected = ReferenceTransformer.logits(full, duplicated, tokens);
            double[][] actual = ReferenceTransformer.logits(grouped, weights, tokens);
            for (int t = 0; t < tokens.length; t++) {
                assertArrayEquals(expected[t], actual[t], EXACT, architecture + " t=" + t);
            }
        }
    }

    /** Rows of a [KV*d, ...] tensor, as blocks of blockSize per head, each repeated {@code times} in place. */
    private static float[] repeatHeads(float[] tensor, int heads, int times, int blockSize) {
        float[] out = new float[heads * times * blockSize];
        for (int h = 0; h < heads; h++) {
            for (int r = 0; r < times; r++) {
                System.arraycopy(tensor, h * blockSize, out, (h * times + r) * blockSize, blockSize);
            }
        }
        return out;
    }

    // ------------------------------------------------------------ 5. positions, heads, biases

    @Test
    void defaultPositionsAreZeroToLengthMinusOne() {
        for (ModelConfig config : List.of(llamaConfig(Architecture.LLAMA, 4, 2, 4, false), gpt2Config(Activation.GELU, false))) {
            Map<String, float[]> weights = randomWeights(config, 9);
            int[] tokens = {2, 4, 6, 8};
            double[][] implicit = ReferenceTransformer.logits(config, weights, tokens);
            double[][] explicit = ReferenceTransformer.logits(config, weights, tokens, new int[] {0, 1, 2, 3});
            for (int t = 0; t < tokens.length; t++) {
                assertArrayEquals(implicit[t], explicit[t], 0);
            }
        }
    }

    /** RoPE scores depend on position differences only, so shifting every position id changes nothing. */
    @Test
    void llamaLogitsAreUnchangedByShiftingAllPositions() {
        ModelConfig config = llamaConfig(Architecture.LLAMA, 4, 2, 4, true);
        Map<String, float[]> weights = randomWeights(config, 10);
        int[] tokens = {5, 3, 0, 11, 7};
        double[][] fromZero = ReferenceTransformer.logits(config, weights, tokens);
        double[][] shifted = ReferenceTransformer.logits(config, weights, tokens, new int[] {17, 18, 19, 20, 21});
        double[][] spread = ReferenceTransformer.logits(config, weights, tokens, new int[] {0, 2, 4, 6, 8});
        for (int t = 0; t < tokens.length; t++) {
            assertArrayEquals(fromZero[t], shifted[t], 1e-10);
        }
        assertTrue(maxAbsDifference(fromZero[4], spread[4]) > 1e-6, "relative distances must matter");
    }

    @Test
    void gpt2PositionsPickRowsOfWpe() {
        ModelConfig config = gpt2Config(Activation.GELU_NEW, true);
        Map<String, float[]> weights = randomWeights(config, 11);
        int C = config.hiddenSize();
        // wpe shifted up by 3 rows: row p of the new table is row p + 3 of the old.
        Map<String, float[]> shiftedTable = new HashMap<>(weights);
        float[] wpe = weights.get("wpe.weight");
        float[] shifted = new float[wpe.length];
        System.arraycopy(wpe, 3 * C, shifted, 0, wpe.length - 3 * C);
        shiftedTable.put("wpe.weight", shifted);
        int[] tokens = {1, 2, 3};
        double[][] expected = ReferenceTransformer.logits(config, shiftedTable, tokens);
        double[][] actual = ReferenceTransformer.logits(config, weights, tokens, new int[] {3, 4, 5});
        for (int t = 0; t < tokens.length; t++) {
            assertArrayEquals(expected[t], actual[t], 0);
        }
        assertThrows(IllegalArgumentException.class,
                () -> ReferenceTransformer.logits(config, weights, new int[] {1}, new int[] {config.maxPositions()}));
    }

    @Test
    void tiedLlamaEqualsUntiedLlamaWithACopiedEmbedding() {
        ModelConfig tied = llamaConfig(Architecture.LLAMA, 2, 2, 8, true);
        ModelConfig untied = llamaConfig(Architecture.LLAMA, 2, 2, 8, false);
        Map<String, float[]> weights = randomWeights(tied, 12);
        Map<String, float[]> copied = new HashMap<>(weights);
        copied.put("lm_head.weight", weights.get("model.embed_tokens.weight").clone());
        int[] tokens = {0, 12, 6};
        double[][] a = ReferenceTransformer.logits(tied, weights, tokens);
        double[][] b = ReferenceTransformer.logits(untied, copied, tokens);
        for (int t = 0; t < tokens.length; t++) {
            assertArrayEquals(a[t], b[t], 0);
        }
    }

    @Test
    void everyConfiguredBiasIsRead() {
        ModelConfig config = new ModelConfig(Architecture.LLAMA, 13, 16, 24, 2, 4, 2, 4, 64, 1e-6, 10000,
                RopeScaling.NONE, Activation.SILU, false, true, true, true, -1, List.of(), -1);
        Map<String, float[]> weights = randomWeights(config, 13);
        int[] tokens = {4, 2, 9};
        double[][] base = ReferenceTransformer.logits(config, weights, tokens);
        for (String name : List.of("self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias",
                "self_attn.o_proj.bias", "mlp.gate_proj.bias", "mlp.up_proj.bias", "mlp.down_proj.bias")) {
            String key = "model.layers.1." + name;
            Map<String, float[]> changed = new HashMap<>(weights);
            float[] bias = weights.get(key).clone();
            bias[0] += 0.5f;
            changed.put(key, bias);
            assertTrue(maxAbsDifference(base[2], ReferenceTransformer.logits(config, changed, tokens)[2]) > 1e-6, key);
        }
    }

    @Test
    void missingOrMisshapenWeightsAreNamedInTheError() {
        ModelConfig config = llamaConfig(Architecture.QWEN2, 4, 2, 4, false);
        Map<String, float[]> missing = randomWeights(config, 14);
        missing.remove("model.layers.1.self_attn.k_proj.bias");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReferenceTransformer.logits(config, missing, new int[] {1}));
        assertTrue(e.getMessage().contains("model.layers.1.self_attn.k_proj.bias [8]"), e.getMessage());

        Map<String, float[]> misshapen = randomWeights(config, 14);
        misshapen.put("lm_head.weight", new float[5]);
        e = assertThrows(IllegalArgumentException.class, () -> ReferenceTransformer.logits(config, misshapen, new int[] {1}));
        assertTrue(e.getMessage().contains("lm_head.weight has 5 values, expected [13, 16]"), e.getMessage());
    }

    @Test
    void gpt2AcceptsTheTransformerPrefixOfGpt2LmHeadModelCheckpoints() {
        ModelConfig config = gpt2Config(Activation.GELU_NEW, true);
        Map<String, float[]> weights = randomWeights(config, 15);
        Map<String, float[]> prefixed = new HashMap<>();
        weights.forEach((name, value) -> prefixed.put("transformer." + name, value));
        int[] tokens = {3, 6, 9};
        assertArrayEquals(ReferenceTransformer.logits(config, weights, tokens)[2],
                ReferenceTransformer.logits(config, prefixed, tokens)[2], 0);
    }

    // ------------------------------------------------------------ 6. scalar functions, decoding

    @Test
    void erfAndGeluMatchKnownValues() {
        assertEquals(0.0, ReferenceTransformer.erf(0), 0);
        assertEquals(0.5204998778130465, ReferenceTransformer.erf(0.5), EXACT);
        assertEquals(0.8427007929497149, ReferenceTransformer.erf(1), EXACT);
        assertEquals(0.9953222650189527, ReferenceTransformer.erf(2), EXACT);
        assertEquals(0.9999779095030014, ReferenceTransformer.erf(3), EXACT);
        assertEquals(-0.8427007929497149, ReferenceTransformer.erf(-1), EXACT);
        assertEquals(1.0, ReferenceTransformer.erf(10), 0);
        // gelu(x) = x·Φ(x); Φ(1) = 0.8413447460685429, Φ(-1) = 1 - Φ(1).
        assertEquals(0.8413447460685429, ReferenceTransformer.gelu(1), EXACT);
        assertEquals(-0.15865525393145707, ReferenceTransformer.gelu(-1), EXACT);
        assertEquals(0.0, ReferenceTransformer.gelu(0), 0);
        // gelu_new(1) = 0.5·(1 + tanh(√(2/π)·1.044715)).
        assertEquals(0.8411919906082768, ReferenceTransformer.geluNew(1), EXACT);
        // silu(x) = x/(1 + e^-x): silu(2) = 2/(1 + e^-2).
        assertEquals(1.7615941559557649, ReferenceTransformer.silu(2), EXACT);
    }

    @Test
    void logSoftmaxIsNormalizedShiftInvariantAndStable() {
        assertArrayEquals(new double[] {Math.log(0.25), Math.log(0.75)},
                ReferenceTransformer.logSoftmax(new double[] {0, Math.log(3)}), EXACT);
        assertArrayEquals(new double[] {Math.log(0.25), Math.log(0.75)},
                ReferenceTransformer.logSoftmax(new double[] {1000, 1000 + Math.log(3)}), EXACT);
        double[] logProbs = ReferenceTransformer.logSoftmax(new double[] {-2, 0.5, 3, -700});
        double total = 0;
        for (double lp : logProbs) {
            total += Math.exp(lp);
        }
        assertEquals(1.0, total, EXACT);
    }

    @Test
    void tokenLogProbsScoreEachNextToken() {
        ModelConfig config = gpt2Config(Activation.GELU_NEW, false);
        Map<String, float[]> weights = randomWeights(config, 16);
        int[] sequence = {2, 7, 1, 8};
        double[][] logits = ReferenceTransformer.logits(config, weights, sequence);
        double[] logProbs = ReferenceTransformer.tokenLogProbs(config, weights, sequence);
        assertEquals(3, logProbs.length);
        for (int i = 0; i < 3; i++) {
            assertEquals(ReferenceTransformer.logSoftmax(logits[i])[sequence[i + 1]], logProbs[i], 0);
        }
    }

    @Test
    void greedyTakesTheArgmaxOfEachFullForwardPass() {
        ModelConfig config = llamaConfig(Architecture.LLAMA, 4, 2, 4, false);
        Map<String, float[]> weights = randomWeights(config, 17);
        int[] prompt = {1, 2};
        int[] generated = ReferenceTransformer.greedy(config, weights, prompt, 4);
        assertEquals(4, generated.length);
        int[] sequence = {1, 2, 0, 0, 0, 0};
        for (int step = 0; step < 4; step++) {
            double[][] logits = ReferenceTransformer.logits(config, weights, java.util.Arrays.copyOf(sequence, 2 + step));
            double[] last = logits[1 + step];
            int best = 0;
            for (int i = 1; i < last.length; i++) {
                best = last[i] > last[best] ? i : best;
            }
            assertEquals(best, generated[step], "step " + step);
            sequence[2 + step] = best;
        }
    }

    @Test
    void greedyBreaksTiesTowardTheLowestId() {
        ModelConfig config = llamaConfig(Architecture.LLAMA, 4, 2, 4, false);
        Map<String, float[]> weights = randomWeights(config, 18);
        weights.put("lm_head.weight", new float[weights.get("lm_head.weight").length]);   // every logit 0
        assertArrayEquals(new int[] {0, 0, 0}, ReferenceTransformer.greedy(config, weights, new int[] {5}, 3));
        assertEquals(2, ReferenceTransformer.argmax(new double[] {1, 3, 4, 4, 2}));
    }

    // ------------------------------------------------------------ helpers: configs and random weights

    /** hidden 16, intermediate 24, 2 layers, vocab 13; Qwen2 gets q/k/v biases as in its config. */
    private static ModelConfig llamaConfig(Architecture architecture, int heads, int keyValueHeads, int headDim, boolean tied) {
        return new ModelConfig(architecture, 13, 16, 24, 2, heads, keyValueHeads, headDim, 64, 1e-6, 10000,
                RopeScaling.NONE, Activation.SILU, tied, architecture == Architecture.QWEN2, false, false,
                -1, List.of(), -1);
    }

    /** hidden 16, inner 32, 2 layers, 4 heads, vocab 13, 32 positions. */
    private static ModelConfig gpt2Config(Activation activation, boolean tied) {
        return new ModelConfig(Architecture.GPT2, 13, 16, 32, 2, 4, 4, 4, 32, 1e-5, 0, RopeScaling.NONE,
                activation, tied, true, true, true, -1, List.of(), -1);
    }

    /** Every tensor the config needs, under its Hugging Face name; norm weights near 1, the rest N(0, 0.5²). */
    static Map<String, float[]> randomWeights(ModelConfig c, long seed) {
        Random random = new Random(seed);
        int C = c.hiddenSize(), V = c.vocabSize(), I = c.intermediateSize();
        Map<String, float[]> w = new HashMap<>();
        if (c.architecture() == Architecture.GPT2) {
            w.put("wte.weight", gaussianFloats(random, V * C, 0.5));
            w.put("wpe.weight", gaussianFloats(random, c.maxPositions() * C, 0.5));
            for (int layer = 0; layer < c.numLayers(); layer++) {
                String p = "h." + layer + ".";
                putLayerNorm(w, random, p + "ln_1", C);
                w.put(p + "attn.c_attn.weight", gaussianFloats(random, C * 3 * C, 0.5));
                w.put(p + "attn.c_attn.bias", gaussianFloats(random, 3 * C, 0.5));
                w.put(p + "attn.c_proj.weight", gaussianFloats(random, C * C, 0.5));
                w.put(p + "attn.c_proj.bias", gaussianFloats(random, C, 0.5));
                putLayerNorm(w, random, p + "ln_2", C);
                w.put(p + "mlp.c_fc.weight", gaussianFloats(random, C * I, 0.5));
                w.put(p + "mlp.c_fc.bias", gaussianFloats(random, I, 0.5));
                w.put(p + "mlp.c_proj.weight", gaussianFloats(random, I * C, 0.5));
                w.put(p + "mlp.c_proj.bias", gaussianFloats(random, C, 0.5));
            }
            putLayerNorm(w, random, "ln_f", C);
        } else {
            int q = c.numHeads() * c.headDim(), kv = c.numKeyValueHeads() * c.headDim();
            w.put("model.embed_tokens.weight", gaussianFloats(random, V * C, 0.5));
            for (int layer = 0; layer < c.numLayers(); layer++) {
                String p = "model.layers." + layer + ".";
                w.put(p + "input_layernorm.weight", nearOne(random, C));
                for (String[] projection : new String[][] {{"q_proj", "" + q}, {"k_proj", "" + kv}, {"v_proj", "" + kv}}) {
                    int rows = Integer.parseInt(projection[1]);
                    w.put(p + "self_attn." + projection[0] + ".weight", gaussianFloats(random, rows * C, 0.5));
                    if (c.qkvBias()) {
                        w.put(p + "self_attn." + projection[0] + ".bias", gaussianFloats(random, rows, 0.5));
                    }
                }
                w.put(p + "self_attn.o_proj.weight", gaussianFloats(random, C * q, 0.5));
                if (c.outputBias()) {
                    w.put(p + "self_attn.o_proj.bias", gaussianFloats(random, C, 0.5));
                }
                w.put(p + "post_attention_layernorm.weight", nearOne(random, C));
                w.put(p + "mlp.gate_proj.weight", gaussianFloats(random, I * C, 0.5));
                w.put(p + "mlp.up_proj.weight", gaussianFloats(random, I * C, 0.5));
                w.put(p + "mlp.down_proj.weight", gaussianFloats(random, C * I, 0.5));
                if (c.mlpBias()) {
                    w.put(p + "mlp.gate_proj.bias", gaussianFloats(random, I, 0.5));
                    w.put(p + "mlp.up_proj.bias", gaussianFloats(random, I, 0.5));
                    w.put(p + "mlp.down_proj.bias", gaussianFloats(random, C, 0.5));
                }
            }
            w.put("model.norm.weight", nearOne(random, C));
        }
        if (!c.tieWordEmbeddings()) {
            w.put("lm_head.weight", gaussianFloats(random, V * C, 0.5));
        }
        return w;
    }

    private static void putLayerNorm(Map<String, float[]> w, Random random, String prefix, int size) {
        w.put(prefix + ".weight", nearOne(random, size));
        w.put(prefix + ".bias", gaussianFloats(random, size, 0.1));
    }

    private static float[] nearOne(Random random, int size) {
        float[] out = gaussianFloats(random, size, 0.1);
        for (int i = 0; i < size; i++) {
            out[i] += 1;
        }
        return out;
    }

    private static float[] gaussianFloats(Random random, int size, double scale) {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = (float) (random.nextGaussian() * scale);
        }
        return out;
    }

    private static double[] gaussian(Random random, int size) {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = random.nextGaussian();
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double maxAbsDifference(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
