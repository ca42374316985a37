package org.jalign.cli;

import org.jalign.data.JsonlReader;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks the commands share: files that must exist, a parent command run alone. (The checks of
 * token ids read from a line are {@link org.jalign.lm.TokenIdChecks}.)
 */
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
}
