package org.jalign.cli;

import org.jalign.eval.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jalign eval report}: one self-contained HTML report and its Markdown twin. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes one self-contained HTML file (and FILE.md beside it) from an eval",
            "compare run and training runs: the before/after table with intervals, the",
            "curves inline, samples side by side (escaped) and every run's provenance.", ""})
final class EvalReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--eval", required = true, paramLabel = "DIR", description = "An eval compare run directory.")
    Path eval;

    @Option(names = "--run", paramLabel = "DIR", description = "A training run whose curves and manifest to include; repeat for more.")
    List<Path> runs = new ArrayList<>();

    @Option(names = "--samples", paramLabel = "N", defaultValue = "20", description = "Samples shown at most (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--out", required = true, paramLabel = "FILE.html", description = "The HTML file; the Markdown twin is FILE.md.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (samples < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--samples must be >= 0, got " + samples);
        }
        Path markdown = Report.write(eval, runs, out, samples);
        spec.commandLine().getOut().println("eval report: written to " + out + " and " + markdown);
        return 0;
    }
}
