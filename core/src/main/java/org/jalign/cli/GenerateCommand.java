package org.jalign.cli;

import com.google.gson.JsonObject;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;
import org.jalign.data.JsonlWriter;
import org.jalign.lm.GeneratedSequence;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code jalign generate}: completions for a JSONL file of prompts.
 *
 * <p>Steps: 1 check options, 2 read and check every prompt line, 3 open the output, 4 load the
 * model and tokenize, 5 decode in batches of {@code --batch-size} prompts, writing as it goes,
 * 6 commit the output (atomically: a failed run leaves no partial file).
 *
 * <p>Text prompts get the model's BOS token prepended when it has one (unless the text already
 * encoded to BOS), as Hugging Face's Llama tokenizer does by default; {@code prompt_ids} are used
 * exactly as given.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate completions for prompts in a JSONL file.",
            "",
            "Input, one object a line: {\"prompt\": \"text\"} (needs tokenizer.json; BOS is prepended when the "
                + "model has one) or {\"prompt_ids\": [1, 2]} (used as given). Other fields are copied to the output.",
            "Output, one line per completion (N per prompt): {\"prompt_ids\": [...], \"completion_ids\": [...], "
                + "\"completion\": \"text\" (with a tokenizer), \"sample_index\": j, \"finish_reason\": \"eos\"|\"length\", "
                + "...copied input fields}.",
            "Without --greedy it samples (temperature 1, no top-k/top-p unless given).",
            ""})
final class GenerateCommand implements Callable<Integer> {

    /** Fields the output line defines; an input field of the same name is not copied. */
    private static final Set<String> OUTPUT_FIELDS =
            Set.of("prompt_ids", "completion_ids", "completion", "sample_index", "finish_reason");

