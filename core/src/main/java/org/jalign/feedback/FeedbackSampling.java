package org.jalign.feedback;

import com.google.gson.JsonObject;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;
import org.jalign.lm.GeneratedSequence;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/**
 * {@code feedback create}'s work: N sampled completions per prompt, ready for
 * {@link FeedbackStore#addPrompts}.
 *
 * <ol>
 *   <li>read the prompts file ({@link #readPrompts}): {@code {"prompt": "...", "prompt_id": "..."}}
 *       a line, {@code prompt_id} optional (else {@link FeedbackStore#derivedPromptId}), ids unique;</li>
 *   <li>name the model ({@link #modelId}): directory name and a SHA-256 prefix of its weights, so
 *       two checkpoints saved under the same name are still told apart;</li>
 *   <li>decode {@code batchSize} prompts at a time, N samples each ({@link #sample}); the sampling
 *       settings go with every completion ({@link #samplingJson}) so the data says how it was made.</li>
 * </ol>
 */
public final class FeedbackSampling {

    /** Hex digits of the weights' SHA-256 in a model id: 48 bits, ample to tell checkpoints apart. */
    static final int MODEL_HASH_DIGITS = 12;

    private FeedbackSampling() {
    }

    /** A prompt line, checked: its id (given or derived) and text. */
    public record Prompt(JsonlReader.Line line, String externalId, String text) {
    }

    /** Step 1: every line checked before any model work; errors name the file, line and field. */
    public static List<Prompt> readPrompts(JsonlReader reader) {
        List<Prompt> prompts = new ArrayList<>();
        Map<String, Integer> firstLineOfId = new HashMap<>();
        for (JsonlReader.Line line : reader) {
            String text = JsonlFields.requireString(line, "prompt");
            if (text.isBlank()) {
                throw line.error("field \"prompt\" is blank", "the prompt text");
            }
            String externalId = JsonlFields.optionalString(line, "prompt_id")
                    .orElseGet(() -> FeedbackStore.derivedPromptId(text));
            if (externalId.isBlank()) {
                throw line.error("field \"prompt_id\" is blank", "a non-blank prompt id, or no \"prompt_id\" field");
            }
            Integer earlier = firstLineOfId.putIfAbsent(externalId, line.lineNumber());
            if (earlier != null) {
                throw line.object().has("prompt_id")
                        ? line.error("field \"prompt_id\" \"" + externalId + "\" repeats line " + earlier,
                        "a prompt id unique within the file")
                        : line.error("field \"prompt\" repeats the prompt of line " + earlier
                        + " (without \"prompt_id\" the id is derived from the prompt text)", "each prompt once");
            }
            prompts.add(new Prompt(line, externalId, text));
        }
        return prompts;
    }

    /**
     * Step 2: {@code <directory name>@sha256:<12 hex digits>}, the digest over every
     * {@code *.safetensors} file of the directory in name order (one file or a sharded checkpoint).
     */
    public static String modelId(Path modelDir) throws IOException {
        Path absolute = modelDir.toAbsolutePath().normalize();
        List<Path> weights;
        try (Stream<Path> files = Files.list(absolute)) {
            weights = files.filter(f -> f.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(f))
                    .sorted().toList();
        }
        if (weights.isEmpty()) {
            throw new IllegalArgumentException(modelDir + " has no *.safetensors weights to identify the model by");
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        for (Path file : weights) {
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                while (in.read(buffer) > 0) {
                    // the digest reads along
                }
            }
        }
        String name = absolute.getFileName() == null ? "model" : absolute.getFileName().toString();
        return name + "@sha256:" + HexFormat.of().formatHex(digest.digest()).substring(0, MODEL_HASH_DIGITS);
    }

    /** The settings a completion was sampled with, as stored beside it (Hugging Face's names). */
    public static String samplingJson(GenerationConfig config) {
        JsonObject json = new JsonObject();
        json.addProperty("do_sample", !config.greedy());
        json.addProperty("max_new_tokens", config.maxNewTokens());
        json.addProperty("temperature", config.temperature());
        json.addProperty("top_k", config.topK());
        json.addProperty("top_p", config.topP());
        json.addProperty("repetition_penalty", config.repetitionPenalty());
        json.addProperty("num_return_sequences", config.numReturnSequences());
        json.addProperty("seed", config.seed());
        return json.toString();
    }

    /**
     * Step 3: {@code config.numReturnSequences()} completions of each prompt, decoded as text
     * without special tokens, in sample order.
     *
     * @param promptIds one tokenized prompt per entry of {@code prompts} (BOS already added)
     * @param progress  told how many prompts each finished batch held
     */
    public static List<FeedbackStore.NewPrompt> sample(LanguageModel model, List<Prompt> prompts, List<int[]> promptIds,
                                                       GenerationConfig config, int batchSize, String modelId,
                                                       IntConsumer progress) {
        if (prompts.size() != promptIds.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + promptIds.size() + " tokenized prompts");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        TextTokenizer tokenizer = model.tokenizer().orElseThrow(() ->
                new IllegalArgumentException("the model has no tokenizer.json to decode completions with"));
        String sampling = samplingJson(config);
        List<List<FeedbackStore.NewCompletion>> completions = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            completions.add(new ArrayList<>());
        }
        for (int from = 0; from < prompts.size(); from += batchSize) {
            int to = Math.min(prompts.size(), from + batchSize);
            List<GeneratedSequence> batch = new ArrayList<>(model.generate(promptIds.subList(from, to), config, from));
            batch.sort((a, b) -> a.promptIndex() != b.promptIndex() ? Integer.compare(a.promptIndex(), b.promptIndex())
                    : Integer.compare(a.sampleIndex(), b.sampleIndex()));
            for (GeneratedSequence sequence : batch) {
                completions.get(sequence.promptIndex()).add(new FeedbackStore.NewCompletion(
                        tokenizer.decode(sequence.completionIds(), true), modelId, sampling));
            }
            progress.accept(to - from);
        }
        List<FeedbackStore.NewPrompt> result = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            result.add(new FeedbackStore.NewPrompt(prompts.get(i).externalId(), prompts.get(i).text(),
                    completions.get(i), null));
        }
        return result;
    }
}
