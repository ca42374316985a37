package org.jalign.cli;

import com.google.gson.JsonArray;
import org.jalign.data.JsonlReader;
import org.jalign.lm.Architecture;
import org.jalign.lm.ModelConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks the commands share: files that must exist, token ids that must fit the model. */
final class Inputs {

    private Inputs() {
    }

    /**
     * What a parent command (feedback, tokenizer, bench, ...) does when run alone: a usage error
     * listing its subcommands.
     */
    static ParameterException chooseSubcommand(CommandSpec spec, String noun) {
        return new ParameterException(spec.commandLine(),
                "choose a " + noun + ": " + String.join(", ", spec.subcommands().keySet()));
    }

    /** Fails unless {@code dir} looks like a Hugging Face model directory (checked before reading input). */
    static void requireModelDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CliFailure("model directory not found: " + dir);
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new CliFailure(dir + " has no config.json; expected a Hugging Face model directory");
        }
    }

    /** Opens a JSONL input, or stdin for {@code -}, naming the path when it is not a readable file. */
    static JsonlReader openInput(String input) throws IOException {
        if (!"-".equals(input)) {
            Path path = Path.of(input);
            if (!Files.exists(path)) {
                throw new CliFailure("input file not found: " + input);
            }
            if (!Files.isRegularFile(path)) {
                throw new CliFailure("input is not a file: " + input);
            }
        }
        return JsonlReader.open(input);
    }

    /** Ids read from {@code field} must be at least {@code minLength} long and non-negative. */
    static void checkIds(JsonlReader.Line line, String field, int[] ids, int minLength, String why) {
        if (ids.length < minLength) {
            throw line.error("field \"" + field + "\" has " + ids.length + " token" + (ids.length == 1 ? "" : "s"),
                    "at least " + minLength + " (" + why + ")");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw line.error("field \"" + field + "\" element " + i + " is " + ids[i], "token ids >= 0");
            }
        }
    }

    /** Once the model is loaded: every id below the vocabulary size, every sequence within GPT-2's positions. */
    static void checkFitsModel(JsonlReader.Line line, String field, int[] ids, int extraPositions, ModelConfig config) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= config.vocabSize()) {
                throw line.error("field \"" + field + "\" element " + i + " is " + ids[i],
                        "token ids < the model's vocab_size " + config.vocabSize());
            }
        }
        // Llama and Qwen2 use RoPE, which has no hard limit; GPT-2's learned positions end at n_positions.
        if (config.architecture() == Architecture.GPT2 && ids.length + extraPositions > config.maxPositions()) {
            throw line.error(ids.length + " tokens" + (extraPositions > 0 ? " + " + extraPositions + " new tokens" : "")
                    + " exceed the model's n_positions", "at most " + config.maxPositions() + " positions in all");
        }
    }

    static JsonArray toJson(int[] ids) {
        JsonArray array = new JsonArray(ids.length);
        for (int id : ids) {
            array.add(id);
        }
        return array;
    }
}
