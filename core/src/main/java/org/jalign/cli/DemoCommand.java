package org.jalign.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code jalign demo}: the end-to-end RLHF demo. A placeholder until the demo issue lands. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the end-to-end RLHF demo (arrives with the demo issue).")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println("""
                The end-to-end demo (sample, collect feedback, train a reward model, PPO/DPO, evaluate)
                arrives with the demo issue. What runs today is the LM inference core:
                  ./jalign generate --help
                  ./jalign logprobs --help""");
        return 0;
    }
}
