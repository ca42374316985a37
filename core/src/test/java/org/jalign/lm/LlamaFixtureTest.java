package org.jalign.lm;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The real pretrained tiny Llama: an error in RoPE, GQA, RMSNorm or the MLP shows within a few tokens. */
class LlamaFixtureTest {
    private static LanguageModel model;

    @BeforeAll
    static void load() throws Exception {
        model = LanguageModel.load(Fixtures.llama260k());
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void greedyFromBosReproducesAll128ReferenceTokens() throws Exception {
        int[] expected = Fixtures.llamaGreedyFromBos();
        List<GeneratedSequence> out = model.generate(List.of(new int[] {1}),
                new GenerationConfig(expected.length, true, 1, 0, 1, 1, 1, 0).withSeed(0), 0);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).completionIds()).containsExactly(expected);
    }
}
