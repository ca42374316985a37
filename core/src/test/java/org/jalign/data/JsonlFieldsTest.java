package org.jalign.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonlFieldsTest {

    private static JsonlReader.Line line(String json) {
        return JsonlReader.of("seqs.jsonl", "\n\n" + json + "\n").readAll().get(0); // on line 3
    }

    @Test
    void readsIntegersAndStrings() {
        JsonlReader.Line l = line("{\"input_ids\": [1, 0, 2147483647, -3], \"prompt\": \"hi\"}");
        assertThat(JsonlFields.requireIntArray(l, "input_ids")).containsExactly(1, 0, Integer.MAX_VALUE, -3);
        assertThat(JsonlFields.requireString(l, "prompt")).isEqualTo("hi");
        assertThat(JsonlFields.optionalString(l, "other")).isEmpty();
        assertThat(JsonlFields.optionalIntArray(l, "other")).isEmpty();
        assertThat(JsonlFields.requireIntArray(line("{\"input_ids\": []}"), "input_ids")).isEmpty();
    }

    @Test
    void floatInIdsIsAnError() {
        assertThatThrownBy(() -> JsonlFields.requireIntArray(line("{\"input_ids\": [1, 2.5]}"), "input_ids"))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("seqs.jsonl line 3: field \"input_ids\" element 1 is the number 2.5; expected an array of integers");
        // Written as a float, even if integral: a sign something upstream produced floats.
        assertThatThrownBy(() -> JsonlFields.requireIntArray(line("{\"input_ids\": [1.0]}"), "input_ids"))
                .hasMessageContaining("element 0 is the number 1.0");
        assertThatThrownBy(() -> JsonlFields.requireIntArray(line("{\"input_ids\": [1e2]}"), "input_ids"))
                .hasMessageContaining("element 0");
    }

    @Test
    void outOfRangeIdIsAnError() {
        assertThatThrownBy(() -> JsonlFields.requireIntArray(line("{\"input_ids\": [2147483648]}"), "input_ids"))
                .hasMessageContaining("line 3: field \"input_ids\" element 0 is the number 2147483648");
    }

    @Test
    void stringNullAndNestedInIdsAreErrors() {
        assertThatThrownBy(() -> JsonlFields.requireIntArray(line("{\"input_ids\": [1, \"2\"]}"), "input_ids"))
                .hasMessageContaining("line 3: field \"input_ids\" element 1 is a string \"2\"; expected an array of integers");
        assertThatThrownBy(() -> JsonlFields.requireIntArray(line("{\"input_ids\": [null]}"), "input_ids"))
                .hasMessageContaining("element 0 is null");
        assertThatThrownBy(() -> JsonlFields.requireIntArray(line("{\"input_ids\": [[1]]}"), "input_ids"))
                .hasMessageContaining("element 0 is an array [1]");
    }

    @Test
    void wrongContainerIsAnError() {
        assertThatThrownBy(() -> JsonlFields.requireIntArray(line("{\"input_ids\": \"1 2 3\"}"), "input_ids"))
                .hasMessage("seqs.jsonl line 3: field \"input_ids\" is a string \"1 2 3\"; expected an array of integers");
        assertThatThrownBy(() -> JsonlFields.requireString(line("{\"prompt\": [1]}"), "prompt"))
                .hasMessage("seqs.jsonl line 3: field \"prompt\" is an array [1]; expected a string");
    }

    @Test
    void missingAndNullFieldsAreNamed() {
        assertThatThrownBy(() -> JsonlFields.requireString(line("{\"text\": \"x\"}"), "prompt"))
                .hasMessage("seqs.jsonl line 3: field \"prompt\" is missing; expected a string");
        assertThatThrownBy(() -> JsonlFields.requireIntArray(line("{\"input_ids\": null}"), "input_ids"))
                .hasMessage("seqs.jsonl line 3: field \"input_ids\" is null; expected an array of integers");
    }
}
