package org.jalign.cli;

import org.jalign.lm.tokenizer.BpeTrainer;
import org.jalign.lm.tokenizer.ByteLevelBpe;
import org.jalign.lm.tokenizer.TokenizerJson;
import org.jalign.run.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jalign tokenizer}: tokenizer tools, one subcommand each. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Make tokenizers: train a byte-level BPE tokenizer on a text corpus.",
        subcommands = {TokenizerCommand.Train.class})
final class TokenizerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** A parent command does nothing itself: naming no subcommand is a usage error. */
    @Override
    public Integer call() {
        throw Inputs.chooseSubcommand(spec, "subcommand");
    }

    /**
     * {@code jalign tokenizer train}: steps 1 check options, 2 read the corpus (UTF-8), 3 learn the
     * merges, 4 write the tokenizer files atomically.
     */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Train a byte-level BPE tokenizer (GPT-2 style) and write it in the Hugging Face format.",
                "",
                "Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json to --out; each file is "
                    + "replaced atomically. Special tokens: <pad>=0, <bos>=1, <eos>=2, <unk>=3; the 256 bytes are "
                    + "ids 4-259; learned merges follow. Special tokens written in the corpus are kept out of "
                    + "training, as encoding keeps them out of merging.",
                ""})
    static final class Train implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--input", required = true, paramLabel = "FILE", description = "Training text (UTF-8).")
        Path input;

        @Option(names = "--vocab-size", required = true, paramLabel = "V",
                description = "Tokens in all, the 4 special tokens and 256 bytes included (at least "
                        + ByteLevelBpe.MIN_VOCAB_SIZE + ").")
        int vocabSize;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if missing).")
        Path out;

        @Option(names = "--min-frequency", paramLabel = "F", defaultValue = "" + BpeTrainer.Config.DEFAULT_MIN_FREQUENCY,
                description = "Never merge a pair seen fewer than F times (default: ${DEFAULT-VALUE}).")
        int minFrequency;

        @Option(names = "--lowercase", description = "Lower-case text before tokenizing (at training and encoding).")
        boolean lowercase;

        @Option(names = "--quiet", description = "No progress bar or summary.")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            // 1. Options.
            if (vocabSize < ByteLevelBpe.MIN_VOCAB_SIZE) {
                throw new ParameterException(spec.commandLine(), "--vocab-size must be at least "
                        + ByteLevelBpe.MIN_VOCAB_SIZE + " (4 special tokens + 256 bytes), got " + vocabSize);
            }
            if (minFrequency < 1) {
                throw new ParameterException(spec.commandLine(), "--min-frequency must be at least 1, got " + minFrequency);
            }
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new CliFailure("output " + out + " exists and is not a directory");
            }
            BpeTrainer.Config config = new BpeTrainer.Config(vocabSize, minFrequency, lowercase);

            // 2. The corpus.
            String corpus = readCorpus(input);

            // 3. Merges.
            PrintWriter err = spec.commandLine().getErr();
            ByteLevelBpe bpe;
            try (ProgressBar bar = new ProgressBar("merges", vocabSize - ByteLevelBpe.MIN_VOCAB_SIZE, err, quiet)) {
                bpe = BpeTrainer.train(corpus, config, merges -> bar.advance(1));
            } catch (IllegalArgumentException e) {
                throw new CliFailure(input + ": " + e.getMessage());
            }

            // 4. Files.
            TokenizerJson.write(bpe, out);
            if (bpe.vocabSize() < vocabSize) {
                err.println("jalign tokenizer train: warning: the corpus allowed only " + bpe.vocabSize()
                        + " tokens, not " + vocabSize + " (no pair is left that occurs at least " + minFrequency
                        + " time" + (minFrequency == 1 ? "" : "s") + ")");
            }
            if (!quiet) {
                err.println("wrote " + out.resolve(TokenizerJson.TOKENIZER_FILE) + ": " + bpe.vocabSize() + " tokens ("
                        + ByteLevelBpe.SPECIAL_TOKENS.size() + " special, 256 bytes, " + bpe.merges().size() + " merges)");
            }
            return 0;
        }

        /** The whole file as text; errors name the file. Strict UTF-8, so a binary or Latin-1 file is not learned as bytes. */
        private static String readCorpus(Path input) throws IOException {
            if (!Files.exists(input)) {
                throw new CliFailure("input file not found: " + input);
            }
            if (!Files.isRegularFile(input)) {
                throw new CliFailure("input is not a file: " + input);
            }
            byte[] bytes = Files.readAllBytes(input);
            if (bytes.length == 0) {
                throw new CliFailure(input + " is empty: there is nothing to train on");
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new CliFailure(input + " is not UTF-8 text (" + e.getMessage() + ")");
            }
        }
    }
}
