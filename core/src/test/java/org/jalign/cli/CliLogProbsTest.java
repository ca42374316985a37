package org.jalign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.DecoderModel;
import org.jalign.lm.Fixtures;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TinyCheckpoints;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code jalign logprobs --temperature T --entropy}, checked against log-softmax(logits / T) and
 * its entropy recomputed here in double precision from the network's raw logits, and against the
 * T → ∞ limit, where every distribution is uniform: log-prob −ln V, entropy ln V.
 */
class CliLogProbsTest {

    /** Sequences of different lengths, so the batch is left-padded. */
    private static final List<int[]> SEQUENCES = List.of(
            new int[] {1, 5, 9, 14, 3, 27, 40, 2},
            new int[] {1, 60, 0},
            new int[] {1, 7, 7, 7, 7, 12});

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private Path tinyModel() throws IOException {
        return TinyCheckpoints.write(dir.resolve("model"), TinyCheckpoints.tinyLlama(), 3);
    }

    private Path input(List<int[]> sequences) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sequences.size(); i++) {
            text.append("{\"input_ids\": ").append(Arrays.toString(sequences.get(i))).append(", \"id\": ").append(i).append("}\n");
        }
        return Files.writeString(dir.resolve("sequences.jsonl"), text);
    }

    /** Runs logprobs with {@code options}; returns the output lines. */
    private List<JsonObject> score(Path model, Path input, String... options) throws IOException {
        Path output = dir.resolve("scored-" + String.join("_", options).replace("-", "") + ".jsonl");
        List<String> args = new ArrayList<>(List.of("logprobs", "--model", model.toString(), "--input", input.toString(),
                "--output", output.toString(), "--batch-size", "2", "--quiet"));
        args.addAll(List.of(options));
        assertThat(run(args.toArray(String[]::new))).as(err.toString()).isZero();
        return Files.readAllLines(output).stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    private static double[] doubles(JsonArray a) {
        return a.asList().stream().mapToDouble(e -> e.getAsDouble()).toArray();
    }

    /** Log-probs [0] and entropies [1] of one unpadded sequence, in double from the raw logits. */
    private static double[][] reference(DecoderModel model, int[] sequence, double temperature) {
        int n = sequence.length;
        int vocab = model.config().vocabSize();
        long[] ids = Arrays.stream(sequence).asLongStream().toArray();
        long[] positions = new long[n];
        float[] mask = new float[n];
        for (int i = 0; i < n; i++) {
            positions[i] = i;
            mask[i] = 1;
        }
        float[] logits;
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray input = scope.create(ids, new Shape(1, n));
            NDArray hidden = model.hiddenStates(input, scope.create(positions, new Shape(1, n)),
                    scope.create(mask, new Shape(1, n)), null);
            logits = model.logits(hidden).toFloatArray();                              // (1, n, V)
        }
        double[] logProbs = new double[n - 1];
        double[] entropies = new double[n - 1];
        for (int i = 0; i < n - 1; i++) {
            double[] z = new double[vocab];
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                z[v] = logits[i * vocab + v] / temperature;
                max = Math.max(max, z[v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(z[v] - max);
            }
            double logSumExp = max + Math.log(sum);
            double entropy = 0;
            for (int v = 0; v < vocab; v++) {
                double logP = z[v] - logSumExp;
                entropy -= Math.exp(logP) * logP;
            }
            logProbs[i] = z[sequence[i + 1]] - logSumExp;
            entropies[i] = entropy;
        }
        return new double[][] {logProbs, entropies};
    }

    /** Every property, on the model in {@code model} scoring {@code sequences}. */
    private void checkScores(Path model, List<int[]> sequences) throws IOException {
        Path input = input(sequences);
        List<JsonObject> plain = score(model, input);
        List<JsonObject> atOne = score(model, input, "--temperature", "1", "--entropy");
        List<JsonObject> warm = score(model, input, "--temperature", "0.7", "--entropy");
        List<JsonObject> hot = score(model, input, "--temperature", "2", "--entropy");
        // log p_i + ln V = (z_i − mean z) / T to first order: the pretrained fixture's logits spread
        // by ~12, so at T = 1e4 a log-prob is still ~1e-3 from −ln V; 1e5 leaves ~1e-4.
        List<JsonObject> uniform = score(model, input, "--temperature", "1e5", "--entropy");

        try (LanguageModel lm = LanguageModel.load(model)) {
            int vocab = lm.config().vocabSize();
            double lnV = Math.log(vocab);
            for (int s = 0; s < sequences.size(); s++) {
                int n = sequences.get(s).length;
                String what = "sequence " + s;
                // Without --entropy the output is as before; --temperature 1 is the default.
                assertThat(plain.get(s).has("entropies")).as(what).isFalse();
                assertThat(plain.get(s).get("id").getAsInt()).isEqualTo(s);
                assertThat(atOne.get(s).get("logprobs")).as(what).isEqualTo(plain.get(s).get("logprobs"));

                double[] entropies = doubles(atOne.get(s).getAsJsonArray("entropies"));
                assertThat(entropies).as(what).hasSize(n - 1);
                for (double h : entropies) {
                    assertThat(h).as(what).isBetween(-1e-5, lnV + 1e-5);
                }

                // Against log-softmax(logits / T) recomputed from the decoder, unpadded, in double.
                for (Object[] t : new Object[][] {{1.0, atOne}, {0.7, warm}, {2.0, hot}}) {
                    @SuppressWarnings("unchecked")
                    JsonObject line = ((List<JsonObject>) t[1]).get(s);
                    double[][] expected = reference(lm.decoder(), sequences.get(s), (double) t[0]);
                    double[] logProbs = doubles(line.getAsJsonArray("logprobs"));
                    double[] entropy = doubles(line.getAsJsonArray("entropies"));
                    for (int i = 0; i < n - 1; i++) {
                        assertThat(logProbs[i]).as(what + " T=" + t[0] + " token " + (i + 1))
                                .isCloseTo(expected[0][i], within(2e-4));
                        assertThat(entropy[i]).as(what + " T=" + t[0] + " token " + (i + 1))
                                .isCloseTo(expected[1][i], within(2e-4));
                    }
                }

                // Entropy rises with temperature (a softmax's entropy is non-decreasing in T).
                double[] cool = doubles(warm.get(s).getAsJsonArray("entropies"));
                double[] heated = doubles(hot.get(s).getAsJsonArray("entropies"));
                for (int i = 0; i < n - 1; i++) {
                    assertThat(heated[i]).as(what + " token " + (i + 1)).isGreaterThanOrEqualTo(cool[i] - 1e-5);
                }

                // T → ∞: uniform over the vocabulary.
                for (double lp : doubles(uniform.get(s).getAsJsonArray("logprobs"))) {
                    assertThat(lp).as(what).isCloseTo(-lnV, within(1e-3));
                }
                for (double h : doubles(uniform.get(s).getAsJsonArray("entropies"))) {
                    assertThat(h).as(what).isCloseTo(lnV, within(1e-3));
                }
            }
        }
    }

    @Test
    void temperatureAndEntropyOnATinyModel() throws IOException {
        checkScores(tinyModel(), SEQUENCES);
    }

    @Test
    @Tag("fixture")
    void temperatureAndEntropyOnThePretrainedFixture() throws IOException {
        Path model = Fixtures.llama260k();   // skipped when the fixture is absent
        int[] greedy = Fixtures.llamaGreedyFromBos();
        int[] story = new int[25];
        story[0] = 1;
        System.arraycopy(greedy, 0, story, 1, 24);
        checkScores(model, List.of(story, new int[] {1, 400, 13}, Arrays.copyOf(story, 9)));
    }

    @Test
    void temperatureMustBeAFinitePositiveNumber() throws IOException {
        Path input = input(SEQUENCES);
        for (String t : new String[] {"0", "-1", "NaN", "Infinity"}) {
            err.getBuffer().setLength(0);
            assertThat(run("logprobs", "--model", dir.toString(), "--input", input.toString(), "--output", "-",
                    "--temperature", t)).as(t).isEqualTo(2);
            assertThat(err.toString()).as(t).contains("--temperature must be a finite number > 0, got");
        }
        assertThat(run("logprobs", "--model", "m", "--input", "i", "--output", "o", "--temperature", "warm")).isEqualTo(2);
        assertThat(err.toString()).contains("--temperature").contains("warm");
    }

    @Test
    void helpDescribesTheOptions() {
        assertThat(run("logprobs", "--help")).isZero();
        assertThat(out.toString()).contains("--temperature", "--entropy", "entropies");
    }
}
