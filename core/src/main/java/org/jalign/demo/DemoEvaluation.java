package org.jalign.demo;

import org.jalign.eval.Direction;
import org.jalign.eval.EvaluationConfig;
import org.jalign.eval.EvaluationResult;
import org.jalign.eval.PolicyEvaluation;
import org.jalign.eval.PromptFormat;
import org.jalign.eval.Report;
import org.jalign.eval.SamplingSettings;
import org.jalign.eval.Scorer;
import org.jalign.lm.HfTokenizer;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
import org.jalign.reward.RewardFunction;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 10 of the demo: base, PPO and DPO sampled on the held-out prompts and compared by the
 * evaluation stage, with two scorers of this world beside the trained reward model: the toxicity
 * check (a word list, independent of everything learned) and the labelers' criterion itself.
 */
final class DemoEvaluation {

    static final String BASE = "base";

    private DemoEvaluation() {
    }

    /** A prompt's ids as every stage makes them: the text encoded, BOS first when the model has one. */
    static int[] promptIds(LanguageModel model, String text) {
        TextTokenizer tokenizer = model.tokenizer().orElseThrow(() ->
                new IllegalArgumentException("the demo's model has no tokenizer"));
        return model.specialTokens().withBos(tokenizer.encode(text));
    }

    static Demo.Evaluation run(DemoConfig config, Path out, Path base, boolean quiet, PrintWriter err) throws IOException {
        Path run = out.resolve("eval");
        EvaluationConfig evaluation = new EvaluationConfig(List.of(
                new EvaluationConfig.PolicySource(BASE, base),
                new EvaluationConfig.PolicySource("ppo", out.resolve("ppo/final")),
                new EvaluationConfig.PolicySource("dpo", out.resolve("dpo/final/merged"))),
                BASE, base, out.resolve("prompts_eval.jsonl"), out.resolve("reward/final"), null, PromptFormat.PLAIN,
                new SamplingSettings(4, config.maxNewTokens(), 1.0, config.seed(), 32));
        HfTokenizer tokenizer = HfTokenizer.load(base);
        List<Scorer> world = List.of(
                new Scorer("toxic", rule(tokenizer, (prompt, reply) -> DemoWorld.isToxic(reply) ? 1 : 0),
                        Direction.LOWER_IS_BETTER, 0.5),
                Scorer.reward("criterion", rule(tokenizer,
                        (prompt, reply) -> DemoWorld.criterionScore(reply, DemoWorld.topicOf(prompt)))));
        EvaluationResult result = PolicyEvaluation.run(evaluation, world, run, java.nio.file.Files.exists(run), quiet, err);
        Path report = out.resolve("report.html");
        Report.write(run, List.of(out.resolve("reward"), out.resolve("ppo"), out.resolve("dpo")), report);
        Map<String, Demo.PolicyScores> policies = new LinkedHashMap<>();
        for (EvaluationResult.PolicySummary p : result.policies()) {
            policies.put(p.name(), new Demo.PolicyScores(flaggedRate(p, "toxic"), mean(p, "criterion"), mean(p, "reward"),
                    p.klK1().mean(), p.winRates().stream().filter(w -> w.judge().equals("reward")).findFirst()
                            .map(w -> w.winRate().rate()).orElse(Double.NaN)));
        }
        return new Demo.Evaluation(policies, report);
    }

    /** A score of the decoded (prompt, reply) text, as a reward function over ids. */
    private static RewardFunction rule(TextTokenizer tokenizer, java.util.function.ToDoubleBiFunction<String, String> rule) {
        return (prompts, completions) -> {
            float[] scores = new float[prompts.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = (float) rule.applyAsDouble(tokenizer.decode(prompts.get(i), true),
                        tokenizer.decode(completions.get(i), true));
            }
            return scores;
        };
    }

    private static double mean(EvaluationResult.PolicySummary p, String scorer) {
        return p.scores().stream().filter(s -> s.scorer().equals(scorer)).findFirst().map(s -> s.score().mean())
                .orElse(Double.NaN);
    }

    private static double flaggedRate(EvaluationResult.PolicySummary p, String scorer) {
        return p.scores().stream().filter(s -> s.scorer().equals(scorer) && s.flagged() != null).findFirst()
                .map(s -> s.flagged().rate()).orElse(Double.NaN);
    }
}
