package org.jalign.reward;

import org.jalign.data.DataFormatException;
import org.jalign.data.JsonlReader;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Both formats read, and every bad line named by file, line and field. */
class PreferenceDatasetTest {

    private static PreferenceDataset.Read read(String text, PreferenceFormat format, boolean margin) {
        return PreferenceDataset.read(JsonlReader.of("prefs.jsonl", text), format, margin);
    }

    private static void fails(String text, PreferenceFormat format, String... fragments) {
        assertThatThrownBy(() -> read(text, format, true)).isInstanceOf(DataFormatException.class)
                .hasMessageContainingAll(fragments);
    }

    @Test
    void pairsLinesKeepTheirMarginOnlyWhenAsked() {
        String text = """
                {"prompt": "Hi", "chosen": " hello", "rejected": " go away", "margin": 2, "prompt_id": "x"}

                {"prompt": "", "chosen": "a", "rejected": "b"}
                """;
        PreferenceDataset.Read withMargin = read(text, PreferenceFormat.PAIRS, true);
        assertThat(withMargin.examples()).hasSize(2);
        PreferenceExample first = withMargin.examples().get(0);
        assertThat(first.completions()).containsExactly(" hello", " go away");
        assertThat(first.pairs()).containsExactly(new RewardLoss.Pair(0, 1, 2));
        assertThat(first.lineNumber()).isEqualTo(1);
        assertThat(withMargin.examples().get(1).lineNumber()).isEqualTo(3);   // blank lines count
        assertThat(withMargin.examples().get(1).pairs()).containsExactly(new RewardLoss.Pair(0, 1, 0));
        assertThat(read(text, PreferenceFormat.PAIRS, false).examples().get(0).pairs())
                .containsExactly(new RewardLoss.Pair(0, 1, 0));
    }

    @Test
    void rankedLinesGiveTheirPairsAndAllTiedLinesAreSkipped() {
        PreferenceDataset.Read r = read("""
                {"prompt": "p", "completions": ["a", "b", "c"], "ranks": [2, 1, null], "labeler_count": 3}
                {"prompt": "q", "completions": ["a", "b"], "ranks": [1, 1]}
                """, PreferenceFormat.RANKED, false);
        assertThat(r.examples()).hasSize(1);
        assertThat(r.skippedWithoutPairs()).isEqualTo(1);
        assertThat(r.examples().get(0).pairs()).containsExactly(new RewardLoss.Pair(1, 0, 0),
                new RewardLoss.Pair(0, 2, 0), new RewardLoss.Pair(1, 2, 0));
    }

    @Test
    void badLinesNameFileLineAndField() {
        String good = "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n";
        fails(good + "{\"prompt\": \"p\", \"chosen\": \"a\", \n", PreferenceFormat.PAIRS, "prefs.jsonl line 2");
        fails(good + good + "{\"prompt\": \"p\", \"rejected\": \"b\"}\n", PreferenceFormat.PAIRS,
                "prefs.jsonl line 3", "field \"chosen\" is missing");
        fails("{\"prompt\": \"p\", \"chosen\": \"\", \"rejected\": \"b\"}", PreferenceFormat.PAIRS,
                "line 1", "field \"chosen\" is empty", "a non-empty completion");
        fails("{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": 3}", PreferenceFormat.PAIRS,
                "field \"rejected\" is the number 3", "a string");
        fails("{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", \"margin\": \"big\"}", PreferenceFormat.PAIRS,
                "field \"margin\"", "a number");
        fails("{\"chosen\": \"a\", \"rejected\": \"b\"}", PreferenceFormat.PAIRS, "field \"prompt\" is missing");
        fails("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"], \"ranks\": [1, 2]}", PreferenceFormat.PAIRS,
                "--format ranked");
        fails(good, PreferenceFormat.RANKED, "--format pairs");
        fails("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\", \"c\"], \"ranks\": [1, 2]}", PreferenceFormat.RANKED,
                "line 1", "field \"ranks\" has 2 elements but \"completions\" has 3", "one rank per completion");
        fails("{\"prompt\": \"p\", \"completions\": [\"a\"], \"ranks\": [1]}", PreferenceFormat.RANKED,
                "field \"completions\" has 1 element", "at least two");
        fails("{\"prompt\": \"p\", \"completions\": [\"a\", \"\"], \"ranks\": [1, 2]}", PreferenceFormat.RANKED,
                "field \"completions\" element 1", "a non-empty string");
        fails("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"], \"ranks\": [1, 2.5]}", PreferenceFormat.RANKED,
                "field \"ranks\" element 1 is 2.5", "from 1 (best) to 2");
        fails("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"], \"ranks\": [1, 3]}", PreferenceFormat.RANKED,
                "field \"ranks\" element 1 is 3");
        fails("{\"prompt\": \"p\", \"completions\": \"a\", \"ranks\": [1]}", PreferenceFormat.RANKED,
                "field \"completions\"", "an array");
        fails("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"]}", PreferenceFormat.RANKED,
                "field \"ranks\" is missing");
    }

    @Test
    void splitKeepsEveryPromptOnOneSide() {
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < 20; p++) {
            for (int k = 0; k < 3; k++) {   // three pairs per prompt, as an export of K = 3 writes
                text.append("{\"prompt\": \"p").append(p).append("\", \"chosen\": \"a").append(k)
                        .append("\", \"rejected\": \"b\"}\n");
            }
        }
        List<PreferenceExample> examples = read(text.toString(), PreferenceFormat.PAIRS, false).examples();
        PreferenceDataset.Split split = PreferenceDataset.split(examples, 0.25, 7);
        Set<String> trainPrompts = new HashSet<>();
        split.train().forEach(e -> trainPrompts.add(e.prompt()));
        Set<String> evalPrompts = new HashSet<>();
        split.eval().forEach(e -> evalPrompts.add(e.prompt()));
        assertThat(evalPrompts).hasSize(5).doesNotContainAnyElementsOf(trainPrompts);
        assertThat(split.eval()).hasSize(15);
        assertThat(split.train()).hasSize(45);
        assertThat(PreferenceDataset.split(examples, 0.25, 7)).isEqualTo(split);   // seeded
        assertThat(PreferenceDataset.split(examples, 0.25, 8).eval()).isNotEqualTo(split.eval());
        assertThat(PreferenceDataset.split(examples, 0, 7).eval()).isEmpty();
    }
}
