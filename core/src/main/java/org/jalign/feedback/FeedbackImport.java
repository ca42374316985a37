package org.jalign.feedback;

import org.jalign.data.JsonlReader;

/**
 * {@code feedback import}: a new set filled from JSONL (format on {@link StoreImport}).
 *
 * <ol>
 *   <li>check every line (as {@link FeedbackStore#importJsonl} will) before the set exists, so a
 *       bad line N leaves no empty set behind in the database;</li>
 *   <li>create the set with version 1 of its instructions;</li>
 *   <li>import, all lines or none.</li>
 * </ol>
 */
public final class FeedbackImport {

    private FeedbackImport() {
    }

    /** A new set holding the prompts of {@code text}, read as JSONL named {@code source} in errors. */
    public static StoredSet intoNewSet(FeedbackStore store, FeedbackStore.NewSet set, String source, String text) {
        // step 1
        if (StoreImport.read(JsonlReader.of(source, text), set.name(), set.criterion()).isEmpty()) {
            throw new IllegalArgumentException(source + " holds no prompts; expected one JSON object a line: "
                    + "{\"prompt\": \"...\", \"completions\": [\"...\", \"...\"]}");
        }
        // steps 2-3
        StoredSet created = store.createSet(set);
        store.importJsonl(created.id(), JsonlReader.of(source, text));
        return created;
    }
}
