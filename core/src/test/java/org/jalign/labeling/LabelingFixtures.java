package org.jalign.labeling;

import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredCompletion;
import org.jalign.feedback.StoredPrompt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Small feedback sets for the labeling app's tests. */
final class LabelingFixtures {
    private LabelingFixtures() {
    }

    static FeedbackStore.NewSet set(String name, int overlap, long seed) {
        return new FeedbackStore.NewSet(name, "helpfulness", null, "Rank by helpfulness.", overlap, 0, seed);
    }

    /** {@code count} prompts named {@code prefix0..}, each with {@code n} completions "answer C to PREFIXP". */
    static List<FeedbackStore.NewPrompt> prompts(String prefix, int count, int n) {
        List<FeedbackStore.NewPrompt> prompts = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            List<FeedbackStore.NewCompletion> completions = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                completions.add(new FeedbackStore.NewCompletion("answer " + c + " to " + prefix + p, "tiny-model", null));
            }
            prompts.add(new FeedbackStore.NewPrompt(prefix + p, "question " + prefix + p, completions, null));
        }
        return prompts;
    }

    /**
     * Completion text → completion id for every completion of a set, read from the stored prompts:
     * an independent way (not the assignment's display order) to map what a page showed back to ids.
     */
    static Map<String, Long> completionIdsByText(FeedbackStore store, long setId) {
        Map<String, Long> ids = new HashMap<>();
        for (StoredPrompt p : store.prompts(setId)) {
            for (StoredCompletion c : p.completions()) {
                if (ids.put(c.text(), c.id()) != null) {
                    throw new IllegalStateException("fixture texts must be unique: " + c.text());
                }
            }
        }
        return ids;
    }
}
