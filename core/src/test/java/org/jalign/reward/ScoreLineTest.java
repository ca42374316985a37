package org.jalign.reward;

import com.google.gson.JsonParser;
import org.jalign.data.DataFormatException;
import org.jalign.data.JsonlReader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** reward score's input line: text or ids, the refusals (naming file, line and field), and the output line. */
class ScoreLineTest {

    private static JsonlReader.Line line(String json) {
        return new JsonlReader.Line("scores.jsonl", 2, JsonParser.parseString(json).getAsJsonObject());
    }

    @Test
    void readsTextOrIds() {
        ScoreLine text = ScoreLine.parse(line("{\"prompt\": \"\", \"completion\": \"hi\"}"));
        assertThat(text.prompt()).isEmpty();   // an empty prompt is allowed; the reward is read on the completion
        assertThat(text.completion()).isEqualTo("hi");
        assertThat(text.promptIds()).isNull();
        ScoreLine ids = ScoreLine.parse(line("{\"prompt_ids\": [], \"completion_ids\": [4]}"));
        assertThat(ids.promptIds()).isEmpty();
        assertThat(ids.completionIds()).containsExactly(4);
        assertThat(ids.prompt()).isNull();
    }

    @Test
    void anIdFieldMakesItAnIdsLine() {
        // text fields beside ids are carried along, not read
        ScoreLine both = ScoreLine.parse(line("{\"prompt\": \"a\", \"prompt_ids\": [1], \"completion_ids\": [2]}"));
        assertThat(both.promptIds()).containsExactly(1);
        assertThat(both.prompt()).isNull();
        assertThatThrownBy(() -> ScoreLine.parse(line("{\"prompt\": \"a\", \"completion\": \"b\", \"prompt_ids\": [1]}")))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("scores.jsonl line 2: field \"completion_ids\" is missing; expected an array of integers");
    }

    @Test
    void refusesMalformedLines() {
        assertThatThrownBy(() -> ScoreLine.parse(line("{\"text\": \"a\"}")))
                .hasMessage("scores.jsonl line 2: the line has neither \"prompt\"/\"completion\" nor "
                        + "\"prompt_ids\"/\"completion_ids\"; expected {\"prompt\": ..., \"completion\": ...} or "
                        + "{\"prompt_ids\": [...], \"completion_ids\": [...]}");
        assertThatThrownBy(() -> ScoreLine.parse(line("{\"prompt\": \"a\", \"completion\": \"\"}")))
                .hasMessageContaining("field \"completion\" is empty; expected a non-empty completion");
        assertThatThrownBy(() -> ScoreLine.parse(line("{\"prompt\": \"a\"}")))
                .hasMessageContaining("field \"completion\" is missing; expected a string");
        assertThatThrownBy(() -> ScoreLine.parse(line("{\"completion\": \"a\"}")))
                .hasMessageContaining("field \"prompt\" is missing; expected a string");
        assertThatThrownBy(() -> ScoreLine.parse(line("{\"prompt_ids\": [1], \"completion_ids\": []}")))
                .hasMessageContaining("field \"completion_ids\" has 0 tokens; expected at least 1 "
                        + "(the reward is read at the completion's last token)");
        assertThatThrownBy(() -> ScoreLine.parse(line("{\"prompt_ids\": [-3], \"completion_ids\": [1]}")))
                .hasMessageContaining("field \"prompt_ids\" element 0 is -3; expected token ids >= 0");
        // wrong types
        assertThatThrownBy(() -> ScoreLine.parse(line("{\"prompt\": 1, \"completion\": \"a\"}")))
                .hasMessageContaining("field \"prompt\" is");
        assertThatThrownBy(() -> ScoreLine.parse(line("{\"prompt_ids\": [1.5], \"completion_ids\": [1]}")))
                .hasMessageContaining("field \"prompt_ids\" element 0 is");
    }

    @Test
    void theOutputIsACopyOfTheInputWithTheReward() {
        // "reward" is added last; an input "reward" keeps its place and takes the new value, as the CLI has always written it
        ScoreLine item = ScoreLine.parse(line("{\"completion\": \"b\", \"prompt\": \"a\", \"reward\": 9, \"meta\": {\"k\": 1}}"));
        assertThat(item.withReward(0.25f).toString())
                .isEqualTo("{\"completion\":\"b\",\"prompt\":\"a\",\"reward\":0.25,\"meta\":{\"k\":1}}");
        // the input line itself is left alone
        assertThat(item.line().object().get("reward").getAsInt()).isEqualTo(9);
    }

    @Test
    void exactlyOnePairIsSet() {
        assertThatThrownBy(() -> new ScoreLine(line("{}"), null, null, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScoreLine(line("{}"), "a", "b", new int[0], new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScoreLine(line("{}"), "a", null, null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
