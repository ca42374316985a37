package org.jalign.feedback;

import java.util.List;

/**
 * A prompt and its completions (in position order).
 *
 * @param externalId  the prompt's id in the imported data, unique within its set
 * @param goldRanking the known ranking of a gold item, null for an ordinary prompt
 */
public record StoredPrompt(long id, long setId, String externalId, String text, List<StoredCompletion> completions,
                           StoredRanking goldRanking) {
    public StoredPrompt {
        completions = List.copyOf(completions);
    }

    public boolean isGold() {
        return goldRanking != null;
    }
}
