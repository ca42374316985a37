package org.jalign.feedback;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * One consensus ranking per prompt from several labelers' rankings.
 *
 * <ol>
 *   <li>leave out the excluded labelers (e.g. those {@link PoorLabelers} flagged);</li>
 *   <li>a completion is flagged in the consensus when more than half of the remaining labelers
 *       flagged it; every labeler's flags still count as "loses to every ranked completion" in
 *       the ordering below, so a minority flag is a strong vote against;</li>
 *   <li>order the completions with the method: {@link BordaCount} (mean fractional rank),
 *       {@link BradleyTerryFit} (strength, from the win matrix) or {@link KemenyYoung} (fewest
 *       reversed labeler preferences; ties between equally good orders broken by the Borda order,
 *       then by completion index);</li>
 *   <li>ranks 1..R over the unflagged completions in that order, competition style: completions
 *       with equal Borda means, or Bradley–Terry strengths equal to {@link #STRENGTH_TIE_TOLERANCE}
 *       in ln γ, share a rank. Kemeny's orders are strict and never tie.</li>
 * </ol>
 */
public final class Consensus {

    /** ln γ differences below this are ties: MM stops at 1e-12, so real differences are far larger. */
    static final double STRENGTH_TIE_TOLERANCE = 1e-9;

    private Consensus() {
    }

    /** The consensus of every prompt in the panel with at least one labeler left after the exclusions, by prompt id. */
    public static SortedMap<String, ConsensusRanking> of(Panel panel, ConsensusMethod method, Set<String> excludedLabelers) {
        SortedMap<String, ConsensusRanking> consensus = new TreeMap<>();
        for (Map.Entry<String, List<Judgement>> prompt : panel.without(excludedLabelers).byPrompt().entrySet()) {
            consensus.put(prompt.getKey(), ofPrompt(prompt.getValue(), method));
        }
        return consensus;
    }

    public static SortedMap<String, ConsensusRanking> of(Panel panel, ConsensusMethod method) {
        return of(panel, method, Set.of());
    }

    /** The consensus of one prompt's judgements (at least one, all of the same prompt). */
    public static ConsensusRanking ofPrompt(List<Judgement> judgements, ConsensusMethod method) {
        if (judgements.isEmpty()) {
            throw new IllegalArgumentException("a consensus needs at least one judgement");
        }
        String promptId = judgements.get(0).promptId();
        for (Judgement judgement : judgements) {
            if (!judgement.promptId().equals(promptId)) {
                throw new IllegalArgumentException("ofPrompt takes the judgements of one prompt, got "
                        + promptId + " and " + judgement.promptId() + "; use Consensus.of(panel, ...) for several");
            }
        }
        new Panel(judgements); // one criterion, one judgement per labeler, one N
        List<Ranking> rankings = judgements.stream().map(Judgement::ranking).toList();
        int n = rankings.get(0).size();

        // step 2
        boolean[] flagged = new boolean[n];
        for (int i = 0; i < n; i++) {
            int flags = 0;
            for (Ranking ranking : rankings) {
                flags += ranking.isFlagged(i) ? 1 : 0;
            }
            flagged[i] = 2 * flags > rankings.size();
        }

        // step 3: scores, and a sort key per completion where lower is better and equal keys tie
        double[] meanRanks = BordaCount.meanRanks(rankings);
        double[] scores;
        double[] keys;
        double tieTolerance = 0;
        // (Java 17: no pattern matching for switch; the sealed interface keeps the chain exhaustive in spirit)
        if (method instanceof ConsensusMethod.Borda) {
            scores = meanRanks;
            keys = meanRanks;
        } else if (method instanceof ConsensusMethod.BradleyTerry bradleyTerry) {
            double[][] wins = PairwiseView.winMatrix(rankings, FlagPolicy.LOSES_TO_RANKED);
            scores = BradleyTerryFit.strengths(wins, bradleyTerry.priorTiesPerPair());
            keys = Arrays.stream(scores).map(gamma -> -Math.log(gamma)).toArray();
            tieTolerance = STRENGTH_TIE_TOLERANCE;
        } else if (method instanceof ConsensusMethod.Kemeny) {
            double[][] wins = PairwiseView.winMatrix(rankings, FlagPolicy.LOSES_TO_RANKED);
            int[] order = KemenyYoung.optimalOrder(wins, sortedBy(meanRanks));
            scores = new double[n];
            for (int position = 0; position < n; position++) {
                scores[order[position]] = position + 1;
            }
            keys = scores;
        } else {
            throw new IllegalArgumentException("unknown consensus method " + method);
        }

        // step 4
        int[] order = sortedBy(keys);
        List<Placement> placements = new ArrayList<>(Arrays.asList(new Placement[n]));
        int rankedSoFar = 0;
        int groupRank = 1;
        double groupKey = Double.NaN;
        for (int completion : order) {
            if (flagged[completion]) {
                placements.set(completion, Placement.flag());
                continue;
            }
            if (rankedSoFar == 0 || keys[completion] - groupKey > tieTolerance) {
                groupRank = rankedSoFar + 1;
                groupKey = keys[completion];
            }
            placements.set(completion, Placement.rank(groupRank));
            rankedSoFar++;
        }
        return new ConsensusRanking(promptId, method, new Ranking(placements),
                Arrays.stream(scores).boxed().toList(), rankings.size());
    }

    /** Indices 0..n−1 sorted by key, ascending; equal keys by index. */
    private static int[] sortedBy(double[] keys) {
        return IntStream.range(0, keys.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> keys[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }
}
