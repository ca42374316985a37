package org.jalign.cli;

import org.jalign.pretrain.Pretraining;
import org.jalign.pretrain.PretrainingConfig;
import org.jalign.run.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jalign pretrain}: a fresh model from a config, trained on a text corpus. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a fresh Llama/Qwen2/GPT-2 model from a config.json on a text corpus.",
            "Documents are separated by blank lines; each is trained on as <bos> text <eos>.",
            "Writes a run directory: manifest.json, metrics.jsonl, checkpoints/, final/ (a Hugging Face",
            "model directory with the tokenizer). --resume continues an interrupted run exactly.", ""})
final class PretrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The model's shape: a Hugging Face config.json (vocab_size >= the tokenizer's).")
    Path config;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
            description = "A directory with tokenizer.json (e.g. from `jalign tokenizer train`).")
    Path tokenizer;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "UTF-8 text corpus.")
    Path data;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "Optimizer steps.")
    long steps;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "16", description = "Windows per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seq-len", paramLabel = "T", defaultValue = "128", description = "Tokens per window (default: ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "20", description = "Warmup steps (default: ${DEFAULT-VALUE}).")
    long warmup;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0.1", description = "AdamW decay on matrices (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", paramLabel = "G", defaultValue = "1.0", description = "Clip threshold (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--accumulation", paramLabel = "K", defaultValue = "1", description = "Micro-batches per step (default: ${DEFAULT-VALUE}).")
    int accumulation;

    @Option(names = "--eval-fraction", paramLabel = "F", defaultValue = "0.05", description = "Corpus tail held out (default: ${DEFAULT-VALUE}).")
    double evalFraction;

    @Option(names = "--init-std", paramLabel = "S", defaultValue = "0.02", description = "Weight init std (default: ${DEFAULT-VALUE}).")
    double initStd;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed for init and data order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        PretrainingConfig c;
        try {
            c = new PretrainingConfig(config, tokenizer, data, steps, batchSize, seqLen, learningRate, warmup,
                    weightDecay, 0.9, 0.95, maxGradNorm, accumulation, seed, initStd, evalFraction, run.checkpointEvery,
                    run.evalEvery);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        TrainingRun.Result r = Pretraining.run(c, run.out, run.resume, run.quiet, spec.commandLine().getErr());
        spec.commandLine().getOut().printf(Locale.ROOT, "trained %d steps%s: loss %.4f, eval loss %.4f (perplexity %.2f); "
                        + "model in %s%n", r.steps(), r.resumedFrom() > 0 ? " (resumed at " + r.resumedFrom() + ")" : "",
                r.lastLoss(), r.evalLoss(), Math.exp(r.evalLoss()), run.out.resolve("final"));
        return 0;
    }
}
