package org.jalign.cli;

import org.jalign.demo.Demo;
import org.jalign.demo.DemoConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jalign demo}: the whole RLHF loop on an embedded world, nothing to download or set up. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The end-to-end RLHF demo, embedded: pretrain a tiny policy on a small world where the "
                + "assistant is kind or rude, sample completions, let a simulated labeler panel rank them (one "
                + "labeler careless), train a reward model, run PPO and DPO, and evaluate before vs after "
                + "(toxicity, reward, KL, win rates) into an HTML report.",
            "About a minute on two idle cores. Rerunning with the same --out resumes where it stopped."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo",
            description = "Output directory (default: ${DEFAULT-VALUE}); an existing one is resumed.")
    Path out;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of every step (default: 0).")
    long seed;

    @Option(names = "--quick", description = "Smaller sizes (about half the time), as the end-to-end test runs it.")
    boolean quick;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        DemoConfig config = quick ? DemoConfig.quick(seed) : DemoConfig.standard(seed);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        Demo.Result r = Demo.run(config, out, quiet, err);
        stdout.println(summary(r));
        stdout.flush();
        return 0;
    }

    static String summary(Demo.Result r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "jalign demo: done in %s%n", r.out()));
        s.append(String.format(Locale.ROOT, "  pretraining eval loss %.3f%n", r.pretrainEvalLoss()));
        s.append(String.format(Locale.ROOT, "  labelers: pairwise agreement %.2f, flagged as poor: %s; %d preference pairs%n",
                r.pairwiseAgreement(), r.flaggedLabelers().isEmpty() ? "none" : String.join(", ", r.flaggedLabelers()),
                r.pairs()));
        s.append(String.format(Locale.ROOT, "  reward model: held-out accuracy %.3f%n", r.rewardEvalAccuracy()));
        s.append(String.format(Locale.ROOT, "  PPO: %d steps, last reward %.3f, KL %.3f%n", r.ppoSteps(), r.ppoLastReward(),
                r.ppoLastKl()));
        s.append(String.format(Locale.ROOT, "  DPO: held-out preference accuracy %.3f%n", r.dpoEvalAccuracy()));
        if (r.evaluation() != null) {
            s.append("  held-out prompts:      toxic   criterion   reward   KL to base   win rate vs base\n");
            r.evaluation().policies().forEach((name, p) -> s.append(String.format(Locale.ROOT,
                    "    %-8s %14.1f%% %11.2f %8.3f %12.3f %18s%n", name, 100 * p.toxicRate(), p.criterionScore(),
                    p.reward(), p.klToBase(), Double.isNaN(p.winRateVsBase()) ? "-"
                            : String.format(Locale.ROOT, "%.3f", p.winRateVsBase()))));
            s.append("  report: ").append(r.evaluation().report()).append('\n');
        }
        return s.toString();
    }
}
