package org.jalign.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Inter-labeler agreement of a {@link Panel} on one criterion, three ways, because each answers
 * a different question:
 *
 * <ol>
 *   <li>pairwise percent agreement: how often two labelers give a completion pair the same
 *       judgement (better / worse / tie). Easy to read, and what Ouyang et al. (2022, InstructGPT:
 *       72.6% among training labelers) report; not corrected for chance;</li>
 *   <li>Kendall's τ_b ({@link KendallTau}) between two rankings of one prompt, averaged over
 *       prompts and labeler pairs: rank correlation, ties handled;</li>
 *   <li>Krippendorff's α ({@link KrippendorffAlpha}), chance-corrected, any number of labelers per
 *       prompt and missing judgements: nominal on the pairwise judgements (unit = prompt × pair,
 *       values left / right / tie), and ordinal on ranks (unit = prompt × completion, value = the
 *       completion's fractional rank, flagged completions tied last).</li>
 * </ol>
 */
public final class Agreement {

    private Agreement() {
    }

    /** All three measures for the panel. */
    public static AgreementReport report(Panel panel, FlagPolicy flags) {
        if (panel.judgements().isEmpty()) {
            throw new IllegalArgumentException("the panel has no judgements to measure agreement on");
        }
        Criterion criterion = panel.judgements().get(0).criterion();
        return new AgreementReport(criterion, pairwise(panel, flags), meanKendallTauB(panel),
                pairwiseAlpha(panel, flags), rankAlpha(panel));
    }

    /** 1. Percent agreement of two labelers over the prompts both judged and the pairs both judged. */
    public static AgreementCount pairwise(Panel panel, String labelerA, String labelerB, FlagPolicy flags) {
        AgreementCount count = AgreementCount.NONE;
        for (List<Judgement> prompt : panel.byPrompt().values()) {
            Optional<Judgement> a = prompt.stream().filter(j -> j.labelerId().equals(labelerA)).findFirst();
            Optional<Judgement> b = prompt.stream().filter(j -> j.labelerId().equals(labelerB)).findFirst();
            if (a.isPresent() && b.isPresent()) {
                count = count.plus(pairwise(a.get().ranking(), b.get().ranking(), flags));
            }
        }
        return count;
    }

    /** 1. Percent agreement pooled over every two labelers of every prompt. */
    public static AgreementCount pairwise(Panel panel, FlagPolicy flags) {
        AgreementCount count = AgreementCount.NONE;
        for (List<Judgement> prompt : panel.byPrompt().values()) {
            for (int a = 0; a < prompt.size(); a++) {
                for (int b = a + 1; b < prompt.size(); b++) {
                    count = count.plus(pairwise(prompt.get(a).ranking(), prompt.get(b).ranking(), flags));
                }
            }
        }
        return count;
    }

    /** 1. Percent agreement of two rankings of one prompt, over the pairs both judged. */
    public static AgreementCount pairwise(Ranking a, Ranking b, FlagPolicy flags) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("rankings of the same prompt must cover the same completions, got "
                    + a.size() + " and " + b.size());
        }
        long agreeing = 0;
        long compared = 0;
        for (int first = 0; first < a.size(); first++) {
            for (int second = first + 1; second < a.size(); second++) {
                Optional<PairOutcome> outcomeA = PairwiseView.outcome(a, first, second, flags);
                Optional<PairOutcome> outcomeB = PairwiseView.outcome(b, first, second, flags);
                if (outcomeA.isPresent() && outcomeB.isPresent()) {
                    compared++;
                    if (outcomeA.get() == outcomeB.get()) {
                        agreeing++;
                    }
                }
            }
        }
        return new AgreementCount(agreeing, compared);
    }

    /** 2. Mean τ_b over every prompt and every two labelers of it; NaN when τ_b is never defined. */
    public static double meanKendallTauB(Panel panel) {
        double sum = 0;
        int count = 0;
        for (List<Judgement> prompt : panel.byPrompt().values()) {
            for (int a = 0; a < prompt.size(); a++) {
                for (int b = a + 1; b < prompt.size(); b++) {
                    double tau = KendallTau.tauB(prompt.get(a).ranking(), prompt.get(b).ranking());
                    if (!Double.isNaN(tau)) {
                        sum += tau;
                        count++;
                    }
                }
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** 3. Nominal α on pairwise judgements: one unit per (prompt, pair), one value per labeler who judged it. */
    public static double pairwiseAlpha(Panel panel, FlagPolicy flags) {
        List<double[]> units = new ArrayList<>();
        for (Map.Entry<String, List<Judgement>> prompt : panel.byPrompt().entrySet()) {
            int n = prompt.getValue().get(0).ranking().size();
            for (int first = 0; first < n; first++) {
                for (int second = first + 1; second < n; second++) {
                    List<Double> values = new ArrayList<>();
                    for (Judgement judgement : prompt.getValue()) {
                        PairwiseView.outcome(judgement.ranking(), first, second, flags)
                                .ifPresent(o -> values.add((double) o.ordinal()));
                    }
                    units.add(values.stream().mapToDouble(Double::doubleValue).toArray());
                }
            }
        }
        return KrippendorffAlpha.alpha(units, KrippendorffAlpha.Metric.NOMINAL);
    }

    /** 3. Ordinal α on ranks: one unit per (prompt, completion), one fractional rank per labeler. */
    public static double rankAlpha(Panel panel) {
        List<double[]> units = new ArrayList<>();
        for (List<Judgement> prompt : panel.byPrompt().values()) {
            int n = prompt.get(0).ranking().size();
            double[][] ranksByLabeler = prompt.stream().map(j -> j.ranking().fractionalRanks()).toArray(double[][]::new);
            for (int completion = 0; completion < n; completion++) {
                double[] unit = new double[ranksByLabeler.length];
                for (int labeler = 0; labeler < unit.length; labeler++) {
                    unit[labeler] = ranksByLabeler[labeler][completion];
                }
                units.add(unit);
            }
        }
        return KrippendorffAlpha.alpha(units, KrippendorffAlpha.Metric.ORDINAL);
    }
}
