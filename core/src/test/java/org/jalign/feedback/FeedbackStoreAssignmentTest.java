package org.jalign.feedback;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FeedbackStoreAssignmentTest {
    @TempDir
    Path dir;

    @Test
    void eachPromptGoesToExactlyKDistinctLabelersAndNoneTwice() {
        int prompts = 30;
        int overlap = 3;
        int labelers = 7;
        try (FeedbackStore store = FeedbackStore.open(dir.resolve("f.db"))) {
            long setId = store.createSet(StoreFixtures.set("s", overlap, 0, 42)).id();
            store.addPrompts(setId, StoreFixtures.prompts("p", prompts, 3));
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < labelers; i++) {
                ids.add(store.createLabeler("l" + i, StoredLabeler.Role.LABELER).labeler().id());
            }
            Map<Long, Set<Long>> labelersOfPrompt = new HashMap<>();
            boolean anyWork = true;
            while (anyWork) { // labelers take turns, as they would in the app
                anyWork = false;
                for (long labeler : ids) {
                    Optional<StoredAssignment> next = store.nextAssignment(setId, labeler);
                    if (next.isEmpty()) {
                        continue;
                    }
                    anyWork = true;
                    assertThat(labelersOfPrompt.computeIfAbsent(next.get().promptId(), k -> new HashSet<>()).add(labeler))
                            .as("labeler %d got prompt %d twice", labeler, next.get().promptId()).isTrue();
                    store.submitLabel(labeler, StoreFixtures.submission(next.get()));
                }
            }
            assertThat(labelersOfPrompt).hasSize(prompts);
            assertThat(labelersOfPrompt.values()).allSatisfy(set -> assertThat(set).hasSize(overlap));
            assertThat(store.labels(setId)).hasSize(prompts * overlap);
            int assigned = store.progress(setId).stream().mapToInt(StoredProgress::assigned).sum();
            assertThat(assigned).isEqualTo(prompts * overlap);
        }
    }

    @Test
    void anOpenAssignmentIsHandedOutAgainNotANewOne() {
        try (FeedbackStore store = FeedbackStore.open(dir.resolve("f.db"))) {
            long setId = store.createSet(StoreFixtures.set("s", 1, 0, 1)).id();
            store.addPrompts(setId, StoreFixtures.prompts("p", 5, 4));
            long labeler = store.createLabeler("a", StoredLabeler.Role.LABELER).labeler().id();
            StoredAssignment first = store.nextAssignment(setId, labeler).orElseThrow();
            StoredAssignment again = store.nextAssignment(setId, labeler).orElseThrow();
            assertThat(again).isEqualTo(first); // same prompt, same shuffled order
            assertThat(store.progress(setId, labeler)).isEqualTo(new StoredProgress(labeler, "a", 0, 1));
            store.submitLabel(labeler, StoreFixtures.submission(first));
            assertThat(store.nextAssignment(setId, labeler).orElseThrow().promptId()).isNotEqualTo(first.promptId());
            assertThat(store.progress(setId, labeler)).isEqualTo(new StoredProgress(labeler, "a", 1, 2));
        }
    }

    @Test
    void theViewIsBlindAndTheOrderIsShuffledPerLabeler() {
        try (FeedbackStore store = FeedbackStore.open(dir.resolve("f.db"))) {
            long setId = store.createSet(StoreFixtures.set("s", 20, 0, 1)).id();
            store.addPrompts(setId, StoreFixtures.prompts("p", 1, 6));
            Set<List<Long>> orders = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                long labeler = store.createLabeler("l" + i, StoredLabeler.Role.LABELER).labeler().id();
                StoredAssignment a = store.nextAssignment(setId, labeler).orElseThrow();
                orders.add(a.completions().stream().map(StoredAssignment.ShownCompletion::completionId).toList());
                assertThat(a.toString()).doesNotContain("tiny-model").doesNotContain("temperature");
            }
            assertThat(orders).as("20 labelers, 720 possible orders").hasSizeGreaterThan(10);
        }
    }

    @Test
    void theSameSeedGivesTheSameOrderAndAnotherSeedAnother() {
        assertThat(firstPrompts(7)).isEqualTo(firstPrompts(7));
        assertThat(firstPrompts(7)).isNotEqualTo(firstPrompts(8));
    }

    private List<String> firstPrompts(long seed) {
        Path db = dir.resolve("seed-" + seed + "-" + System.nanoTime() + ".db");
        try (FeedbackStore store = FeedbackStore.open(db)) {
            long setId = store.createSet(StoreFixtures.set("s", 1, 0, seed)).id();
            store.addPrompts(setId, StoreFixtures.prompts("p", 20, 2));
            Map<Long, String> external = new HashMap<>();
            store.prompts(setId).forEach(p -> external.put(p.id(), p.externalId()));
            long labeler = store.createLabeler("a", StoredLabeler.Role.LABELER).labeler().id();
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                StoredAssignment a = store.nextAssignment(setId, labeler).orElseThrow();
                order.add(external.get(a.promptId()));
                store.submitLabel(labeler, StoreFixtures.submission(a));
            }
            return order;
        }
    }

    @Test
    void goldItemsAppearAtTheConfiguredRate() {
        double rate = 0.2;
        int labelers = 4;
        int ordinary = 300;
        try (FeedbackStore store = FeedbackStore.open(dir.resolve("f.db"))) {
            long setId = store.createSet(StoreFixtures.set("s", labelers, rate, 99)).id();
            store.addPrompts(setId, StoreFixtures.prompts("p", ordinary, 2));
            store.addPrompts(setId, StoreFixtures.goldPrompts("g", 200, 2)); // enough never to run out
            Set<Long> goldIds = new HashSet<>();
            store.prompts(setId).stream().filter(StoredPrompt::isGold).forEach(p -> goldIds.add(p.id()));
            for (int i = 0; i < labelers; i++) {
                long labeler = store.createLabeler("l" + i, StoredLabeler.Role.LABELER).labeler().id();
                Optional<StoredAssignment> next;
                while ((next = store.nextAssignment(setId, labeler)).isPresent()) {
                    store.submitLabel(labeler, StoreFixtures.submission(next.get()));
                }
            }
            List<StoredLabel> labels = store.labels(setId);
            long gold = labels.stream().filter(StoredLabel::gold).count();
            assertThat(labels.stream().filter(StoredLabel::gold).map(StoredLabel::promptId)).allMatch(goldIds::contains);
            assertThat(labels.stream().filter(l -> !l.gold()).count()).isEqualTo((long) ordinary * labelers);
            // each ordinary prompt went to every labeler; gold came on top at about rate / (1 - rate)
            // of the ordinary count; binomial n = all assignments, within 4 standard deviations
            int n = labels.size();
            double sd = Math.sqrt(n * rate * (1 - rate));
            assertThat((double) gold).isCloseTo(n * rate, org.assertj.core.data.Offset.offset(4 * sd));
            assertThat(gold).isPositive();
        }
    }

    @Test
    void aSkipGivesTheSlotToAnotherLabeler() {
        try (FeedbackStore store = FeedbackStore.open(dir.resolve("f.db"))) {
            long setId = store.createSet(StoreFixtures.set("s", 1, 0, 3)).id();
            store.addPrompts(setId, StoreFixtures.prompts("p", 1, 2));
            long a = store.createLabeler("a", StoredLabeler.Role.LABELER).labeler().id();
            long b = store.createLabeler("b", StoredLabeler.Role.LABELER).labeler().id();
            StoredAssignment first = store.nextAssignment(setId, a).orElseThrow();
            assertThat(store.nextAssignment(setId, b)).as("K = 1 and a holds it").isEmpty();
            store.submitLabel(a, FeedbackStore.LabelSubmission.skip(first.promptId(), 1, "I can't judge code"));
            assertThat(store.nextAssignment(setId, b)).map(StoredAssignment::promptId).hasValue(first.promptId());
            assertThat(store.nextAssignment(setId, a)).as("never twice, even after a skip").isEmpty();
        }
    }
}
