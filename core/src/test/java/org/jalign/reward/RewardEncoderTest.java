package org.jalign.reward;

import org.jalign.lm.HfTokenizer;
import org.jalign.lm.SpecialTokens;
import org.jalign.lm.TinyTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RewardEncoderTest {
    private static final SpecialTokens TOKENS = new SpecialTokens(TinyTokenizer.BOS, List.of(TinyTokenizer.EOS),
            TinyTokenizer.PAD);

    private static int id(String word) {
        return TinyTokenizer.id(word);
    }

    @Test
    void truncationKeepsTheBosAndTheCompletionsEnd() {
        // [BOS] p1 p2 p3 | c1 c2 EOS, the completion starting at index 4
        int[] tokens = {1, 10, 11, 12, 20, 21, 2};
        RewardEncoder.Encoded fits = RewardEncoder.truncateKeepingEnd(tokens, 4, 7, 1);
        assertThat(fits.tokens()).containsExactly(tokens);
        assertThat(fits.promptCut() || fits.completionCut()).isFalse();
        RewardEncoder.Encoded promptCut = RewardEncoder.truncateKeepingEnd(tokens, 4, 5, 1);
        assertThat(promptCut.tokens()).containsExactly(1, 12, 20, 21, 2);
        assertThat(promptCut.promptCut()).isTrue();
        assertThat(promptCut.completionCut()).isFalse();
        RewardEncoder.Encoded both = RewardEncoder.truncateKeepingEnd(tokens, 4, 3, 1);
        assertThat(both.tokens()).containsExactly(1, 21, 2);
        assertThat(both.completionCut()).isTrue();
        // no BOS: plain cut from the left
        assertThat(RewardEncoder.truncateKeepingEnd(new int[] {10, 11, 20, 2}, 2, 3, -1).tokens()).containsExactly(11, 20, 2);
        assertThat(RewardEncoder.truncateKeepingEnd(tokens, 4, 0, 1).tokens()).containsExactly(tokens);   // 0 = no limit
        assertThat(RewardEncoder.concatenate(new int[] {5, 6}, new int[] {7, 8, 2}, 4)).containsExactly(6, 7, 8, 2);
    }

    @Test
    void withoutATemplateItIsBosPromptCompletionEos(@TempDir Path dir) throws Exception {
        TinyTokenizer.write(dir);
        try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            RewardEncoder encoder = RewardEncoder.forModel(tokenizer, dir, TOKENS, 0);
            assertThat(encoder.usesChatTemplate()).isFalse();
            assertThat(encoder.encode("the cat", "sat .", "f", 1).tokens())
                    .containsExactly(1, id("the"), id("cat"), id("sat"), id("."), 2);
        }
    }

    @Test
    void aModelsChatTemplateRendersUserAndAssistantTurns(@TempDir Path dir) throws Exception {
        TinyTokenizer.write(dir);
        // a toy template: <bos> user text " ," then the assistant's text and <eos>
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": "<bos>", "eos_token": "<eos>", "chat_template": "{{ bos_token }}{% for m in messages %}\
                {% if m.role == 'user' %}{{ m.content + ' ,' }}{% else %}{{ ' ' + m.content + eos_token }}{% endif %}\
                {% endfor %}"}
                """);
        try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            RewardEncoder encoder = RewardEncoder.forModel(tokenizer, dir, TOKENS, 5);
            assertThat(encoder.usesChatTemplate()).isTrue();
            RewardEncoder.Encoded e = encoder.encode("the cat", "sat .", "f", 1);
            // full: <bos> the cat , sat . <eos> (7 tokens); 5 kept: <bos> , sat . <eos>
            assertThat(e.tokens()).containsExactly(1, id(","), id("sat"), id("."), 2);
            assertThat(e.promptCut()).isTrue();
            assertThat(e.completionCut()).isFalse();
        }
    }
}
