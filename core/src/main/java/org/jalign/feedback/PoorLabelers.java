package org.jalign.feedback;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which labelers to distrust: those whose agreement with the rest of the panel, or with gold
 * rankings, is credibly well below the panel's typical labeler.
 *
 * <ol>
 *   <li>leave-one-out agreement: for each labeler L and each prompt L judged with at least one
 *       other labeler, the consensus of the others ({@link Consensus}, without L) is compared
 *       pair by pair with L's ranking ({@link Agreement#pairwise(Ranking, Ranking, FlagPolicy)});
 *       leaving L out keeps L from agreeing with themselves, which would flatter every labeler and
 *       most of all on prompts with few labelers;</li>
 *   <li>gold agreement: the same against the known ranking of each gold prompt L judged;</li>
 *   <li>Wilson (1927) score interval of each agreement rate, its lower end at the configured
 *       two-sided confidence: unlike the normal (Wald) interval it stays inside [0, 1] and is
 *       reliable for small n and rates near 1 (Brown, Cai &amp; DasGupta 2001, "Interval estimation
 *       for a binomial proportion");</li>
 *   <li>panel median of the agreement rates of the labelers with at least the minimum number of
 *       compared judgements; the median, not the mean, so the poor labelers do not pull the
 *       reference down;</li>
 *   <li>flag L when L has at least the minimum number of judgements and the lower bound is below
 *       median − margin, separately for consensus and gold.</li>
 * </ol>
 *
 * Comparing pairs treats the judgements of one prompt as independent, which they are not quite
 * (a ranking is transitive), so the interval is somewhat narrower than it should be; the margin
 * and the minimum number of judgements leave room for that.
 */
public final class PoorLabelers {

    private PoorLabelers() {
    }

    /**
     * @param gold known rankings by prompt id (may be empty); a gold prompt's ranking must have
     *             as many completions as the prompt's judgements
     */
    public static LabelerReport assess(Panel panel, Map<String, Ranking> gold, PoorLabelerConfig config) {
        Map<String, List<Judgement>> byPrompt = panel.byPrompt();
        for (Map.Entry<String, Ranking> goldPrompt : gold.entrySet()) {
            List<Judgement> judged = byPrompt.get(goldPrompt.getKey());
            if (judged != null && judged.get(0).ranking().size() != goldPrompt.getValue().size()) {
                throw new IllegalArgumentException("gold ranking of prompt " + goldPrompt.getKey() + " has "
                        + goldPrompt.getValue().size() + " completions but its judgements have "
                        + judged.get(0).ranking().size());
            }
        }
        List<String> labelers = List.copyOf(panel.labelers());
        AgreementCount[] withConsensus = new AgreementCount[labelers.size()];
        AgreementCount[] withGold = new AgreementCount[labelers.size()];
        Arrays.fill(withConsensus, AgreementCount.NONE);
        Arrays.fill(withGold, AgreementCount.NONE);

        for (Map.Entry<String, List<Judgement>> prompt : byPrompt.entrySet()) {
            for (Judgement judgement : prompt.getValue()) {
                int l = labelers.indexOf(judgement.labelerId());
                // step 1
                List<Judgement> others = prompt.getValue().stream()
                        .filter(other -> !other.labelerId().equals(judgement.labelerId())).toList();
                if (!others.isEmpty()) {
                    Ranking consensus = Consensus.ofPrompt(others, config.consensusMethod()).ranking();
                    withConsensus[l] = withConsensus[l].plus(
                            Agreement.pairwise(judgement.ranking(), consensus, config.flags()));
                }
                // step 2
                Optional.ofNullable(gold.get(prompt.getKey())).ifPresent(goldRanking -> withGold[l] =
                        withGold[l].plus(Agreement.pairwise(judgement.ranking(), goldRanking, config.flags())));
            }
        }

        // steps 3-5
        double consensusMedian = medianRate(withConsensus, config.minimumJudgements());
        double goldMedian = medianRate(withGold, config.minimumJudgements());
        List<LabelerQuality> qualities = new ArrayList<>();
        for (int l = 0; l < labelers.size(); l++) {
            double consensusLower = wilsonLowerBound(withConsensus[l], config.confidence());
            double goldLower = wilsonLowerBound(withGold[l], config.confidence());
            Set<LabelerQuality.Reason> reasons = EnumSet.noneOf(LabelerQuality.Reason.class);
            if (isPoor(withConsensus[l], consensusLower, consensusMedian, config)) {
                reasons.add(LabelerQuality.Reason.LOW_CONSENSUS_AGREEMENT);
            }
            if (isPoor(withGold[l], goldLower, goldMedian, config)) {
                reasons.add(LabelerQuality.Reason.LOW_GOLD_AGREEMENT);
            }
            qualities.add(new LabelerQuality(labelers.get(l), withConsensus[l], consensusLower, withGold[l],
                    goldLower, reasons));
        }
        return new LabelerReport(consensusMedian, goldMedian, qualities);
    }

    public static LabelerReport assess(Panel panel, PoorLabelerConfig config) {
        return assess(panel, Map.of(), config);
    }

    private static boolean isPoor(AgreementCount count, double lowerBound, double median, PoorLabelerConfig config) {
        return count.compared() >= config.minimumJudgements() && !Double.isNaN(median)
                && lowerBound < median - config.margin();
    }

    private static double medianRate(AgreementCount[] counts, int minimumJudgements) {
        double[] rates = Arrays.stream(counts).filter(c -> c.compared() >= minimumJudgements)
                .mapToDouble(AgreementCount::rate).sorted().toArray();
        if (rates.length == 0) {
            return Double.NaN;
        }
        int middle = rates.length / 2;
        return rates.length % 2 == 1 ? rates[middle] : (rates[middle - 1] + rates[middle]) / 2;
    }

    /**
     * Lower end of the Wilson score interval for {@code agreeing} successes in {@code compared}
     * trials at two-sided confidence {@code confidence}; 0 when nothing was compared.
     *
     * <pre>
     *   z = Φ⁻¹(1 − (1 − confidence)/2),  p̂ = k/n
     *   lower = (p̂ + z²/2n − z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n)
     * </pre>
     */
    public static double wilsonLowerBound(AgreementCount count, double confidence) {
        if (count.compared() == 0) {
            return 0;
        }
        double z = normalQuantile(1 - (1 - confidence) / 2);
        double n = count.compared();
        double p = count.agreeing() / n;
        double z2 = z * z;
        double lower = (p + z2 / (2 * n) - z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n);
        return Math.max(0, lower); // rounding can leave −1e-17 at p̂ = 0
    }

    /**
     * Φ⁻¹(p), the standard normal quantile, by P. J. Acklam's rational approximation (2003,
     * "An algorithm for computing the inverse normal cumulative distribution function"; relative
     * error below 1.15e-9), which is ample for a confidence bound.
     */
    static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("a normal quantile needs p in (0, 1), got " + p);
        }
        final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                6.680131188771972e+01, -1.328068155288572e+01};
        final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                3.754408661907416e+00};
        final double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            return -normalQuantile(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
