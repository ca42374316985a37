package org.jalign.dpo;

import org.jalign.data.DataFormatException;
import org.jalign.data.JsonlReader;
import org.jalign.data.Shuffling;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Truncation, unpaired lines (valid, malformed, wrong-typed, truncated), KTO's mismatched partners and the split. */
class DpoDataTest {
    private static boolean[] flags(String s) {
        boolean[] f = new boolean[s.length()];
        for (int i = 0; i < f.length; i++) {
            f[i] = s.charAt(i) == '1';
        }
        return f;
    }

    @Test
    void truncationCutsThePromptsStartThenTheCompletionsEnd() {
        // BOS=1, prompt 10..14, completion 20..23
        int[] tokens = {1, 10, 11, 12, 13, 14, 20, 21, 22, 23};
        boolean[] scored = flags("0000001111");
        DpoEncoder.Encoded fits = DpoEncoder.truncate(tokens, scored, 10, 1);
        assertThat(fits.tokens()).containsExactly(tokens);
        assertThat(fits.promptCut() || fits.completionCut()).isFalse();
        // 3 too many: the prompt's oldest three go, BOS stays
        DpoEncoder.Encoded prompt = DpoEncoder.truncate(tokens, scored, 7, 1);
        assertThat(prompt.tokens()).containsExactly(1, 13, 14, 20, 21, 22, 23);
        assertThat(prompt.scored()).containsExactly(flags("0001111"));
        assertThat(prompt.promptCut()).isTrue();
        assertThat(prompt.completionCut()).isFalse();
        // 6 too many: the prompt keeps its last token (the completion's first is predicted from it), the completion loses its end
        DpoEncoder.Encoded both = DpoEncoder.truncate(tokens, scored, 4, 1);
        assertThat(both.tokens()).containsExactly(1, 14, 20, 21);
        assertThat(both.scored()).containsExactly(flags("0011"));
        assertThat(both.promptCut() && both.completionCut()).isTrue();
        assertThat(both.scoredCount()).isEqualTo(2);
        // no BOS: nothing is kept in front
        assertThat(DpoEncoder.truncate(new int[] {10, 11, 12, 20, 21}, flags("00011"), 3, -1).tokens()).containsExactly(12, 20, 21);
    }

    @Test
    void unpairedLinesAreReadAndBadOnesNamed() {
        List<DpoData.Line> lines = DpoData.readUnpaired(JsonlReader.of("t.jsonl", """
                {"prompt": "a", "completion": "x", "label": true, "labeler": 3}
                {"prompt": "", "completion": "y", "label": false}
                """));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).desirable()).isTrue();
        assertThat(lines.get(1).desirable()).isFalse();
        assertThat(lines.get(1).lineNumber()).isEqualTo(2);
        for (String[] bad : new String[][] {
                {"{\"prompt\": \"a\", \"completion\": \"x\"}", "t.jsonl line 1: field \"label\" is missing"},
                {"{\"prompt\": \"a\", \"completion\": \"x\", \"label\": 1}", "t.jsonl line 1: field \"label\" is 1"},
                {"{\"prompt\": \"a\", \"completion\": \"\", \"label\": true}", "t.jsonl line 1: field \"completion\" is empty"},
                {"{\"prompt\": 5, \"completion\": \"x\", \"label\": true}", "t.jsonl line 1: field \"prompt\""},
                {"{\"completion\": \"x\", \"label\": true}", "t.jsonl line 1"},
                {"{\"prompt\": \"a\", \"completion\": \"x\", \"lab", "t.jsonl line 1"}}) {
            assertThatThrownBy(() -> DpoData.readUnpaired(JsonlReader.of("t.jsonl", bad[0] + "\n")))
                    .isInstanceOf(DataFormatException.class).hasMessageContaining(bad[1]);
        }
    }

    @Test
    void ktoPartnersAreTheNextLineWithAnotherPrompt() {
        List<DpoData.Line> lines = List.of(new DpoData.Line("p", "a", null, true, "t", 1),
                new DpoData.Line("p", "b", null, false, "t", 2), new DpoData.Line("q", "c", null, true, "t", 3));
        assertThat(DpoData.mismatched(lines, 0)).isEqualTo("c");
        assertThat(DpoData.mismatched(lines, 1)).isEqualTo("c");
        assertThat(DpoData.mismatched(lines, 2)).isEqualTo("a");   // cyclic
    }

    @Test
    void theSplitKeepsEveryLineOfAPromptTogether() {
        List<String> prompts = List.of("a", "b", "a", "c", "d", "b", "e", "a", "f", "g");
        List<List<String>> split = Shuffling.splitByKey(prompts, p -> p, 0.3, 42);
        assertThat(split.get(0)).doesNotContainAnyElementsOf(split.get(1));
        assertThat(split.get(0).size() + split.get(1).size()).isEqualTo(10);
        assertThat(split.get(1).stream().distinct().count()).isEqualTo(2);   // round(0.3 · 7 prompts)
    }
}
