package org.jalign.cli;

import org.jalign.reward.ClassifierReward;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code jalign reward score}'s choice of scorer ({@code --label}, {@code --reward},
 * {@code --raw}) as a picocli mixin, with the rule that decides between a reward model and a
 * classifier. Public so the Spark module's {@code score} job takes exactly the CLI's options with
 * the CLI's messages.
 */
public final class ScoringOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--label", paramLabel = "NAME|INDEX",
            description = "The class whose score is the reward, by id2label name or index (default: 0).")
    String label;

    @Option(names = "--reward", paramLabel = "logit|log-odds|log-prob",
            description = "A classifier's reward: the class logit (default), its log-odds against the others, or its log-probability.")
    String rewardMode;

    @Option(names = "--raw", description = "A reward model's raw output, without the stored normalisation.")
    boolean raw;

    /** The classifier's class (name or index), or null for class 0. */
    public String label() {
        return label;
    }

    public boolean raw() {
        return raw;
    }

    /** How a classifier's class becomes a reward (default logit); a usage error for another word. */
    public ClassifierReward.Mode mode() {
        if (rewardMode == null) {
            return ClassifierReward.Mode.LOGIT;
        }
        return switch (rewardMode.toLowerCase(Locale.ROOT)) {
            case "logit" -> ClassifierReward.Mode.LOGIT;
            case "log-odds" -> ClassifierReward.Mode.LOG_ODDS;
            case "log-prob" -> ClassifierReward.Mode.LOG_PROBABILITY;
            default -> throw usage("--reward must be logit, log-odds or log-prob, got \"" + rewardMode + "\"");
        };
    }

    /**
     * Whether {@code dir} is scored as a {@code reward train} output (normalised rewards) rather
     * than a classifier: neither --label nor --reward is given and the directory has a
     * reward_config.json or an adapter_config.json (a LoRA run's final/). --raw on a classifier is
     * a usage error.
     */
    public boolean isRewardModel(Path dir) {
        boolean rewardModel = label == null && rewardMode == null && (Files.isRegularFile(dir.resolve("reward_config.json"))
                || Files.isRegularFile(dir.resolve("adapter_config.json")));
        if (raw && !rewardModel) {
            throw usage("--raw applies to a reward model (a reward train output) without --label or --reward");
        }
        return rewardModel;
    }

    private ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
