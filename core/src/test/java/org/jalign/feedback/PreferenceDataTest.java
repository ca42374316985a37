package org.jalign.feedback;

import org.jalign.data.DataFormatException;
import org.jalign.data.JsonlReader;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class PreferenceDataTest {

    private static List<PreferenceData.Example> read(String jsonl) {
        return PreferenceData.read(JsonlReader.of("prefs.jsonl", new StringReader(jsonl)));
    }

    @Test
    void hhRlhfDialoguesSplitAfterTheLastSharedAssistantTurn() {
        String shared = "\\n\\nHuman: What is 2+2?\\n\\nAssistant: Sure, 4.\\n\\nHuman: Thanks!\\n\\nAssistant:";
        List<PreferenceData.Example> e = read("{\"chosen\": \"" + shared + " Sure, you're welcome.\", "
                + "\"rejected\": \"" + shared + " Sure. Go away.\"}\n");
        // the responses share "Sure" too: the prompt still ends at the last "\n\nAssistant:"
        assertThat(e).singleElement().satisfies(x -> {
            assertThat(x.prompt()).isEqualTo("\n\nHuman: What is 2+2?\n\nAssistant: Sure, 4.\n\nHuman: Thanks!\n\nAssistant:");
            assertThat(x.chosen()).isEqualTo(" Sure, you're welcome.");
            assertThat(x.rejected()).isEqualTo(" Sure. Go away.");
        });
    }

    @Test
    void trlPairsKeepTheirMargin() {
        assertThat(read("{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", \"margin\": 2}\n"
                + "{\"prompt\": \"q\", \"chosen\": \"c\", \"rejected\": \"d\"}\n"))
                .extracting(PreferenceData.Example::prompt, PreferenceData.Example::chosen,
                        PreferenceData.Example::rejected, PreferenceData.Example::margin)
                .containsExactly(tuple("p", "a", "b", 2.0), tuple("q", "c", "d", 1.0));
    }

    @Test
    void rankedLinesBecomeNChoose2PairsWithFlaggedLast() {
        // ranks a=2, b=1, c flagged (counts as rank 3): b>a (1), b>c (2), a>c (1)
        assertThat(read("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\", \"c\"], \"ranks\": [2, 1, null]}\n"))
                .extracting(PreferenceData.Example::chosen, PreferenceData.Example::rejected, PreferenceData.Example::margin)
                .containsExactlyInAnyOrder(tuple("b", "a", 1.0), tuple("b", "c", 2.0), tuple("a", "c", 1.0));
        // a tie gives no pair
        assertThat(read("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"], \"ranks\": [1, 1]}\n")).isEmpty();
    }

    @Test
    void badLinesAreNamed() {
        assertThatThrownBy(() -> read("{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n{\"text\": \"x\"}\n"))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("prefs.jsonl line 2")
                .hasMessageContaining("no preference fields");
        assertThatThrownBy(() -> read("{\"chosen\": \"Hi there\", \"rejected\": \"Bye\"}\n"))
                .hasMessageContaining("line 1").hasMessageContaining("share no prompt");
        assertThatThrownBy(() -> read("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"], \"ranks\": [1]}\n"))
                .hasMessageContaining("\"ranks\" is missing or not as long as \"completions\"");
        assertThatThrownBy(() -> read("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"], \"ranks\": [1, 1.5]}\n"))
                .hasMessageContaining("\"ranks\" element 1 is 1.5");
        assertThatThrownBy(() -> read("{\"prompt\": \"p\", \"chosen\": 3, \"rejected\": \"b\"}\n"))
                .hasMessageContaining("line 1").hasMessageContaining("chosen");
    }
}
