package org.jalign.cli;

import org.jalign.lm.lora.LoraConfig;
import org.jalign.reward.PreferenceFormat;
import org.jalign.reward.RewardTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jalign reward train}: a reward model from pairs or ranked JSONL. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a reward model: the LM with a scalar head read at the last token,",
            "loss -log sigmoid(r_chosen - r_rejected). Input JSONL (as `feedback export`",
            "writes it), one preference a line:",
            "  --format pairs:  {\"prompt\", \"chosen\", \"rejected\"} (+ \"margin\" with --margin)",
            "  --format ranked: {\"prompt\", \"completions\": [...], \"ranks\": [2, 1, null]}",
            "A ranked line trains on all its pairs from one forward pass, averaged per",
            "prompt (InstructGPT). Writes a run directory like `sft`; final/ is a Hugging",
            "Face *ForSequenceClassification model plus reward_config.json (the gain and",
            "bias that give the training completions mean 0, std 1).", ""})
final class RewardTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory with tokenizer.json: a causal LM (a fresh head is added) or a one-label sequence classifier.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Preference data (JSONL).")
    Path data;

    @Option(names = "--format", paramLabel = "pairs|ranked", defaultValue = "pairs",
            description = "Data format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--margin", description = "Use each pairs line's \"margin\" in the loss (Llama 2): -log sigmoid(r_c - r_r - margin).")
    boolean margin;

    @Option(names = "--center-rewards-coefficient", paramLabel = "C", defaultValue = "0",
            description = "Add C*(r_c + r_r)^2 to keep rewards centred (TRL; 0.01 is its suggestion; default: ${DEFAULT-VALUE}).")
    double centerCoefficient;

    @Option(names = "--lora", paramLabel = "SPEC",
            description = "Train LoRA adapters (and the head) instead of every weight, e.g. r=8,alpha=16,targets=q_proj,v_proj.")
    String lora;

    @Option(names = "--merge", description = "With --lora, also save the merged classifier in final/merged (loads standalone).")
    boolean merge;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1",
            description = "Passes over the data (default: ${DEFAULT-VALUE}; InstructGPT's reward model overfits after one).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Preferences (lines) per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--accumulation", paramLabel = "K", defaultValue = "1", description = "Micro-batches per step (default: ${DEFAULT-VALUE}).")
    int accumulation;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-5",
            description = "Peak learning rate (default: ${DEFAULT-VALUE}, near OpenRLHF's 9e-6; LoRA wants ~1e-4 to 1e-3).")
    double learningRate;

    @Option(names = "--warmup-ratio", paramLabel = "R", defaultValue = "0.03",
            description = "Warmup share of the steps, then linear decay (default: ${DEFAULT-VALUE}).")
    double warmupRatio;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0.0", description = "AdamW decay on matrices (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", paramLabel = "G", defaultValue = "1.0", description = "Clip threshold (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--max-length", paramLabel = "T", defaultValue = "1024",
            description = "Tokens per prompt + completion; longer ones lose tokens from the left, keeping the completion's end (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--eval-fraction", paramLabel = "F", defaultValue = "0.1",
            description = "Share of the prompts held out for eval loss/accuracy (default: ${DEFAULT-VALUE}).")
    double evalFraction;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed for the split, order, head and adapters (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        RewardTraining.Config c;
        try {
            PreferenceFormat f = switch (format.toLowerCase(Locale.ROOT)) {
                case "pairs" -> PreferenceFormat.PAIRS;
                case "ranked" -> PreferenceFormat.RANKED;
                default -> throw new IllegalArgumentException("--format must be pairs or ranked, got \"" + format + "\"");
            };
            c = new RewardTraining.Config(model, data, f, margin, lora == null ? null : LoraConfig.parse(lora), maxLength,
                    evalFraction, batchSize, epochs, learningRate, warmupRatio, weightDecay, maxGradNorm, accumulation,
                    centerCoefficient, seed, run.checkpointEvery, run.evalEvery, merge);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Inputs.requireModelDir(model);
        if (!java.nio.file.Files.isRegularFile(data)) {
            throw new CliFailure("data file not found: " + data);
        }
        RewardTraining.Result r = RewardTraining.run(c, run.out, run.resume, run.quiet, spec.commandLine().getErr());
        spec.commandLine().getOut().printf(Locale.ROOT,
                "reward: %d steps on %d comparisons%s; loss %.4f, accuracy %.3f; eval loss %.4f, eval accuracy %.3f; "
                        + "normalised with gain %.4g, bias %.4g; output in %s%n",
                r.steps(), r.trainComparisons(), r.resumedFrom() > 0 ? " (resumed at step " + r.resumedFrom() + ")" : "",
                r.lastLoss(), r.lastAccuracy(), r.evalLoss(), r.evalAccuracy(), r.normalisation().gain(),
                r.normalisation().bias(), run.out.resolve("final"));
        return 0;
    }
}
