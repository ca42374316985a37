package org.jalign.cli;

import org.jalign.constitution.Constitution;
import org.jalign.constitution.JudgeConfig;
import org.jalign.constitution.JudgeRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jalign constitution judge}: RLAIF preference labels from a judge model's answer probabilities. */
@Command(name = "judge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Labels every pair of completions with an AI judge: the judge model's probability of",
            "answering (A) vs (B) to a principle's question, asked in both orders and averaged (and over",
            "--principles-per-pair principles). Input: {\"prompt\", \"completions\": [...]} or",
            "{\"prompt\", \"chosen\", \"rejected\"} a line. Output: the pairs `feedback export --format pairs`",
            "writes, plus \"preference_probability\" (reward train and dpo read them unchanged).", ""})
final class ConstitutionJudgeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--judge-model", required = true, paramLabel = "DIR", description = "Judge model, with tokenizer.json.")
    Path judgeModel;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "Completions to compare (JSONL).")
    Path input;

    @Option(names = "--constitution", paramLabel = "FILE|default", defaultValue = Constitution.DEFAULT_NAME,
            description = "Principles JSONL, or default (default: ${DEFAULT-VALUE}).")
    String constitution;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL, written atomically; FILE.manifest.json beside it.")
    Path out;

    @Option(names = "--format", paramLabel = "pairs|ranked", defaultValue = "pairs",
            description = "pairs, or ranked lines ordered by expected wins (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--principles-per-pair", paramLabel = "N", defaultValue = "1",
            description = "Distinct principles each pair is judged under, averaged (default: ${DEFAULT-VALUE}).")
    int principlesPerPair;

    @Option(names = "--min-confidence", paramLabel = "C", defaultValue = "0.0",
            description = "Drop pairs with |P - 0.5| < C (default: ${DEFAULT-VALUE}: only exact ties).")
    double minConfidence;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8", description = "Judge prompts per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seeds the principle draws (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        JudgeRun.Config c;
        try {
            c = new JudgeRun.Config(judgeModel, input, constitution,
                    new JudgeConfig(principlesPerPair, minConfidence, batchSize, seed, JudgeConfig.OutputFormat.parse(format)));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Inputs.requireModelDir(judgeModel);
        if (!Files.isRegularFile(input)) {
            throw new CliFailure("input file not found: " + input);
        }
        if (!Constitution.DEFAULT_NAME.equals(constitution) && !Files.isRegularFile(Path.of(constitution))) {
            throw new CliFailure("constitution file not found: " + constitution + " (or pass --constitution default)");
        }
        JudgeRun.Result r = JudgeRun.run(c, out, quiet, spec.commandLine().getErr());
        spec.commandLine().getOut().printf("constitution judge: %d prompts, %d pairs judged, %d lines written%s to %s%n",
                r.items(), r.pairs(), r.written(),
                r.dropped() > 0 ? ", " + r.dropped() + " pairs dropped within --min-confidence of 0.5" : "", out);
        return 0;
    }
}
