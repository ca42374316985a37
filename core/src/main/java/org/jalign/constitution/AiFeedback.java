package org.jalign.constitution;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.jalign.run.ProgressBar;

import java.util.ArrayList;
import java.util.List;

/**
 * AI preference labels for every pair of completions (RLAIF, Lee et al. 2023; the RL stage of
 * Bai et al. 2022 §4):
 *
 * <ol>
 *   <li>For each item, each of its N-choose-2 pairs (i &lt; j), draw {@code principlesPerPair}
 *       principles ({@link PrincipleDraws#forPair}).</li>
 *   <li>Ask the judge every (pair, principle) in both orders, in batches.</li>
 *   <li>P(i ≻ j) = mean over principles of ½(p(i, j) + 1 − p(j, i))
 *       ({@link Judgements#orderDebiased}).</li>
 *   <li>Write: pairs, the preferred first, dropping those with |P − ½| &lt; min confidence; or
 *       ranked, completions ordered by expected wins Σ_j P(i ≻ j).</li>
 * </ol>
 */
public final class AiFeedback {
    /** Comparisons gathered before each call to the judge (it batches them itself). */
    private static final int COMPARISONS_PER_CALL = 256;
    /** P is clamped to [ε, 1 − ε] for the log-odds margin, so a saturated judge gives a finite number. */
    private static final double MARGIN_EPSILON = 1e-12;

    /** One judged pair: P(first ≻ second) over {@code principles} principles. */
    public record JudgedPair(JudgeItem item, int first, int second, double probability, List<String> principles) {
        public JudgedPair {
            principles = List.copyOf(principles);
        }
    }

    /** The pairs lines, and how many pairs were dropped as too close to ½. */
    public record PairLines(List<JsonObject> lines, int dropped) {
        public PairLines {
            lines = List.copyOf(lines);
        }
    }

    private AiFeedback() {
    }

    /** The number of pairs (N-choose-2 per item) {@link #judge} works through. */
    public static long pairCount(List<JudgeItem> items) {
        long n = 0;
        for (JudgeItem item : items) {
            long k = item.completions().size();
            n += k * (k - 1) / 2;
        }
        return n;
    }

    /** Steps 1–3 for every item; {@code bar} advances by pairs. */
    public static List<JudgedPair> judge(List<JudgeItem> items, Constitution constitution, PreferenceJudge judge,
                                         JudgeConfig config, ProgressBar bar) {
        List<JudgedPair> out = new ArrayList<>();
        List<PendingPair> pending = new ArrayList<>();
        List<PreferenceJudge.Comparison> comparisons = new ArrayList<>();
        for (JudgeItem item : items) {
            List<String> texts = item.completions();
            for (int i = 0; i < texts.size(); i++) {
                for (int j = i + 1; j < texts.size(); j++) {
                    // 1. principles
                    int[] drawn = PrincipleDraws.forPair(config.seed(), item.index(), i, j, config.principlesPerPair(),
                            constitution.size());
                    List<String> ids = new ArrayList<>();
                    // 2. both orders under each principle: [2k] = (low, high), [2k + 1] = (high, low), where
                    // low is the text that sorts first. A judge's float32 forward differs in the last
                    // bits with a row's place in its batch, so asking in one canonical order, whatever
                    // the input order, keeps P(x ≻ y) + P(y ≻ x) = 1 to rounding.
                    boolean swapped = texts.get(i).compareTo(texts.get(j)) > 0;
                    String low = texts.get(swapped ? j : i);
                    String high = texts.get(swapped ? i : j);
                    for (int d : drawn) {
                        Principle p = constitution.get(d);
                        ids.add(p.id());
                        comparisons.add(new PreferenceJudge.Comparison(p, item.prompt(), low, high));
                        comparisons.add(new PreferenceJudge.Comparison(p, item.prompt(), high, low));
                    }
                    pending.add(new PendingPair(item, i, j, swapped, ids));
                    if (comparisons.size() >= COMPARISONS_PER_CALL) {
                        flush(judge, pending, comparisons, out, bar);
                    }
                }
            }
        }
        flush(judge, pending, comparisons, out, bar);
        return out;
    }

    private record PendingPair(JudgeItem item, int first, int second, boolean swapped, List<String> principles) {
    }

