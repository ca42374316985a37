package org.jalign.cli;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import org.jalign.bench.DecodeBenchmark;
import org.jalign.bench.MatmulPeak;
import org.jalign.lm.DecodeEngine;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
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
 * {@code jalign bench generate}: batched greedy decoding speed, beside this machine's fp32 matmul
 * peak measured in the same run. Steps: 1 threads, 2 matmul peak, 3 model (directory or synthetic
 * random weights), 4 time prefill and decode for each batch size, 5 report.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Decoding speed: tokens/s, achieved GFLOP/s and the fraction of this machine's matmul peak.",
            "EOS is ignored so every row decodes all --new-tokens. Prints a table, or one JSON line per",
            "batch size with --json (the same fields as bench/hf_style_decode.py, for comparison).", ""})
final class BenchGenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BenchModel benchModel;

    @Option(names = "--batch-size", paramLabel = "B", split = ",", defaultValue = "16",
            description = "Rows decoded together; a comma list runs each (default: ${DEFAULT-VALUE}).")
    int[] batchSizes;

    @Option(names = "--new-tokens", paramLabel = "K", defaultValue = "128",
            description = "Tokens decoded per row (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--prompt-length", paramLabel = "P", defaultValue = "32",
            description = "Random prompt tokens per row (default: ${DEFAULT-VALUE}).")
    int promptLength;

    @Option(names = "--repeats", paramLabel = "R", defaultValue = "3",
            description = "Timed runs; the best is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Intra-op threads (default: the engine's, i.e. all cores).")
    int threads;

    @Option(names = "--engine", paramLabel = "E", split = ",", defaultValue = "auto",
            description = {"Decode steps on: auto (Java for Llama/Qwen2, else DJL), java, djl; a comma list times",
                "each, their repeats interleaved (default: ${DEFAULT-VALUE})."})
    String[] engineNames;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed for weights and prompts.")
    long seed;

    @Option(names = "--json", description = "One JSON line per batch size instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (newTokens < 2 || promptLength < 1 || repeats < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--new-tokens must be >= 2, --prompt-length >= 1 and --repeats >= 1");
        }
        for (int b : batchSizes) {
            if (b < 1) {
                throw new ParameterException(spec.commandLine(), "--batch-size must be >= 1, got " + b);
            }
        }
        java.util.List<DecodeEngine> engines = new java.util.ArrayList<>();
        for (String name : engineNames) {
            engines.add(switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> DecodeEngine.AUTO;
                case "java" -> DecodeEngine.JAVA;
                case "djl" -> DecodeEngine.DJL;
                default -> throw new ParameterException(spec.commandLine(),
                        "--engine must be auto, java or djl (or a comma list of them), got \"" + name + "\"");
            });
        }
        // 1. threads (DJL's intra-op pool; the Java path's pool is sized by -Djalign.decode.threads)
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
        }
        PrintWriter out = spec.commandLine().getOut();
        // 2. the machine's own peak, measured again after the runs: the higher one is used, since
        // an under-measured peak (a noisy neighbour) would flatter the fraction
        double peak = MatmulPeak.measure(1024, 10);
        // 3. the model
        String name = benchModel.name();
        LanguageModel model = benchModel.load(seed, spec.commandLine());
        try (model) {
            ModelConfig c = model.config();
            if (!json) {
                out.printf(Locale.ROOT, "model: %s (%s, %.1fM parameters, hidden %d, %d layers, %d/%d heads, vocab %d)%n",
                        name, c.architecture().modelType(), c.parameterCount() / 1e6, c.hiddenSize(), c.numLayers(),
                        c.numHeads(), c.numKeyValueHeads(), c.vocabSize());
                out.printf(Locale.ROOT, "matmul peak (1024^3 fp32, best of 10): %.1f GFLOP/s%n", peak);
                out.printf(Locale.ROOT, "decode steps on: %s%n", String.join(", ",
                        engines.stream().map(e -> DecodeBenchmark.engineUsed(model, e)).toList()));
                out.printf(Locale.ROOT, "%-7s %6s %7s %7s %10s %10s %12s %12s %9s%n", "engine", "batch", "prompt", "new", "prefill_s",
                        "decode_s", "tokens/s", "GFLOP/s", "of peak");
            }
            // 4. each batch size
            java.util.List<DecodeBenchmark.Result> results = new java.util.ArrayList<>();
            for (int b : batchSizes) {
                results.addAll(DecodeBenchmark.run(model, b, promptLength, newTokens, repeats, peak, seed, engines));
            }
            double peakAfter = Math.max(peak, MatmulPeak.measure(1024, 10));
            if (!json) {
                out.printf(Locale.ROOT, "matmul peak again after the runs: %.1f GFLOP/s (the higher is used)%n", peakAfter);
            }
            // 5. report
            for (DecodeBenchmark.Result measured : results) {
                DecodeBenchmark.Result r = measured.withPeak(peakAfter);
                if (json) {
                    out.println(toJson(r, threads));
                } else {
                    out.printf(Locale.ROOT, "%-7s %6d %7d %7d %10.3f %10.3f %12.1f %12.2f %8.1f%%%n", r.engine(), r.batch(),
                            r.promptLength(), r.newTokens(), r.prefillSeconds(), r.decodeSeconds(),
                            r.decodeTokensPerSecond(), r.decodeGflops(), 100 * r.fractionOfPeak());
                }
                out.flush();
            }
        }
        return 0;
    }

    private static String toJson(DecodeBenchmark.Result r, int threads) {
        JsonObject o = new JsonObject();
        o.addProperty("impl", "jalign-" + r.engine());
        o.addProperty("threads", threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        o.addProperty("batch", r.batch());
        o.addProperty("prompt_len", r.promptLength());
        o.addProperty("new_tokens", r.newTokens());
        o.addProperty("decode_tokens_per_s", r.decodeTokensPerSecond());
        o.addProperty("decode_gflops", r.decodeGflops());
        o.addProperty("matmul_peak_gflops", r.matmulPeakGflops());
        o.addProperty("fraction_of_peak", r.fractionOfPeak());
        o.addProperty("prefill_s", r.prefillSeconds());
        o.addProperty("decode_s", r.decodeSeconds());
        return o.toString();
    }
}
