package org.jalign.sft;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jalign.sft.SftEncoderTest.row;

/** Truncation keeps the reply; packing keeps every row whole. */
class SftPackingTest {

    private static final SftRow LONG = row("<s>", "what", "is", "two", "plus", "two", "?", "four*", ".*", "</s>*");

    @Test
    void truncationCutsTheOldestPromptTokensAndKeepsBos() {
        assertThat(LONG.truncateLeft(10, WordTokenizer.BOS)).contains(LONG);
        assertThat(LONG.truncateLeft(6, WordTokenizer.BOS)).contains(row("<s>", "two", "?", "four*", ".*", "</s>*"));
        assertThat(LONG.truncateLeft(4, WordTokenizer.BOS)).contains(row("<s>", "four*", ".*", "</s>*"));
    }

    @Test
    void truncationNeverCutsTheCompletion() {
        assertThat(LONG.truncateLeft(3, WordTokenizer.BOS)).isEmpty();
        SftRow noBos = row("two", "?", "four*", "</s>*");
        assertThat(noBos.truncateLeft(3, -1)).contains(row("?", "four*", "</s>*"));
        assertThat(noBos.truncateLeft(2, -1)).isEmpty();
        // a multi-turn row: the first reply bounds what can be cut
        SftRow turns = row("<s>", "hi", "hello*", "</s>*", "more", "?", "sure*", "</s>*");
        assertThat(turns.truncateLeft(7, WordTokenizer.BOS)).contains(row("<s>", "hello*", "</s>*", "more", "?", "sure*", "</s>*"));
        assertThat(turns.truncateLeft(6, WordTokenizer.BOS)).isEmpty();
    }

    @Test
    void packingKeepsEveryRowWholeAndEveryTarget() {
        SftRow a = row("<s>", "hi", "hello*", "sure*", "</s>*");
        SftRow b = row("<s>", "more", "?", "</s>*");
        SftRow c = row("<s>", "four*", "</s>*");
        SftRow d = row("<s>", "</s>*");
        List<SftRow> packed = SftPacking.pack(List.of(a, b, c, d), 8);
        // best-fit decreasing: a (5) opens bin 0, b (4) opens bin 1, c (3) fills bin 0, d (2) joins bin 1
        assertThat(packed).containsExactly(concat(a, c), concat(b, d));
        assertThat(packed.stream().mapToInt(SftRow::targetCount).sum())
                .isEqualTo(List.of(a, b, c, d).stream().mapToInt(SftRow::targetCount).sum());
        assertThat(packed).allSatisfy(r -> assertThat(r.length()).isLessThanOrEqualTo(8));
    }

    @Test
    void packingManyRowsLosesNoTargetAndFitsEachRow() {
        List<SftRow> rows = new ArrayList<>();
        for (int n = 2; n < 30; n++) {
            String[] words = new String[n % 9 + 2];
            for (int i = 0; i < words.length; i++) {
                words[i] = i == 0 ? "<s>" : i % 3 == 0 ? "two" : "four*";
            }
            rows.add(row(words));
        }
        List<SftRow> packed = SftPacking.pack(rows, 12);
        assertThat(packed.stream().mapToInt(SftRow::length).sum()).isEqualTo(rows.stream().mapToInt(SftRow::length).sum());
        assertThat(packed.stream().mapToInt(SftRow::targetCount).sum()).isEqualTo(rows.stream().mapToInt(SftRow::targetCount).sum());
        assertThat(packed).allSatisfy(r -> assertThat(r.length()).isLessThanOrEqualTo(12));
        assertThat(packed.size()).isLessThan(rows.size());
        assertThat(SftPacking.pack(rows, 12)).isEqualTo(packed);
        assertThat(SftRow.batch(packed).targetCount()).isEqualTo(packed.stream().mapToInt(SftRow::targetCount).sum());
    }

    @Test
    void aRowLongerThanThePackingLengthIsRefused() {
        assertThatThrownBy(() -> SftPacking.pack(List.of(LONG), 8))
                .hasMessage("row 0 has 10 tokens, more than the packing length 8; truncate before packing");
    }

    private static SftRow concat(SftRow x, SftRow y) {
        int[] tokens = new int[x.length() + y.length()];
        boolean[] targets = new boolean[tokens.length];
        System.arraycopy(x.tokens(), 0, tokens, 0, x.length());
        System.arraycopy(y.tokens(), 0, tokens, x.length(), y.length());
        System.arraycopy(x.targets(), 0, targets, 0, x.length());
        System.arraycopy(y.targets(), 0, targets, x.length(), y.length());
        return new SftRow(tokens, targets);
    }
}
