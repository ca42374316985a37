package org.jalign.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;
import org.jalign.data.JsonlWriter;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TokenIdChecks;
import org.jalign.run.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jalign logprobs}: per-token log-probabilities of given sequences, the quantity PPO and DPO
 * are built on. {@code logprobs[i] = log p(input_ids[i+1] | input_ids[0..i])}, so n ids give n−1
 * values. {@code --temperature T} scores under softmax(logits / T), the policy that actually sampled
 * when generation used a temperature (as PPO's old and new log-probs must be; see "The N
 * Implementation Details of RLHF with PPO", detail "scale the logits by sampling temperature");
 * {@code --entropy} adds the entropy of each of those next-token distributions.
 *
 * <p>Steps: 1 check options, 2 read and check every line, 3 open the output, 4 load the model,
 * 5 score in padded batches of {@code --batch-size}, 6 commit the output atomically.
 */
@Command(name = "logprobs", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score token sequences: the log-probability of each token given those before it.",
            "",
            "Input, one object a line: {\"input_ids\": [...]} with at least 2 ids; other fields are kept.",
            "Output: the input object plus \"logprobs\": [...] (n-1 values; logprobs[i] = log p(input_ids[i+1] | "
                + "input_ids[0..i])).",
            "With --entropy also \"entropies\": [...] (n-1 values; the entropy in nats of each next-token distribution).",
            ""})
final class LogProbsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory: config.json, model.safetensors (or sharded).")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "Sequences (JSONL); - for stdin.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "FILE",
            description = "Scored sequences (JSONL), written atomically; - for stdout.")
    String output;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1",
            description = "Score under softmax(logits / T), T > 0: the temperature the sequences were sampled at "
                    + "(default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--entropy", description = "Also write \"entropies\": the entropy (nats) of each next-token distribution.")
    boolean entropy;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Sequences scored together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        // 1. Options.
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be >= 1, got " + batchSize);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new ParameterException(spec.commandLine(), "--temperature must be a finite number > 0, got " + temperature);
        }
        Inputs.requireModelDir(model);

        // 2. Every line, before the model loads.
        List<JsonlReader.Line> lines = new ArrayList<>();
        List<int[]> sequences = new ArrayList<>();
        try (JsonlReader reader = Inputs.openInput(input)) {
            for (JsonlReader.Line line : reader) {
                int[] ids = JsonlFields.requireIntArray(line, "input_ids");
                TokenIdChecks.checkIds(line, "input_ids", ids, 2, "the first token has no log-prob");
                lines.add(line);
                sequences.add(ids);
            }
        }

        // 3. The output.
        try (JsonlWriter out = JsonlWriter.open(output, spec.commandLine().getOut())) {
            if (!lines.isEmpty()) {
                // 4. The model.
                try (LanguageModel lm = LanguageModel.load(model)) {
                    for (int i = 0; i < lines.size(); i++) {
                        TokenIdChecks.checkFitsModel(lines.get(i), "input_ids", sequences.get(i), 0, lm.config());
                    }
                    // 5. Batches.
                    try (ProgressBar bar = new ProgressBar("logprobs", lines.size(), spec.commandLine().getErr(), quiet)) {
                        for (int from = 0; from < lines.size(); from += batchSize) {
                            int to = Math.min(lines.size(), from + batchSize);
                            LanguageModel.TokenScores scores = lm.score(sequences.subList(from, to), temperature);
                            for (int i = from; i < to; i++) {
                                out.write(outputLine(lines.get(i), scores.logProbs()[i - from],
                                        entropy ? scores.entropies()[i - from] : null));
                            }
                            bar.advance(to - from);
                        }
                    }
                }
            } else {
                spec.commandLine().getErr().println("jalign logprobs: warning: no sequences in " + input);
            }
            // 6. Commit.
            out.commit();
        }
        return 0;
    }

    /** The input object plus "logprobs", and "entropies" when {@code entropies} is not null. */
    private static JsonObject outputLine(JsonlReader.Line line, float[] logProbs, float[] entropies) {
        JsonObject o = line.object().deepCopy();
        o.add("logprobs", finiteArray(line, "log-prob", logProbs));
        if (entropies != null) {
            o.add("entropies", finiteArray(line, "entropy", entropies));
        }
        return o;
    }

    private static JsonArray finiteArray(JsonlReader.Line line, String what, float[] values) {
        JsonArray array = new JsonArray(values.length);
        for (int i = 0; i < values.length; i++) {
            // JSON has no NaN or infinity; fail loudly rather than write a file other tools reject.
            if (!Float.isFinite(values[i])) {
                throw new CliFailure(line.source() + " line " + line.lineNumber() + ": the " + what + " of token "
                        + (i + 1) + " is " + values[i] + ", which JSON cannot hold");
            }
            array.add(values[i]);
        }
        return array;
    }
}
