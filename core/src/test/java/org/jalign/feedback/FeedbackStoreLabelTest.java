package org.jalign.feedback;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeedbackStoreLabelTest {
    @TempDir
    Path dir;

    private FeedbackStore store;
    private long setId;
    private long labeler;
    private StoredAssignment assignment;

    @BeforeEach
    void setUp() {
        store = FeedbackStore.open(dir.resolve("f.db"));
        setId = store.createSet(StoreFixtures.set("s", 2, 0, 5)).id();
        store.addPrompts(setId, StoreFixtures.prompts("p", 3, 3));
        labeler = store.createLabeler("a", StoredLabeler.Role.LABELER).labeler().id();
        assignment = store.nextAssignment(setId, labeler).orElseThrow();
    }

    @org.junit.jupiter.api.AfterEach
    void tearDown() {
        store.close();
    }

    /** Ties the first two shown completions for best and flags the third. */
    private StoredRanking tieAndFlag() {
        List<StoredAssignment.ShownCompletion> shown = assignment.completions();
        Map<Long, Integer> ranks = new TreeMap<>();
        ranks.put(shown.get(0).completionId(), 1);
        ranks.put(shown.get(1).completionId(), 1);
        return StoredRanking.of(ranks, List.of(shown.get(2).completionId()));
    }

    @Test
    void aLabelWithTiesFlagAndCommentIsStoredExactly() {
        StoredLabel label = store.submitLabel(labeler,
                new FeedbackStore.LabelSubmission(assignment.promptId(), 1, tieAndFlag(), "two equally good"));
        assertThat(store.labels(setId)).containsExactly(label);
        assertThat(label.ranking()).isEqualTo(tieAndFlag());
        assertThat(label.ranking().flagged()).containsExactly(assignment.completions().get(2).completionId());
        assertThat(label.comment()).isEqualTo("two equally good");
        assertThat(label.instructionsVersion()).isEqualTo(1);
        assertThat(label.skipped()).isFalse();
        assertThat(label.labeledAt()).isAfterOrEqualTo(label.assignedAt());
    }

    @Test
    void anIdenticalRetryIsFineAndADifferentSecondLabelConflicts() {
        FeedbackStore.LabelSubmission first = new FeedbackStore.LabelSubmission(assignment.promptId(), 1, tieAndFlag(), null);
        StoredLabel stored = store.submitLabel(labeler, first);
        assertThat(store.submitLabel(labeler, first)).isEqualTo(stored);
        assertThatThrownBy(() -> store.submitLabel(labeler, StoreFixtures.submission(assignment)))
                .isInstanceOf(StoreConflictException.class)
                .hasMessageContaining("already labeled prompt \"" + stored.externalPromptId() + "\"");
        assertThatThrownBy(() -> store.submitLabel(labeler,
                FeedbackStore.LabelSubmission.skip(assignment.promptId(), 1, null)))
                .isInstanceOf(StoreConflictException.class);
        assertThat(store.labels(setId)).containsExactly(stored);
    }

    @Test
    void theDatabaseHoldsOneLabelPerPromptAndLabelerEvenWithoutTheStore() throws Exception {
        store.submitLabel(labeler, StoreFixtures.submission(assignment));
        try (var c = StoreFixtures.raw(dir.resolve("f.db")); var s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("INSERT INTO label (set_id, prompt_id, labeler_id, instructions_version,"
                    + " ranking, skipped, labeled_at) SELECT set_id, prompt_id, labeler_id, 1, NULL, 1, 0 FROM label"))
                    .hasMessageContaining("UNIQUE");
        }
    }

    @Test
    void labelsAreTakenOnlyForAssignedPromptsAndWholeRankings() {
        long other = store.prompts(setId).stream().mapToLong(StoredPrompt::id)
                .filter(id -> id != assignment.promptId()).findFirst().orElseThrow();
        assertThatThrownBy(() -> store.submitLabel(labeler, FeedbackStore.LabelSubmission.skip(other, 1, null)))
                .hasMessageContaining("not assigned");

        List<StoredAssignment.ShownCompletion> shown = assignment.completions();
        StoredRanking partial = StoredRanking.of(Map.of(shown.get(0).completionId(), 1), List.of());
        assertThatThrownBy(() -> store.submitLabel(labeler,
                new FeedbackStore.LabelSubmission(assignment.promptId(), 1, partial, null)))
                .hasMessageContaining("missing");
        StoredRanking tooHigh = StoredRanking.of(Map.of(shown.get(0).completionId(), 1, shown.get(1).completionId(), 2,
                shown.get(2).completionId(), 4), List.of());
        assertThatThrownBy(() -> store.submitLabel(labeler,
                new FeedbackStore.LabelSubmission(assignment.promptId(), 1, tooHigh, null)))
                .hasMessageContaining("rank 4").hasMessageContaining("1 (best) to 3");
        assertThatThrownBy(() -> StoredRanking.of(Map.of(1L, 1), List.of(1L))).hasMessageContaining("both ranked");
        assertThat(store.labels(setId)).isEmpty();
    }

    @Test
    void everyLabelKeepsTheInstructionsVersionItWasGiven() {
        assertThat(store.updateInstructions(setId, "Rank by helpfulness.")).as("same text, same version").isEqualTo(1);
        assertThat(store.updateInstructions(setId, "Rank by helpfulness; ignore typos.")).isEqualTo(2);
        store.submitLabel(labeler, StoreFixtures.submission(assignment)); // the page showed version 1
        StoredAssignment next = store.nextAssignment(setId, labeler).orElseThrow();
        assertThat(next.instructionsVersion()).isEqualTo(2);
        assertThat(next.instructionsText()).contains("ignore typos");
        store.submitLabel(labeler, StoreFixtures.submission(next));
        assertThat(store.labels(setId)).extracting(StoredLabel::instructionsVersion).containsExactly(1, 2);
        assertThat(store.instructions(setId, 1).text()).isEqualTo("Rank by helpfulness.");
        assertThatThrownBy(() -> store.submitLabel(labeler, new FeedbackStore.LabelSubmission(
                store.nextAssignment(setId, labeler).orElseThrow().promptId(), 3, null, null)))
                .hasMessageContaining("no instructions version 3");
    }

    @Test
    void thumbsAreOnePerCompletionAndLabeler() {
        long completion = assignment.completions().get(0).completionId();
        StoredThumb up = store.recordThumb(labeler, completion, true, 1, null);
        assertThat(store.recordThumb(labeler, completion, true, 1, "  ")).isEqualTo(up);
        assertThatThrownBy(() -> store.recordThumb(labeler, completion, false, 1, null))
                .isInstanceOf(StoreConflictException.class);
        assertThat(store.thumbs(setId)).containsExactly(up);
        assertThat(up.promptId()).isEqualTo(assignment.promptId());
        assertThatThrownBy(() -> store.recordThumb(labeler, 999_999, true, 1, null)).hasMessageContaining("no completion");
    }

    @Test
    void setsAreValidatedWithMessagesAUserCanActOn() {
        assertThatThrownBy(() -> new FeedbackStore.NewSet("x", "kindness", null, "guide", 3, 0, 1))
                .hasMessageContaining("unknown criterion \"kindness\"")
                .hasMessageContaining("helpfulness, harmlessness, honesty, custom");
        assertThatThrownBy(() -> new FeedbackStore.NewSet("x", "custom", " ", "guide", 3, 0, 1))
                .hasMessageContaining("criterionText");
        assertThatThrownBy(() -> new FeedbackStore.NewSet("x", "honesty", null, "guide", 0, 0, 1))
                .hasMessageContaining("overlap");
        assertThatThrownBy(() -> new FeedbackStore.NewSet("x", "honesty", null, "guide", 1, 1.0, 1))
                .hasMessageContaining("goldRate must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> store.createSet(StoreFixtures.set("s", 2, 0, 5))).hasMessageContaining("already exists");
        assertThat(store.createSet(new FeedbackStore.NewSet("c", "Custom", "concision", "guide", 1, 0, 1)).criterion())
                .isEqualTo("CUSTOM");
        assertThatThrownBy(() -> store.addPrompts(setId, StoreFixtures.prompts("p", 1, 2)))
                .hasMessageContaining("prompt id \"p0\" is already in set \"s\"");
    }
}
