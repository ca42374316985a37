package org.jalign.feedback;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A feedback set as training data, one JSON object per line, in TRL's dataset formats
 * (huggingface/trl, docs "Dataset formats and types": preference, unpaired preference) plus the
 * ranked form a K-way reward model loss takes (Ouyang et al. 2022, InstructGPT §3.5).
 *
 * <pre>
 * pairs     {"prompt", "chosen", "rejected", "prompt_id", "margin", "labeler_count"}
 *           N-choose-2 per prompt from its consensus ({@link PreferencePairs}), preferred first;
 *           ties give no pair; a completion the consensus flagged loses to every ranked one, or
 *           with {@link FlagPolicy#DROPPED} is in no pair
 * unpaired  {"prompt", "completion", "label", "prompt_id"}  one line per thumb, label true = up
 * ranked    {"prompt", "completions", "ranks", "prompt_id", "labeler_count"}  completions in stored
 *           order, ranks from the consensus (1 = best, ties equal), null for a flagged completion,
 *           or flagged completions left out
 * </pre>
 *
 * Prompts come in stored order; a prompt with no consensus (nobody ranked it) gives no line.
 */
public final class FeedbackExport {

    private FeedbackExport() {
    }

    /** The preference pairs of every prompt's consensus. */
    public static List<JsonObject> pairs(FeedbackAnalysis analysis, FlagPolicy flags) {
        List<JsonObject> lines = new ArrayList<>();
        for (StoredPrompt prompt : analysis.prompts()) {
            ConsensusRanking consensus = analysis.consensus().get(prompt.externalId());
            if (consensus == null) {
                continue;
            }
            for (PreferencePair pair : PreferencePairs.of(consensus, flags)) {
                JsonObject line = new JsonObject();
                line.addProperty("prompt", prompt.text());
                line.addProperty("chosen", prompt.completions().get(pair.chosen()).text());
                line.addProperty("rejected", prompt.completions().get(pair.rejected()).text());
                line.addProperty("prompt_id", prompt.externalId());
                line.add("margin", FeedbackReport.number(pair.margin()));
                line.addProperty("labeler_count", pair.labelerCount());
                lines.add(line);
            }
        }
        return lines;
    }

    /** Every prompt's consensus ranks beside its completions. */
    public static List<JsonObject> ranked(FeedbackAnalysis analysis, boolean dropFlaggedCompletions) {
        List<JsonObject> lines = new ArrayList<>();
        for (StoredPrompt prompt : analysis.prompts()) {
            ConsensusRanking consensus = analysis.consensus().get(prompt.externalId());
            if (consensus == null) {
                continue;
            }
            JsonArray completions = new JsonArray();
            JsonArray ranks = new JsonArray();
            Ranking ranking = consensus.ranking();
            for (int i = 0; i < ranking.size(); i++) {
                if (ranking.isFlagged(i) && dropFlaggedCompletions) {
                    continue;
                }
                completions.add(prompt.completions().get(i).text());
                if (ranking.isFlagged(i)) {
                    ranks.add(JsonNull.INSTANCE);
                } else {
                    ranks.add(ranking.rank(i));
                }
            }
            if (completions.size() < 2) {
                continue; // one completion left ranks nothing
            }
            JsonObject line = new JsonObject();
            line.addProperty("prompt", prompt.text());
            line.add("completions", completions);
            line.add("ranks", ranks);
            line.addProperty("prompt_id", prompt.externalId());
            line.addProperty("labeler_count", consensus.labelerCount());
            lines.add(line);
        }
        return lines;
    }

    /** Every thumb of the set, oldest first, except those of {@code excludedLabelers} (by name). */
    public static List<JsonObject> unpaired(List<StoredPrompt> prompts, List<StoredThumb> thumbs,
                                            Map<Long, String> labelerNames, Set<String> excludedLabelers) {
        Map<Long, StoredPrompt> promptsById = new HashMap<>();
        Map<Long, StoredCompletion> completionsById = new HashMap<>();
        for (StoredPrompt prompt : prompts) {
            promptsById.put(prompt.id(), prompt);
            prompt.completions().forEach(c -> completionsById.put(c.id(), c));
        }
        List<JsonObject> lines = new ArrayList<>();
        for (StoredThumb thumb : thumbs) {
            if (excludedLabelers.contains(labelerNames.get(thumb.labelerId()))) {
                continue;
            }
            StoredPrompt prompt = promptsById.get(thumb.promptId());
            JsonObject line = new JsonObject();
            line.addProperty("prompt", prompt.text());
            line.addProperty("completion", completionsById.get(thumb.completionId()).text());
            line.addProperty("label", thumb.up());
            line.addProperty("prompt_id", prompt.externalId());
            lines.add(line);
        }
        return lines;
    }
}
