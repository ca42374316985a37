package org.jalign.feedback;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code feedback report}: a {@link FeedbackAnalysis} as one JSON object ({@link #json}) or as text
 * for a person ({@link #text}). Both say the same things: the set, agreement, each labeler's
 * agreement with the leave-one-out consensus and with gold (Wilson lower bounds), who is flagged
 * and why, and the consensus per prompt. Undefined numbers (nothing compared) are JSON null and "-".
 */
public final class FeedbackReport {

    private FeedbackReport() {
    }

    public static JsonObject json(FeedbackAnalysis a) {
        JsonObject json = new JsonObject();
        json.addProperty("set", a.set().name());
        json.addProperty("criterion", a.set().criterion().toLowerCase(Locale.ROOT));
        json.addProperty("prompts", a.prompts().size());
        json.addProperty("labels", a.labels());
        json.addProperty("skipped", a.skipped());
        json.addProperty("method", methodName(a.method()));

        JsonObject agreement = new JsonObject();
        if (a.agreement() != null) {
            agreement.add("pairwise", count(a.agreement().pairwise()));
            agreement.add("mean_kendall_tau_b", number(a.agreement().meanKendallTauB()));
            agreement.add("krippendorff_alpha_pairwise", number(a.agreement().pairwiseAlpha()));
            agreement.add("krippendorff_alpha_ranks", number(a.agreement().rankAlpha()));
        }
        json.add("agreement", agreement);

        PoorLabelerConfig config = a.labelerConfig();
        JsonObject flagging = new JsonObject();
        flagging.addProperty("margin", config.margin());
        flagging.addProperty("minimum_judgements", config.minimumJudgements());
        flagging.addProperty("confidence", config.confidence());
        flagging.add("consensus_median", number(a.labelerReport().consensusMedian()));
        flagging.add("gold_median", number(a.labelerReport().goldMedian()));
        json.add("flagging", flagging);

        JsonArray labelers = new JsonArray();
        for (LabelerQuality q : a.labelerReport().labelers()) {
            JsonObject labeler = new JsonObject();
            labeler.addProperty("name", q.labelerId());
            labeler.addProperty("labels", a.labelsByName().getOrDefault(q.labelerId(), 0));
            JsonObject consensus = count(q.withConsensus());
            consensus.add("lower_bound", q.withConsensus().compared() == 0 ? JsonNull.INSTANCE
                    : number(q.consensusLowerBound()));
            labeler.add("consensus", consensus);
            JsonObject gold = count(q.withGold());
            gold.add("lower_bound", q.withGold().compared() == 0 ? JsonNull.INSTANCE : number(q.goldLowerBound()));
            labeler.add("gold", gold);
            labeler.addProperty("flagged", q.flagged());
            JsonArray reasons = new JsonArray();
            reasons(q).forEach(reasons::add);
            labeler.add("reasons", reasons);
            labelers.add(labeler);
        }
        json.add("labelers", labelers);
        JsonArray flagged = new JsonArray();
        flaggedNames(a).forEach(flagged::add);
        json.add("flagged_labelers", flagged);
        JsonArray excluded = new JsonArray();
        a.excludedLabelers().stream().sorted().forEach(excluded::add);
        json.add("excluded_from_consensus", excluded);

        JsonArray consensus = new JsonArray();
        for (StoredPrompt prompt : a.prompts()) {
            ConsensusRanking c = a.consensus().get(prompt.externalId());
            if (c == null) {
                continue;
            }
            JsonObject entry = new JsonObject();
            entry.addProperty("prompt_id", prompt.externalId());
            entry.addProperty("labeler_count", c.labelerCount());
            JsonArray ranks = new JsonArray();
            JsonArray scores = new JsonArray();
            for (int i = 0; i < c.ranking().size(); i++) {
                ranks.add(c.ranking().isFlagged(i) ? JsonNull.INSTANCE : new JsonPrimitive(c.ranking().rank(i)));
                scores.add(number(c.scores().get(i)));
            }
            entry.add("ranks", ranks);
            entry.add("scores", scores);
            consensus.add(entry);
        }
        json.add("consensus", consensus);
        return json;
    }

    public static String text(FeedbackAnalysis a) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "feedback set \"%s\" (%s): %d prompts, %d rankings, %d skipped%n",
                a.set().name(), a.set().criterion().toLowerCase(Locale.ROOT), a.prompts().size(), a.labels(), a.skipped()));
        if (a.agreement() == null) {
            s.append("nobody has ranked anything yet\n");
            return s.toString();
        }
        AgreementReport g = a.agreement();
        s.append("\nagreement (flagged completions lose to ranked ones):\n");
        s.append(String.format(Locale.ROOT, "  pairwise agreement          %s of %d judgement pairs%n",
                percent(g.pairwise().rate()), g.pairwise().compared()));
        s.append(String.format(Locale.ROOT, "  mean Kendall tau_b          %s%n", decimal(g.meanKendallTauB())));
        s.append(String.format(Locale.ROOT, "  Krippendorff alpha, pairs   %s (nominal)%n", decimal(g.pairwiseAlpha())));
        s.append(String.format(Locale.ROOT, "  Krippendorff alpha, ranks   %s (ordinal)%n", decimal(g.rankAlpha())));

        PoorLabelerConfig config = a.labelerConfig();
        LabelerReport r = a.labelerReport();
        s.append(String.format(Locale.ROOT, "%nlabelers: agreement with the leave-one-out consensus and with gold%n"
                        + "  (flagged when the %.0f%% lower bound is over %.0f points below the median: %s consensus, "
                        + "%s gold; at least %d pairs)%n",
                100 * config.confidence(), 100 * config.margin(), percent(r.consensusMedian()), percent(r.goldMedian()),
                config.minimumJudgements()));
        int width = Math.max(7, r.labelers().stream().mapToInt(q -> q.labelerId().length()).max().orElse(0));
        s.append(String.format(Locale.ROOT, "  %-" + width + "s %6s  %-22s %-22s %s%n",
                "labeler", "labels", "consensus (lower)", "gold (lower)", "flag"));
        for (LabelerQuality q : r.labelers()) {
            s.append(String.format(Locale.ROOT, "  %-" + width + "s %6d  %-22s %-22s %s%n", q.labelerId(),
                    a.labelsByName().getOrDefault(q.labelerId(), 0),
                    agreementCell(q.withConsensus(), q.consensusLowerBound()),
                    agreementCell(q.withGold(), q.goldLowerBound()),
                    q.flagged() ? "FLAGGED: " + String.join(", ", reasons(q)) : ""));
        }
        List<String> flagged = flaggedNames(a);
        s.append(flagged.isEmpty() ? "flagged labelers: none\n" : "flagged labelers: " + String.join(", ", flagged)
                + (a.excludedLabelers().isEmpty() ? " (kept in the consensus; --exclude-flagged leaves them out)\n"
                : " (left out of the consensus)\n"));

        s.append(String.format(Locale.ROOT, "%nconsensus by %s: rank of each completion in stored order "
                + "(1 = best, F = flagged)%n", methodName(a.method())));
        int idWidth = a.prompts().stream().mapToInt(p -> p.externalId().length()).max().orElse(0);
        for (StoredPrompt prompt : a.prompts()) {
            ConsensusRanking c = a.consensus().get(prompt.externalId());
            if (c == null) {
                s.append(String.format(Locale.ROOT, "  %-" + idWidth + "s  (no rankings)%n", prompt.externalId()));
                continue;
            }
            List<String> ranks = new ArrayList<>();
            for (int i = 0; i < c.ranking().size(); i++) {
                ranks.add(c.ranking().isFlagged(i) ? "F" : Integer.toString(c.ranking().rank(i)));
            }
            s.append(String.format(Locale.ROOT, "  %-" + idWidth + "s  %s  (%d labeler%s)%n", prompt.externalId(),
                    String.join(" ", ranks), c.labelerCount(), c.labelerCount() == 1 ? "" : "s"));
        }
        return s.toString();
    }

    /** The method's command-line name. */
    public static String methodName(ConsensusMethod method) {
        if (method instanceof ConsensusMethod.BradleyTerry) {
            return "bradley-terry";
        }
        return method instanceof ConsensusMethod.Kemeny ? "kemeny" : "borda";
    }

    /** A JSON number, integral values without ".0", NaN and infinities as null. */
    static JsonElement number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return JsonNull.INSTANCE;
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return new JsonPrimitive((long) value);
        }
        return new JsonPrimitive(value);
    }

    private static JsonObject count(AgreementCount count) {
        JsonObject json = new JsonObject();
        json.addProperty("agreeing", count.agreeing());
        json.addProperty("compared", count.compared());
        json.add("rate", number(count.rate()));
        return json;
    }

    private static List<String> reasons(LabelerQuality q) {
        return q.flags().stream().sorted().map(reason -> reason.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.toList());
    }

    private static List<String> flaggedNames(FeedbackAnalysis a) {
        return a.labelerReport().labelers().stream().filter(LabelerQuality::flagged).map(LabelerQuality::labelerId)
                .toList();
    }

    private static String agreementCell(AgreementCount count, double lower) {
        return count.compared() == 0 ? "-" : percent(count.rate()) + " of " + count.compared()
                + " (" + percent(lower) + ")";
    }

    private static String percent(double rate) {
        return Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * rate);
    }

    private static String decimal(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
    }
}
