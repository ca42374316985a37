package org.jalign.cli;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import org.jalign.bench.MatmulPeak;
import org.jalign.bench.TrainBenchmark;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.lora.LoraConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jalign bench train}: optimizer-step speed of the causal-LM trainer (full fine-tune, or
 * LoRA with {@code --lora}), beside this machine's fp32 matmul peak measured in the same run, and
 * the process's resident memory. Steps: 1 threads, 2 matmul peak, 3 model (directory or synthetic
 * random weights), 4 adapters, 5 time warm-up + timed steps, 6 peak again, 7 report.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Training-step speed: step time, tokens/s, achieved GFLOP/s, the fraction",
            "of this machine's matmul peak, and resident memory (VmRSS/VmHWM).",
            "Random tokens, every token after the first a target; AdamW (torch",
            "defaults), clipping at 1.0. FLOPs count the matrix products of forward",
            "+ backward (bench/README.md). --json prints one line with the fields of",
            "bench/hf_style_train.py, for comparison.", ""})
final class BenchTrainCommand implements Callable<Integer> {

    private static final double MIB = 1024.0 * 1024.0;

    @Spec
    CommandSpec spec;

    @Mixin
    BenchModel benchModel;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seq-len", paramLabel = "T", defaultValue = "256",
            description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--lora", paramLabel = "SPEC",
            description = "Train LoRA adapters instead of every weight, e.g. r=8,alpha=16,targets=q_proj,v_proj.")
    String lora;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "5",
            description = "Timed optimizer steps; best and median are reported (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "2",
            description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Intra-op threads (default: the engine's, i.e. all cores).")
    int threads;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed for weights and tokens.")
    long seed;

    @Option(names = "--json", description = "One JSON line instead of a report.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1 || seqLen < 2 || steps < 1 || warmup < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--batch-size must be >= 1, --seq-len >= 2, --steps >= 1 and --warmup >= 0");
        }
        LoraConfig loraConfig = null;
        if (lora != null) {
            try {
                loraConfig = LoraConfig.parse(lora);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        // 1. threads
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
        }
        PrintWriter out = spec.commandLine().getOut();
        // 2. the machine's own peak, measured again after the runs: the higher one is used, since
        // an under-measured peak (a noisy neighbour) would flatter the fraction
        double peak = MatmulPeak.measure(1024, 10);
        long rssStart = TrainBenchmark.memory()[0];
        // 3. the model
        String name = benchModel.name();
        LanguageModel model = benchModel.load(seed, spec.commandLine());
        try (model) {
            ModelConfig c = model.config();
            // 4. adapters
            if (loraConfig != null) {
                try {
                    model.addAdapters(loraConfig, seed);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            System.gc(); // the synthetic weights' host copies are garbage now; the heap is reported apart
            long rssModel = TrainBenchmark.memory()[0];
            long weightBytes = 4L * c.parameterCount();
            if (!json) {
                out.printf(Locale.ROOT, "model: %s (%s, %.1fM parameters, %.1f MiB fp32, hidden %d, %d layers, %d/%d heads, "
                                + "vocab %d)%n", name, c.architecture().modelType(), c.parameterCount() / 1e6,
                        weightBytes / MIB, c.hiddenSize(), c.numLayers(), c.numHeads(), c.numKeyValueHeads(),
                        c.vocabSize());
                out.printf(Locale.ROOT, "training: %s, B=%d, T=%d, %d warm-up + %d timed steps, AdamW, clip 1.0%n",
                        loraConfig == null ? "full fine-tune" : "LoRA " + lora, batchSize, seqLen, warmup, steps);
                out.printf(Locale.ROOT, "matmul peak (1024^3 fp32, best of 10): %.1f GFLOP/s%n", peak);
                out.flush();
            }
            // 5. time the steps
            TrainBenchmark.Result measured = TrainBenchmark.run(model, batchSize, seqLen, warmup, steps, peak, seed);
            // 6. the peak again
            double peakAfter = MatmulPeak.measure(1024, 10);
            TrainBenchmark.Result r = measured.withPeak(Math.max(peak, peakAfter));
            Runtime rt = Runtime.getRuntime();
            long heapCommitted = rt.totalMemory();
            // 7. report
            if (json) {
                out.println(toJson(r, threads, loraConfig == null ? null : lora, c.parameterCount(), weightBytes,
                        rssStart, rssModel, heapCommitted));
            } else {
                out.printf(Locale.ROOT, "matmul peak again after the runs: %.1f GFLOP/s (the higher is used)%n", peakAfter);
                out.printf(Locale.ROOT, "trainable parameters: %.2fM; loss %.4f (first step) -> %.4f (last)%n",
                        r.trainableParameters() / 1e6, r.firstLoss(), r.lastLoss());
                out.printf(Locale.ROOT, "step: best %.3f s, median %.3f s (%.1f GFLOP per step)%n", r.bestStepSeconds(),
                        r.medianStepSeconds(), r.flopsPerStep() / 1e9);
                out.printf(Locale.ROOT, "throughput: %.1f tokens/s, %.2f GFLOP/s = %.1f%% of matmul peak%n",
                        r.tokensPerSecond(), r.gflops(), 100 * r.fractionOfPeak());
                out.printf(Locale.ROOT, "memory: RSS %.0f MiB at start, %.0f MiB with the model, %.0f MiB after training,"
                                + " peak (VmHWM) %.0f MiB; JVM heap committed %.0f MiB; weights %.0f MiB%n",
                        rssStart / MIB, rssModel / MIB, r.rssBytes() / MIB, r.peakRssBytes() / MIB, heapCommitted / MIB,
                        weightBytes / MIB);
            }
            out.flush();
        }
        return 0;
    }

    private static String toJson(TrainBenchmark.Result r, int threads, String lora, long parameters, long weightBytes,
                                 long rssStart, long rssModel, long heapCommitted) {
        JsonObject o = new JsonObject();
        o.addProperty("impl", "jalign-djl");
        o.addProperty("threads", threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        o.addProperty("mode", lora == null ? "full" : "lora");
        o.addProperty("lora", lora);
        o.addProperty("batch", r.batch());
        o.addProperty("seq_len", r.seqLen());
        o.addProperty("warmup", r.warmup());
        o.addProperty("steps", r.steps());
        o.addProperty("params", parameters);
        o.addProperty("trainable_params", r.trainableParameters());
        o.addProperty("step_s", r.bestStepSeconds());
        o.addProperty("step_s_median", r.medianStepSeconds());
        o.addProperty("tokens_per_s", r.tokensPerSecond());
        o.addProperty("gflop_per_step", r.flopsPerStep() / 1e9);
        o.addProperty("gflops", r.gflops());
        o.addProperty("matmul_peak_gflops", r.matmulPeakGflops());
        o.addProperty("fraction_of_peak", r.fractionOfPeak());
        o.addProperty("loss_first", r.firstLoss());
        o.addProperty("loss_last", r.lastLoss());
        o.addProperty("weights_mib", weightBytes / MIB);
        o.addProperty("rss_start_mib", rssStart / MIB);
        o.addProperty("rss_model_mib", rssModel / MIB);
        o.addProperty("rss_mib", r.rssBytes() / MIB);
        o.addProperty("hwm_mib", r.peakRssBytes() / MIB);
        o.addProperty("heap_committed_mib", heapCommitted / MIB);
        return o.toString();
    }
}
