package org.jalign.cli;

import org.jalign.lm.lora.LoraConfig;
import org.jalign.sft.SftDataOptions;
import org.jalign.sft.SftTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jalign sft}: supervised fine-tuning on prompt/completion or conversational JSONL. */
@Command(name = "sft", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Supervised fine-tuning. Input JSONL, one example a line, in TRL's formats:",
            "  {\"prompt\": \"...\", \"completion\": \"...\"}",
            "  {\"messages\": [{\"role\": \"system|user|assistant\", \"content\": \"...\"}, ...]}",
            "Conversations are rendered with the model's chat template (tokenizer_config.json or",
            "chat_template.jinja; else a plain <|role|> template). The loss covers only completion /",
            "assistant tokens and the EOS that ends them. Writes a run directory like `pretrain`;",
            "final/ holds the model, or with --lora the PEFT adapter (and final/merged with --merge).", ""})
final class SftCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory with tokenizer.json.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Training examples (JSONL).")
    Path data;

    @Option(names = "--lora", paramLabel = "SPEC",
            description = "Train LoRA adapters instead of every weight, e.g. r=8,alpha=16,dropout=0.05,targets=q_proj,v_proj.")
    String lora;

    @Option(names = "--merge", description = "With --lora, also save the merged model in final/merged.")
    boolean merge;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3", description = "Passes over the data (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8", description = "Examples per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--accumulation", paramLabel = "K", defaultValue = "1", description = "Micro-batches per step (default: ${DEFAULT-VALUE}).")
    int accumulation;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "2e-5",
            description = "Peak learning rate (default: ${DEFAULT-VALUE}, TRL's; LoRA usually wants ~1e-4 to 1e-3).")
    double learningRate;

    @Option(names = "--warmup-ratio", paramLabel = "R", defaultValue = "0.03", description = "Warmup share of the steps, then linear decay (default: ${DEFAULT-VALUE}).")
    double warmupRatio;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0.0", description = "AdamW decay on matrices (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", paramLabel = "G", defaultValue = "1.0", description = "Clip threshold (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--max-length", paramLabel = "T", defaultValue = "1024", description = "Tokens per example; prompts are cut from the left (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--packing", description = "Pack several examples into each row of --max-length tokens.")
    boolean packing;

    @Option(names = "--eval-fraction", paramLabel = "F", defaultValue = "0.1", description = "Examples held out for eval loss/perplexity (default: ${DEFAULT-VALUE}).")
    double evalFraction;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed for the split, order and adapters (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        SftTraining.Config c;
        try {
            if (merge && lora == null) {
                throw new IllegalArgumentException("--merge needs --lora");
            }
            c = new SftTraining.Config(model, data, lora == null ? null : LoraConfig.parse(lora),
                    new SftDataOptions(maxLength, packing, evalFraction, seed), batchSize, epochs, learningRate,
                    warmupRatio, weightDecay, maxGradNorm, accumulation, seed, run.checkpointEvery, run.evalEvery, merge);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Inputs.requireModelDir(model);
        SftTraining.Result r = SftTraining.run(c, run.out, run.resume, run.quiet, spec.commandLine().getErr());
        spec.commandLine().getOut().printf(Locale.ROOT, "sft: %d steps on %d rows; loss %.4f, eval loss %.4f; output in %s%n",
                r.run().steps(), r.trainRows(), r.run().lastLoss(), r.run().evalLoss(), run.out.resolve("final"));
        return 0;
    }
}
