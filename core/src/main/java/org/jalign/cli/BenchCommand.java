package org.jalign.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code jalign bench}: benchmarks, one subcommand each.
 *
 * <p>To add one, write a {@code @Command(name = "...", mixinStandardHelpOptions = true)} class in
 * this package and list it in {@code subcommands} below, e.g.
 * {@code subcommands = {BenchGenerateCommand.class}} for {@code jalign bench generate}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure speed (tokens/s, GFLOP/s against this machine's matmul peak).",
        subcommands = {
            BenchGenerateCommand.class,
            BenchTrainCommand.class
        })
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** A parent command does nothing itself: naming no benchmark is a usage error. */
    @Override
    public Integer call() {
        throw Inputs.chooseSubcommand(spec, "benchmark");
    }
}