    private static void flush(PreferenceJudge judge, List<PendingPair> pending,
                              List<PreferenceJudge.Comparison> comparisons, List<JudgedPair> out, ProgressBar bar) {
        if (pending.isEmpty()) {
            return;
        }
        double[] p = judge.probabilitiesFirstPreferred(comparisons);
        int at = 0;
        for (PendingPair pair : pending) {
            // 3. debias each principle's two orders, then average over principles
            double[] perPrinciple = new double[pair.principles().size()];
            for (int k = 0; k < perPrinciple.length; k++) {
                perPrinciple[k] = Judgements.orderDebiased(p[at], p[at + 1]);
                at += 2;
            }
            double lowWins = Judgements.mean(perPrinciple);
            out.add(new JudgedPair(pair.item(), pair.first(), pair.second(), pair.swapped() ? 1 - lowWins : lowWins,
                    pair.principles()));
        }
        bar.advance(pending.size());
        pending.clear();
        comparisons.clear();
    }

    /**
     * Step 4, pairs: {@code {"prompt", "chosen", "rejected", "prompt_id", "margin", "labeler_count",
     * "preference_probability"}} — {@code feedback export --format pairs}'s fields, so {@code reward
     * train} and {@code dpo} read them unchanged — where preference_probability = P(chosen ≻
     * rejected) ≥ ½, margin = its log-odds (the Bradley–Terry reward difference it implies) and
     * labeler_count = the principles averaged.
     */
    public static PairLines pairLines(List<JudgedPair> pairs, double minConfidence) {
        List<JsonObject> lines = new ArrayList<>();
        int dropped = 0;
        for (JudgedPair pair : pairs) {
            double p = pair.probability();
            if (!Judgements.confident(p, minConfidence) || p == 0.5) {
                dropped++;
                continue;
            }
            boolean firstChosen = p > 0.5;
            double chosenProbability = firstChosen ? p : 1 - p;
            JsonObject line = new JsonObject();
            line.addProperty("prompt", pair.item().prompt());
            line.addProperty("chosen", pair.item().completions().get(firstChosen ? pair.first() : pair.second()));
            line.addProperty("rejected", pair.item().completions().get(firstChosen ? pair.second() : pair.first()));
            line.addProperty("prompt_id", pair.item().promptId());
            line.addProperty("margin", Judgements.logOdds(Math.min(1 - MARGIN_EPSILON, chosenProbability)));
            line.addProperty("labeler_count", pair.principles().size());
            line.addProperty("preference_probability", chosenProbability);
            lines.add(line);
        }
        return new PairLines(lines, dropped);
    }

    /**
     * Step 4, ranked: {@code {"prompt", "completions", "ranks", "prompt_id", "labeler_count",
     * "expected_wins"}}, completions in input order, rank 1 = most expected wins (equal scores
     * share a rank; the next rank skips, as in competition ranking). Nothing is dropped.
     */
    public static List<JsonObject> rankedLines(List<JudgeItem> items, List<JudgedPair> pairs) {
        List<JsonObject> lines = new ArrayList<>();
        int at = 0;
        for (JudgeItem item : items) {
            int n = item.completions().size();
            double[] wins = new double[n];
            int principles = 0;
            while (at < pairs.size() && pairs.get(at).item() == item) {
                JudgedPair pair = pairs.get(at++);
                wins[pair.first()] += pair.probability();
                wins[pair.second()] += 1 - pair.probability();
                principles = pair.principles().size();
            }
            JsonArray completions = new JsonArray();
            JsonArray ranks = new JsonArray();
            JsonArray expected = new JsonArray();
            for (int i = 0; i < n; i++) {
                int rank = 1;
                for (int j = 0; j < n; j++) {
                    rank += wins[j] > wins[i] ? 1 : 0;
                }
                completions.add(item.completions().get(i));
                ranks.add(rank);
                expected.add(wins[i]);
            }
            JsonObject line = new JsonObject();
            line.addProperty("prompt", item.prompt());
            line.add("completions", completions);
            line.add("ranks", ranks);
            line.addProperty("prompt_id", item.promptId());
            line.addProperty("labeler_count", principles);
            line.add("expected_wins", expected);
            lines.add(line);
        }
        return lines;
    }
}
