package org.jalign.cli;

import org.jalign.eval.Direction;
import org.jalign.eval.EvaluationConfig;
import org.jalign.eval.EvaluationResult;
import org.jalign.eval.PolicyEvaluation;
import org.jalign.eval.PromptFormat;
import org.jalign.eval.SamplingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jalign eval compare}: every policy samples the same prompts; scores, KL and win rates. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Samples the same prompts from each policy (same seeded settings) and measures",
            "the completions: each reward's mean ± s.e., the share a classifier flags",
            "(Wilson interval), KL(policy || reference) from the policy's own samples",
            "(k1 and k3), win rate against the baseline, length, distinct-1/2. Writes a",
            "run directory: manifest.json, summary.json, samples.jsonl, rollouts/.",
            "Prompts JSONL: {\"prompt\": \"text\"} or {\"prompt_ids\": [1, 2]}.", ""})
final class EvalCompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--policy", required = true, paramLabel = "NAME=DIR",
            description = "A policy to evaluate (a model directory or a LoRA adapter directory); repeat for each.")
    List<String> policies = new ArrayList<>();

    @Option(names = "--baseline", paramLabel = "NAME", description = "The policy the others are compared with (default: the first --policy).")
    String baseline;

    @Option(names = "--reference", paramLabel = "DIR", description = "The KL's reference model (default: the baseline's directory).")
    Path reference;

    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "Prompts (JSONL).")
    Path prompts;

    @Option(names = "--reward-model", paramLabel = "DIR", description = "A reward model (reward train's final/); scored as \"reward\".")
    Path rewardModel;

    @Option(names = "--classifier", paramLabel = "DIR", description = "A *ForSequenceClassification model; with --class.")
    Path classifier;

    @Option(names = "--class", paramLabel = "LABEL", description = "The classifier's class (id2label name or index) whose probability is scored and flagged, e.g. toxic.")
    String label;

    @Option(names = "--flag-threshold", paramLabel = "P", defaultValue = "0.5",
            description = "A completion is flagged when p(class) >= P (default: ${DEFAULT-VALUE}).")
    double flagThreshold;

    @Option(names = "--class-is-good", description = "Higher p(class) is better (for win rates); by default the class is one to avoid, like toxic.")
    boolean classIsGood;

    @Option(names = "--prompt-format", paramLabel = "F", defaultValue = "auto",
            description = "auto (the model's own chat template if it has one, else plain), chat, or plain (BOS + prompt, as ppo) (default: ${DEFAULT-VALUE}).")
    String promptFormat;

    @Option(names = "--samples-per-prompt", paramLabel = "N", defaultValue = "1", description = "Completions per prompt and policy (default: ${DEFAULT-VALUE}).")
    int samplesPerPrompt;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "64", description = "Tokens per completion at most (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Sampling temperature; the KL is that of softmax(logits/T) (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Sampling seed, the same for every policy (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8", description = "Prompts decoded together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (new, or with --resume).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out: policies already rolled out are read back, not sampled again.")
    boolean resume;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        EvaluationConfig config;
        try {
            if ((classifier == null) != (label == null)) {
                throw new IllegalArgumentException(classifier == null ? "--class goes with --classifier DIR"
                        : "--classifier needs --class LABEL (the class whose probability is scored, e.g. toxic)");
            }
            List<EvaluationConfig.PolicySource> sources = new ArrayList<>();
            for (String p : policies) {
                sources.add(EvaluationConfig.PolicySource.parse(p));
            }
            PromptFormat format = switch (promptFormat.toLowerCase(Locale.ROOT)) {
                case "auto" -> PromptFormat.AUTO;
                case "chat" -> PromptFormat.CHAT;
                case "plain" -> PromptFormat.PLAIN;
                default -> throw new IllegalArgumentException("--prompt-format must be auto, chat or plain, got " + promptFormat);
            };
            EvaluationConfig.ClassifierSource cs = classifier == null ? null : new EvaluationConfig.ClassifierSource(classifier,
                    label, flagThreshold, classIsGood ? Direction.HIGHER_IS_BETTER : Direction.LOWER_IS_BETTER);
            config = new EvaluationConfig(sources, baseline, reference, prompts, rewardModel, cs, format,
                    new SamplingSettings(samplesPerPrompt, maxNewTokens, temperature, seed, batchSize));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        EvaluationResult r = PolicyEvaluation.run(config, out, resume, quiet, spec.commandLine().getErr());
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "eval compare: %d completions per policy; output in %s%n", r.samples().size(), out);
        for (EvaluationResult.PolicySummary p : r.policies()) {
            StringBuilder line = new StringBuilder("  " + p.name() + (p.name().equals(r.baseline()) ? " (baseline)" : ""));
            for (EvaluationResult.ScoreSummary s : p.scores()) {
                line.append(String.format(Locale.ROOT, "  %s %.4f ± %.4f", s.scorer(), s.score().mean(), s.score().standardError()));
                if (s.flagged() != null) {
                    line.append(String.format(Locale.ROOT, " (flagged %.3f)", s.flagged().rate()));
                }
            }
            line.append(String.format(Locale.ROOT, "  kl %.4f ± %.4f", p.klK1().mean(), p.klK1().standardError()));
            for (EvaluationResult.JudgedWinRate w : p.winRates()) {
                line.append(String.format(Locale.ROOT, "  win rate by %s %.3f [%.3f, %.3f]", w.judge(), w.winRate().rate(),
                        w.winRate().share().lower95(), w.winRate().share().upper95()));
            }
            o.println(line);
        }
        return 0;
    }
}
