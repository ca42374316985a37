package org.jalign.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every training command shares: where the run directory is and how it is kept. */
final class RunOptions {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (new, or with --resume).")
    Path out;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "100",
            description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    long checkpointEvery;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "0",
            description = "Steps between evaluations; 0 = at the end (default).")
    long evalEvery;

    @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint.")
    boolean resume;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;
}
