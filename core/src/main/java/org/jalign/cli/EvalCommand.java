package org.jalign.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code jalign eval}: compare policies, draw training curves, write a report. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluation: compare policies before and after training on one prompt set",
            "(rewards, classifier flags, KL to a reference, win rates, diversity), draw",
            "a run's metrics as SVG curves, and write an HTML report with a Markdown twin."},
        subcommands = {EvalCompareCommand.class, EvalCurvesCommand.class, EvalReportCommand.class})
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw Inputs.chooseSubcommand(spec, "subcommand");
    }
}
