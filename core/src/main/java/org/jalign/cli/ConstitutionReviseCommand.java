package org.jalign.cli;

import org.jalign.constitution.Constitution;
import org.jalign.constitution.RevisionConfig;
import org.jalign.constitution.RevisionRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jalign constitution revise}: the supervised stage of Constitutional AI. */
@Command(name = "revise", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"For each prompt: an initial response (given, or sampled), then --rounds times a",
            "critique under a randomly drawn principle and a revision; the last revision is the",
            "SFT target. Input: {\"prompt\", \"prompt_id\"?, \"response\"?} a line. Writes a run",
            "directory: sft.jsonl (what `jalign sft --data` reads), trace.jsonl, manifest.json.", ""})
final class ConstitutionReviseCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model that critiques and revises, with tokenizer.json.")
    Path model;

    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "Prompts JSONL.")
    Path prompts;

    @Option(names = "--constitution", paramLabel = "FILE|default", defaultValue = Constitution.DEFAULT_NAME,
            description = "Principles JSONL {\"id\", \"critique\", \"revision\", \"judge\"}, or default (default: ${DEFAULT-VALUE}).")
    String constitution;

    @Option(names = "--rounds", paramLabel = "K", defaultValue = "1", description = "Critique-revision rounds per prompt (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (new, or with --resume).")
    Path out;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "128",
            description = "Tokens per generated turn: response, critique, revision (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--greedy", description = "Argmax decoding instead of sampling.")
    boolean greedy;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0", description = "Sampling temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "Nucleus sampling; 1 is off (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Prompts generated together; results do not depend on it (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seeds principle draws and samples (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume", description = "Continue the run in --out: prompts already written are skipped.")
    boolean resume;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        RevisionRun.Config c;
        try {
            c = new RevisionRun.Config(model, prompts, constitution,
                    new RevisionConfig(rounds, maxNewTokens, greedy, temperature, topP, batchSize, seed));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Inputs.requireModelDir(model);
        if (!Files.isRegularFile(prompts)) {
            throw new CliFailure("prompts file not found: " + prompts);
        }
        if (!Constitution.DEFAULT_NAME.equals(constitution) && !Files.isRegularFile(Path.of(constitution))) {
            throw new CliFailure("constitution file not found: " + constitution + " (or pass --constitution default)");
        }
        RevisionRun.Result r = RevisionRun.run(c, out, resume, quiet, spec.commandLine().getErr());
        spec.commandLine().getOut().printf("constitution revise: %d prompts, %d rounds%s%s; SFT data in %s, trace in %s%n",
                r.prompts(), rounds, r.resumedFrom() > 0 ? " (" + r.resumedFrom() + " already done)" : "",
                r.chatTemplate() ? ", with the model's chat template" : ", Human:/Assistant: format", r.sft(), r.trace());
        return 0;
    }
}
