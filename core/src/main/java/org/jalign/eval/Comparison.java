package org.jalign.eval;

import org.jalign.lm.GeneratedSequence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Step 4 of {@link PolicyEvaluation}: rollouts of the same prompts to summaries, win rates and
 * side-by-side samples. Pure: no model is called except through a {@link PairwiseJudge}.
 */
final class Comparison {
    private Comparison() {
    }

    static EvaluationResult compare(String baseline, List<PolicyEvaluation.Rollout> rollouts,
                                    List<PolicyEvaluation.EvaluationPrompt> prompts, List<Scorer> scorers,
                                    List<PolicyEvaluation.Judge> judges, SamplingSettings sampling) {
        PolicyEvaluation.Rollout base = rollouts.stream().filter(r -> r.name().equals(baseline)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the baseline \"" + baseline + "\" is not among the policies "
                        + rollouts.stream().map(PolicyEvaluation.Rollout::name).toList()));
        int rows = prompts.size() * sampling.samplesPerPrompt();
        for (PolicyEvaluation.Rollout r : rollouts) {
            if (r.sequences().size() != rows || r.scores().length != scorers.size()) {
                throw new IllegalArgumentException("rollout " + r.name() + " has " + r.sequences().size() + " completions and "
                        + r.scores().length + " scorers; expected " + rows + " and " + scorers.size());
            }
            for (int i = 0; i < rows; i++) {
                if (!Arrays.equals(r.sequences().get(i).promptIds(), base.sequences().get(i).promptIds())) {
                    throw new IllegalArgumentException("rollout " + r.name() + " row " + i
                            + " continues another prompt than the baseline's: policies must be compared on the same prompts");
                }
            }
        }
        List<EvaluationResult.PolicySummary> summaries = new ArrayList<>();
        for (PolicyEvaluation.Rollout r : rollouts) {
            summaries.add(summarise(r, r == base ? null : base, prompts, scorers, judges));
        }
        List<String> names = scorers.stream().map(Scorer::name).toList();
        return new EvaluationResult(baseline, sampling, names, summaries, samples(rollouts, prompts, sampling));
    }

    private static EvaluationResult.PolicySummary summarise(PolicyEvaluation.Rollout r, PolicyEvaluation.Rollout base,
                                                            List<PolicyEvaluation.EvaluationPrompt> prompts,
                                                            List<Scorer> scorers, List<PolicyEvaluation.Judge> judges) {
        List<EvaluationResult.ScoreSummary> scores = new ArrayList<>();
        for (int k = 0; k < scorers.size(); k++) {
            Scorer s = scorers.get(k);
            Proportion flagged = s.flags() ? Proportion.of(countAtLeast(r.scores()[k], s.flagThreshold()), r.scores()[k].length)
                    : null;
            scores.add(new EvaluationResult.ScoreSummary(s.name(), s.direction(), Estimate.of(r.scores()[k]), flagged));
        }
        int n = r.sequences().size();
        double[] lengths = new double[n];
        int eos = 0;
        List<int[]> withoutEos = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            GeneratedSequence s = r.sequences().get(i);
            int[] ids = s.completionIds();
            int[] text = s.finishedByEos() ? Arrays.copyOf(ids, ids.length - 1) : ids;
            lengths[i] = text.length;
            eos += s.finishedByEos() ? 1 : 0;
            withoutEos.add(text);
        }
        List<EvaluationResult.JudgedWinRate> winRates = new ArrayList<>();
        if (base != null) {
            for (int k = 0; k < scorers.size(); k++) {
                winRates.add(new EvaluationResult.JudgedWinRate(scorers.get(k).name(),
                        WinRate.fromScores(r.scores()[k], base.scores()[k], scorers.get(k).direction())));
            }
            for (PolicyEvaluation.Judge j : judges) {
                winRates.add(new EvaluationResult.JudgedWinRate(j.name(), judged(j, r, base, prompts)));
            }
        }
        boolean hasKl = n > 0 && !Double.isNaN(r.klK1()[0]);
        return new EvaluationResult.PolicySummary(r.name(), scores, Estimate.of(lengths), n == 0 ? Double.NaN : (double) eos / n,
                Diversity.distinct(withoutEos, 1), Diversity.distinct(withoutEos, 2),
                hasKl ? Estimate.of(r.klK1()) : new Estimate(Double.NaN, Double.NaN, 0),
                hasKl ? Estimate.of(r.klK3()) : new Estimate(Double.NaN, Double.NaN, 0), winRates);
    }

    static int countAtLeast(double[] values, double threshold) {
        int count = 0;
        for (double v : values) {
            count += v >= threshold ? 1 : 0;
        }
        return count;
    }

    private static WinRate judged(PolicyEvaluation.Judge judge, PolicyEvaluation.Rollout policy,
                                  PolicyEvaluation.Rollout base, List<PolicyEvaluation.EvaluationPrompt> prompts) {
        int perPrompt = policy.sequences().size() / Math.max(1, prompts.size());
        List<PairwiseJudge.Comparison> pairs = new ArrayList<>();
        for (int i = 0; i < policy.sequences().size(); i++) {
            GeneratedSequence p = policy.sequences().get(i);
            GeneratedSequence b = base.sequences().get(i);
            pairs.add(new PairwiseJudge.Comparison(prompts.get(i / perPrompt).text(), p.promptIds(), policy.texts().get(i),
                    p.completionIds(), base.texts().get(i), b.completionIds()));
        }
        List<Outcome> outcomes = judge.judge().judge(pairs);
        if (outcomes.size() != pairs.size()) {
            throw new IllegalStateException("judge " + judge.name() + " returned " + outcomes.size() + " outcomes for "
                    + pairs.size() + " comparisons");
        }
        return WinRate.of(outcomes);
    }

    private static List<EvaluationResult.Sample> samples(List<PolicyEvaluation.Rollout> rollouts,
                                                         List<PolicyEvaluation.EvaluationPrompt> prompts,
                                                         SamplingSettings sampling) {
        List<EvaluationResult.Sample> out = new ArrayList<>();
        int perPrompt = sampling.samplesPerPrompt();
        for (int i = 0; i < prompts.size() * perPrompt; i++) {
            List<EvaluationResult.Completion> completions = new ArrayList<>();
            for (PolicyEvaluation.Rollout r : rollouts) {
                GeneratedSequence s = r.sequences().get(i);
                List<Double> scores = new ArrayList<>();
                for (double[] perScorer : r.scores()) {
                    scores.add(perScorer[i]);
                }
                completions.add(new EvaluationResult.Completion(r.name(), s.completionIds(), r.texts().get(i),
                        s.finishedByEos(), scores, r.klK1()[i], r.klK3()[i]));
            }
            out.add(new EvaluationResult.Sample(i / perPrompt, i % perPrompt, prompts.get(i / perPrompt).text(), completions));
        }
        return out;
    }
}
