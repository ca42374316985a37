package org.jalign.feedback;

/**
 * One labeler's ranking of one prompt's completions on one criterion.
 *
 * @param promptId  the prompt (and so its set of completions)
 * @param labelerId who ranked
 * @param criterion what they ranked on
 * @param ranking   the ranking, one placement per completion of the prompt
 */
public record Judgement(String promptId, String labelerId, Criterion criterion, Ranking ranking) {

    public Judgement {
        if (promptId == null || promptId.isBlank()) {
            throw new IllegalArgumentException("judgement.promptId must be a non-blank id, got " + quote(promptId));
        }
        if (labelerId == null || labelerId.isBlank()) {
            throw new IllegalArgumentException("judgement.labelerId must be a non-blank id, got " + quote(labelerId));
        }
        if (criterion == null) {
            throw new IllegalArgumentException("judgement.criterion is missing for prompt " + promptId
                    + " by labeler " + labelerId);
        }
        if (ranking == null) {
            throw new IllegalArgumentException("judgement.ranking is missing for prompt " + promptId
                    + " by labeler " + labelerId);
        }
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
