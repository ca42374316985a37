package org.jalign.cli;

import org.jalign.data.JsonlReader;
import org.jalign.data.JsonlWriter;
import org.jalign.lm.GeneratedSequence;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.PromptLine;
import org.jalign.lm.TextTokenizer;
import org.jalign.run.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    @Mixin
    GenerationOptions generation;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Prompts decoded together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        // 1. Options.
        GenerationConfig config = generation.config(batchSize);
        Inputs.requireModelDir(model);

        // 2. Every prompt line, before any model work: a bad line N fails in milliseconds.
        List<PromptLine> prompts = readPrompts();

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
                List<int[]> promptIds = tokenize(prompts, lm);

                // 5. Batches of prompts; each batch's completions are written before the next starts.
                try (ProgressBar bar = new ProgressBar("generate", prompts.size(), spec.commandLine().getErr(), quiet)) {
                    for (int from = 0; from < prompts.size(); from += batchSize) {
                        int to = Math.min(prompts.size(), from + batchSize);
                        for (GeneratedSequence sequence : lm.generate(promptIds.subList(from, to), config, from)) {
                            int index = sequence.promptIndex();
                            out.write(prompts.get(index).completionLine(promptIds.get(index), sequence, tokenizer));
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

    private List<PromptLine> readPrompts() throws IOException {
        List<PromptLine> prompts = new ArrayList<>();
        try (JsonlReader reader = Inputs.openInput(input)) {
            for (JsonlReader.Line line : reader) {
                prompts.add(PromptLine.parse(line));
            }
        }
        return prompts;
    }

    private List<int[]> tokenize(List<PromptLine> prompts, LanguageModel lm) {
        List<int[]> all = new ArrayList<>(prompts.size());
        for (PromptLine prompt : prompts) {
            all.add(prompt.promptIds(lm, model.toString(), generation.maxNewTokens()));
        }
        return all;
    }
}
