package org.jalign.lm;

import java.util.Arrays;

/**
 * One completion: the prompt it continues, the new tokens, and why it stopped.
 *
 * @param promptIndex   index of the prompt in the caller's list (plus the caller's offset)
 * @param sampleIndex   0..numReturnSequences-1
 * @param completionIds the generated ids; ends with the EOS id when {@code finishedByEos}
 *                      (the EOS token is kept: it is what a reward model sees), never padded
 */
public record GeneratedSequence(int promptIndex, int sampleIndex, int[] promptIds, int[] completionIds,
                                boolean finishedByEos) {
    public GeneratedSequence {
        promptIds = promptIds.clone();
        completionIds = completionIds.clone();
    }

    @Override
    public int[] promptIds() {
        return promptIds.clone();
    }

    @Override
    public int[] completionIds() {
        return completionIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeneratedSequence g && g.promptIndex == promptIndex && g.sampleIndex == sampleIndex
                && g.finishedByEos == finishedByEos && Arrays.equals(g.promptIds, promptIds)
                && Arrays.equals(g.completionIds, completionIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * promptIndex + sampleIndex) + Arrays.hashCode(completionIds);
    }

    @Override
    public String toString() {
        return "GeneratedSequence[prompt=" + promptIndex + ", sample=" + sampleIndex + ", completion="
                + Arrays.toString(completionIds) + ", eos=" + finishedByEos + "]";
    }
}
