package org.jalign.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code jalign reward}: train a reward model on preference data, score completions with one. */
@Command(name = "reward", mixinStandardHelpOptions = true,
        description = {"Reward models: train one on preference pairs or rankings, score completions with it",
            "(or with any Hugging Face *ForSequenceClassification classifier)."},
        subcommands = {RewardTrainCommand.class, RewardScoreCommand.class})
final class RewardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw Inputs.chooseSubcommand(spec, "subcommand");
    }
}
