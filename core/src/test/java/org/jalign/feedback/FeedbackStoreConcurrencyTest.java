package org.jalign.feedback;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 50 labelers at once, each through their own store connection (as the web app's workers would),
 * each labeling 40 prompts and retrying every submission once: exactly 2,000 labels, none lost,
 * none duplicated, every prompt with its K = 50 labelers.
 */
class FeedbackStoreConcurrencyTest {
    private static final int LABELERS = 50;
    private static final int PROMPTS = 40;

    @TempDir
    Path dir;

    @Test
    void fiftyWritersLoseAndDuplicateNothing() throws Exception {
        Path db = dir.resolve("feedback.db");
        long setId;
        List<Long> labelers = new ArrayList<>();
        try (FeedbackStore store = FeedbackStore.open(db)) {
            setId = store.createSet(StoreFixtures.set("s", LABELERS, 0, 3)).id();
            store.addPrompts(setId, StoreFixtures.prompts("p", PROMPTS, 4));
            for (int i = 0; i < LABELERS; i++) {
                labelers.add(store.createLabeler("l" + i, StoredLabeler.Role.LABELER).labeler().id());
            }
        }
        Map<Long, StoredLabel> acknowledged = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(LABELERS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (long labeler : labelers) {
                futures.add(pool.submit(() -> {
                    start.await();
                    try (FeedbackStore store = FeedbackStore.open(db)) {
                        for (int i = 0; i < PROMPTS; i++) {
                            StoredAssignment next = store.nextAssignment(setId, labeler).orElseThrow();
                            FeedbackStore.LabelSubmission submission = StoreFixtures.submission(next);
                            StoredLabel label = store.submitLabel(labeler, submission);
                            // a browser retrying after a lost response
                            assertThat(store.submitLabel(labeler, submission)).isEqualTo(label);
                            assertThat(acknowledged.put(label.id(), label)).isNull();
                        }
                        assertThat(store.nextAssignment(setId, labeler)).isEmpty();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(acknowledged).hasSize(LABELERS * PROMPTS);
        assertThat(StoreFixtures.count(db, "SELECT count(*) FROM label")).isEqualTo(LABELERS * PROMPTS);
        assertThat(StoreFixtures.count(db, "SELECT count(DISTINCT prompt_id || ':' || labeler_id) FROM label"))
                .isEqualTo(LABELERS * PROMPTS);
        try (FeedbackStore store = FeedbackStore.open(db)) {
            List<StoredLabel> labels = store.labels(setId);
            assertThat(labels).containsExactlyInAnyOrderElementsOf(acknowledged.values());
            Map<Long, Set<Long>> labelersOfPrompt = labels.stream().collect(Collectors.groupingBy(StoredLabel::promptId,
                    Collectors.mapping(StoredLabel::labelerId, Collectors.toCollection(HashSet::new))));
            assertThat(labelersOfPrompt).hasSize(PROMPTS);
            assertThat(labelersOfPrompt.values()).allSatisfy(set -> assertThat(set).hasSize(LABELERS));
            assertThat(store.progress(setId)).allSatisfy(p -> assertThat(p.done()).isEqualTo(PROMPTS));
        }
    }
}