    /** GenerationConfig's field names → this command's options, to put its messages in the user's terms. */
    private static final Map<String, String> OPTION_NAMES = Map.of(
            "maxNewTokens", "--max-new-tokens", "temperature", "--temperature", "topK", "--top-k",
            "topP", "--top-p", "repetitionPenalty", "--repetition-penalty", "numReturnSequences", "--num-return-sequences");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory: config.json, model.safetensors (or sharded), optional tokenizer.json.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "Prompts (JSONL); - for stdin.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "FILE",
            description = "Completions (JSONL), written atomically; - for stdout.")
    String output;

    @Option(names = "--max-new-tokens", paramLabel = "K", defaultValue = "64",
            description = "Tokens to generate at most per completion (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--greedy", description = "Take the most likely token each step instead of sampling.")
    boolean greedy;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature > 0 (default: 1).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample from the K most likely tokens (default: 0, off).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P",
            description = "Sample from the smallest set of tokens with probability >= P, P in (0, 1] (default: 1, off).")
    Double topP;

    @Option(names = "--repetition-penalty", paramLabel = "R", defaultValue = "1.0",
            description = "CTRL repetition penalty > 0; 1 is off (default: ${DEFAULT-VALUE}).")
    double repetitionPenalty;

    @Option(names = "--num-return-sequences", paramLabel = "N", defaultValue = "1",
            description = "Completions per prompt (default: ${DEFAULT-VALUE}).")
    int numReturnSequences;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Random seed; the same seed gives the same samples whatever the batch size (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Prompts decoded together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    /** A prompt line, checked: its text or its ids (exactly one is set). */
    private record Prompt(JsonlReader.Line line, String text, int[] ids) {
    }

    @Override
    public Integer call() throws IOException {
        // 1. Options.
        GenerationConfig config = config();
        Inputs.requireModelDir(model);

        // 2. Every prompt line, before any model work: a bad line N fails in milliseconds.
        List<Prompt> prompts = readPrompts();

        // 3. The output (its directory is checked now, not after the model has loaded).
        try (JsonlWriter out = JsonlWriter.open(output, spec.commandLine().getOut())) {
            if (prompts.isEmpty()) {
                spec.commandLine().getErr().println("jalign generate: warning: no prompts in " + input);
                out.commit();
                return 0;
            }
            // 4. The model, and the prompts as ids.
            try (LanguageModel lm = LanguageModel.load(model)) {
                Optional<TextTokenizer> tokenizer = lm.tokenizer();
                List<int[]> promptIds = tokenize(prompts, lm, tokenizer);

                // 5. Batches of prompts; each batch's completions are written before the next starts.
                try (ProgressBar bar = new ProgressBar("generate", prompts.size(), spec.commandLine().getErr(), quiet)) {
                    for (int from = 0; from < prompts.size(); from += batchSize) {
                        int to = Math.min(prompts.size(), from + batchSize);
                        for (GeneratedSequence sequence : lm.generate(promptIds.subList(from, to), config, from)) {
                            int index = sequence.promptIndex();
                            out.write(outputLine(prompts.get(index), promptIds.get(index), sequence, tokenizer));
                        }
                        bar.advance(to - from);
                    }
                }
            }
            // 6. Only now does the output file appear.
            out.commit();
        }
        return 0;
    }

    private GenerationConfig config() {
        if (greedy && (temperature != null || topK != null || topP != null)) {
            throw usage("--greedy cannot be combined with --temperature, --top-k or --top-p");
        }
        if (greedy && numReturnSequences > 1) {
            // As Hugging Face refuses it: N greedy completions of one prompt are N identical copies.
            throw usage("--greedy gives one completion per prompt; --num-return-sequences " + numReturnSequences
                    + " needs sampling (--temperature T)");
        }
        if (batchSize < 1) {
            throw usage("--batch-size must be >= 1, got " + batchSize);
        }
        try {
            return new GenerationConfig(maxNewTokens, greedy, temperature == null ? 1.0 : temperature,
                    topK == null ? 0 : topK, topP == null ? 1.0 : topP, repetitionPenalty, numReturnSequences, seed);
        } catch (IllegalArgumentException e) {
            throw usage(inOptionTerms(e.getMessage()));
        }
    }

    /** "topP must be in (0, 1], got 1.5" → "--top-p must be in (0, 1], got 1.5". */
    static String inOptionTerms(String message) {
        int space = message.indexOf(' ');
        String first = space < 0 ? message : message.substring(0, space);
        String option = OPTION_NAMES.get(first);
        return option == null ? message : option + message.substring(first.length());
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private List<Prompt> readPrompts() throws IOException {
        List<Prompt> prompts = new ArrayList<>();
        try (JsonlReader reader = Inputs.openInput(input)) {
            for (JsonlReader.Line line : reader) {
                Optional<String> text = JsonlFields.optionalString(line, "prompt");
                Optional<int[]> ids = JsonlFields.optionalIntArray(line, "prompt_ids");
                if (text.isPresent() == ids.isPresent()) {
                    throw line.error(text.isPresent() ? "both \"prompt\" and \"prompt_ids\" are set"
                                    : "neither \"prompt\" nor \"prompt_ids\" is set",
                            "exactly one of {\"prompt\": \"text\"} or {\"prompt_ids\": [1, 2]}");
                }
                ids.ifPresent(x -> Inputs.checkIds(line, "prompt_ids", x, 1, "generation continues a prompt"));
                prompts.add(new Prompt(line, text.orElse(null), ids.orElse(null)));
            }
        }
        return prompts;
    }

    private List<int[]> tokenize(List<Prompt> prompts, LanguageModel lm, Optional<TextTokenizer> tokenizer) {
        int bos = lm.specialTokens().bosId();
        List<int[]> all = new ArrayList<>(prompts.size());
        for (Prompt prompt : prompts) {
            int[] ids = prompt.ids();
            String field = "prompt_ids";
            if (ids == null) {
                field = "prompt";
                TextTokenizer t = tokenizer.orElseThrow(() -> prompt.line().error(
                        "field \"prompt\" is text, but " + model + " has no tokenizer.json",
                        "\"prompt_ids\" (token ids) for this model"));
                ids = withBos(t.encode(prompt.text()), bos);
                if (ids.length == 0) {
                    throw prompt.line().error("field \"prompt\" encodes to no tokens and the model has no BOS token",
                            "a non-empty prompt");
                }
            }
            Inputs.checkFitsModel(prompt.line(), field, ids, maxNewTokens, lm.config());
            all.add(ids);
        }
        return all;
    }

    /** BOS + ids when the model has a BOS id and ids do not already start with it. */
    static int[] withBos(int[] ids, int bos) {
        if (bos < 0 || (ids.length > 0 && ids[0] == bos)) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    private static JsonObject outputLine(Prompt prompt, int[] promptIds, GeneratedSequence sequence,
                                         Optional<TextTokenizer> tokenizer) {
        JsonObject o = new JsonObject();
        o.add("prompt_ids", Inputs.toJson(promptIds));
        o.add("completion_ids", Inputs.toJson(sequence.completionIds()));
        tokenizer.ifPresent(t -> o.addProperty("completion", t.decode(sequence.completionIds(), true)));
        o.addProperty("sample_index", sequence.sampleIndex());
        o.addProperty("finish_reason", sequence.finishedByEos() ? "eos" : "length");
        prompt.line().object().entrySet().stream()
                .filter(e -> !OUTPUT_FIELDS.contains(e.getKey()))
                .forEach(e -> o.add(e.getKey(), e.getValue().deepCopy()));
        return o;
    }
}
