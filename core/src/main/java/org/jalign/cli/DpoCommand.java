package org.jalign.cli;

import com.google.gson.JsonObject;
import org.jalign.dpo.DpoLossType;
import org.jalign.dpo.DpoObjective;
import org.jalign.dpo.DpoTraining;
import org.jalign.lm.lora.LoraConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jalign dpo}: preference optimisation of a policy from pairs (or thumbs, for KTO). */
@Command(name = "dpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a policy directly on preferences, without a reward model (DPO and",
            "its family). Input JSONL as `feedback export` writes it, one example a line:",
            "  pairs (every loss but kto): {\"prompt\", \"chosen\", \"rejected\"}",
            "  unpaired (--loss kto):      {\"prompt\", \"completion\", \"label\": true|false}",
            "Losses: sigmoid (DPO), ipo, hinge (SLiC), simpo and orpo (no reference model),",
            "kto. The reference is the model itself with LoRA adapters off, or a frozen",
            "copy for full fine-tuning. Writes a run directory like `sft`; final/ is the",
            "model, or the PEFT adapter (+ final/merged with --merge).", ""})
final class DpoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Policy to start from (usually the SFT model), with tokenizer.json.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Pairs JSONL (unpaired JSONL for --loss kto).")
    Path data;

    @Option(names = "--loss", paramLabel = "NAME", defaultValue = "sigmoid",
            description = "sigmoid, ipo, hinge, simpo, orpo or kto (default: ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--beta", paramLabel = "B",
            description = "beta (default per loss: 0.1 for sigmoid, ipo, hinge and kto (TRL); 2.0 for simpo (SimPO paper)).")
    Double beta;

    @Option(names = "--label-smoothing", paramLabel = "E", defaultValue = "0",
            description = "Conservative DPO's label noise, sigmoid and simpo only (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--simpo-gamma", paramLabel = "G", defaultValue = "0.5",
            description = "SimPO's target reward margin (default: ${DEFAULT-VALUE}, TRL's).")
    double simpoGamma;

    @Option(names = "--orpo-lambda", paramLabel = "L", defaultValue = "0.1",
            description = "ORPO's weight on the odds-ratio term (default: ${DEFAULT-VALUE}, the paper's and TRL's).")
    double orpoLambda;

    @Option(names = "--lora", paramLabel = "SPEC",
            description = "Train LoRA adapters instead of every weight, e.g. r=8,alpha=16,targets=q_proj,v_proj.")
    String lora;

    @Option(names = "--merge", description = "With --lora, also save the merged model in final/merged.")
    boolean merge;

    @Option(names = "--precompute-ref-log-probs",
            description = "Compute the reference log-probs once up front (cached in the run directory).")
    boolean precompute;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1", description = "Passes over the data (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Examples (lines) per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--accumulation", paramLabel = "K", defaultValue = "1", description = "Micro-batches per step (default: ${DEFAULT-VALUE}).")
    int accumulation;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-6",
            description = "Peak learning rate (default: ${DEFAULT-VALUE}, TRL's and the DPO paper's; LoRA wants ~5e-5 to 1e-4).")
    double learningRate;

    @Option(names = "--warmup-ratio", paramLabel = "R", defaultValue = "0.1",
            description = "Warmup share of the steps, then linear decay (default: ${DEFAULT-VALUE}, alignment-handbook's).")
    double warmupRatio;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0.0", description = "AdamW decay on matrices (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", paramLabel = "G", defaultValue = "1.0", description = "Clip threshold (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--max-length", paramLabel = "T", defaultValue = "1024",
            description = "Tokens per prompt + completion: the prompt's start goes first, then the completion's end (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--eval-fraction", paramLabel = "F", defaultValue = "0.1",
            description = "Share of the prompts held out for eval metrics (default: ${DEFAULT-VALUE}).")
    double evalFraction;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed for the split, order and adapters (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        DpoTraining.Config c;
        try {
            DpoLossType type = DpoLossType.parse(loss);
            if (beta != null && type == DpoLossType.ORPO) {
                throw new IllegalArgumentException("--loss orpo has no beta; its weight is --orpo-lambda");
            }
            DpoObjective objective = new DpoObjective(type, beta == null ? type.defaultBeta() : beta, labelSmoothing,
                    simpoGamma, orpoLambda, 1, 1);
            c = new DpoTraining.Config(model, data, objective, lora == null ? null : LoraConfig.parse(lora), merge,
                    precompute, maxLength, evalFraction, batchSize, epochs, learningRate, warmupRatio, weightDecay,
                    maxGradNorm, accumulation, seed, run.checkpointEvery, run.evalEvery);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Inputs.requireModelDir(model);
        if (!Files.isRegularFile(data)) {
            throw new CliFailure("data file not found: " + data);
        }
        DpoTraining.Result r = DpoTraining.run(c, run.out, run.resume, run.quiet, spec.commandLine().getErr());
        JsonObject last = r.lastStep();
        StringBuilder summary = new StringBuilder();
        summary.append(String.format(Locale.ROOT, "dpo (%s): %d steps on %d examples%s", c.objective().type().cliName(),
                r.steps(), r.trainExamples(), r.resumedFrom() > 0 ? " (resumed at step " + r.resumedFrom() + ")" : ""));
        if (last != null) {
            summary.append(String.format(Locale.ROOT, "; loss %.4f", last.get("loss").getAsDouble()));
        }
        r.evaluation().ifPresent(e -> {
            summary.append(String.format(Locale.ROOT, "; eval loss %.4f", e.get("eval_loss").getAsDouble()));
            if (e.has("eval_rewards/accuracies")) {
                summary.append(String.format(Locale.ROOT, ", eval reward accuracy %.3f",
                        e.get("eval_rewards/accuracies").getAsDouble()));
            }
            if (e.has("eval_rewards/margins")) {
                summary.append(String.format(Locale.ROOT, ", eval reward margin %.4f", e.get("eval_rewards/margins").getAsDouble()));
            }
        });
        summary.append("; output in ").append(run.out.resolve("final"));
        spec.commandLine().getOut().println(summary);
        return 0;
    }
}
