package org.jalign.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code jalign constitution}: Constitutional AI's critique-revise data and RLAIF preference labels. */
@Command(name = "constitution", mixinStandardHelpOptions = true,
        description = {"Constitutional AI: make SFT data by critique and revision under written principles",
            "(revise), and label preference pairs with an AI judge (judge, RLAIF)."},
        subcommands = {ConstitutionReviseCommand.class, ConstitutionJudgeCommand.class})
final class ConstitutionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw Inputs.chooseSubcommand(spec, "subcommand");
    }
}
