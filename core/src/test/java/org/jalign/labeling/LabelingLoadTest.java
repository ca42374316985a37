package org.jalign.labeling;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredInvitation;
import org.jalign.feedback.StoredLabel;
import org.jalign.feedback.StoredLabeler;
import org.jalign.feedback.StoredRanking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5's load target: 50 labelers at once over loopback HTTP submit 2,000 labels (400 prompts,
 * overlap 5) through the whole stack (sign-in, next, submit), re-sending about 10% of their
 * submissions as a browser does after a lost answer. Nothing may be lost or duplicated: every
 * acknowledged label is in the database exactly as sent, and nothing answered 5xx.
 *
 * <p>Each labeler works until the app has nothing more for them, so the per-labeler counts vary
 * around 40 while the total is fixed by the set (400 × 5). Elapsed time and throughput are printed
 * for the record, never asserted (the test shares two cores with other builds).
 */
class LabelingLoadTest {
    private static final int LABELERS = 50;
    private static final int PROMPTS = 400;
    private static final int OVERLAP = 5;
    private static final double RETRY_RATE = 0.1;
    private static final long SEED = 20_250_705L;

    @TempDir
    Path dir;

    /** One acknowledged submission: who, which prompt, the texts shown in order, what was sent. */
    record Ack(long labelerId, long promptId, List<String> shownTexts, JsonArray placements, String comment) {
    }

    @Test
    void fiftyConcurrentLabelersSubmit2000LabelsWithNoneLostOrDuplicated() throws Exception {
        Path db = dir.resolve("feedback.db");
        try (FeedbackStore store = FeedbackStore.open(db)) {
            long setId = store.createSet(LabelingFixtures.set("load", OVERLAP, SEED)).id();
            List<FeedbackStore.NewPrompt> prompts = new ArrayList<>();
            for (int n = 2; n <= 4; n++) { // 2, 3 and 4 completions per prompt
                prompts.addAll(LabelingFixtures.prompts("n" + n + "-", n == 2 ? 134 : 133, n));
            }
            assertThat(prompts).hasSize(PROMPTS);
            store.addPrompts(setId, prompts);
            List<StoredInvitation> invites = new ArrayList<>();
            for (int i = 0; i < LABELERS; i++) {
                invites.add(store.createLabeler("labeler-" + i, StoredLabeler.Role.LABELER));
            }

            Queue<Ack> acknowledged = new ConcurrentLinkedQueue<>();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger retries = new AtomicInteger();
            AtomicInteger requests = new AtomicInteger();
            long elapsedNanos;
            try (LabelingServer server = LabelingServer.start(store,
                    LabelingConfig.defaults().withPort(0).withSignInsPerMinute(10 * LABELERS))) {
                CountDownLatch signedIn = new CountDownLatch(LABELERS);
                CountDownLatch go = new CountDownLatch(1);
                ExecutorService pool = Executors.newFixedThreadPool(LABELERS);
                List<Future<?>> futures = new ArrayList<>();
                long[] started = new long[1];
                try {
                    for (int i = 0; i < LABELERS; i++) {
                        StoredInvitation invite = invites.get(i);
                        SplittableRandom random = new SplittableRandom(SEED + i);
                        futures.add(pool.submit(() -> {
                            WebClient client = new WebClient(server.publicUrl());
                            WebClient.Reply signIn = client.signIn(invite.inviteToken());
                            signedIn.countDown();
                            if (signIn.status() != 200) {
                                failures.add("sign-in of " + invite.labeler().name() + ": " + signIn);
                                return null;
                            }
                            go.await();
                            label(client, setId, invite.labeler().id(), random, acknowledged, failures, retries, requests);
                            return null;
                        }));
                    }
                    signedIn.await();
                    started[0] = System.nanoTime();
                    go.countDown();
                    for (Future<?> f : futures) {
                        f.get(15, TimeUnit.MINUTES); // against a hang only
                    }
                    elapsedNanos = System.nanoTime() - started[0];
                } finally {
                    pool.shutdownNow();
                }
            }
            double seconds = elapsedNanos / 1e9;
            IntSummaryStatistics perLabeler = countsPerLabeler(acknowledged);
            System.out.printf(java.util.Locale.ROOT, "LabelingLoadTest: %d labelers, %d labels (+%d identical re-sends, "
                            + "%d requests) in %.1f s = %.0f labels/s, %.0f requests/s; per labeler %d..%d%n",
                    LABELERS, acknowledged.size(), retries.get(), requests.get(), seconds, acknowledged.size() / seconds,
                    requests.get() / seconds, perLabeler.getMin(), perLabeler.getMax());

            assertThat(failures).as("no 5xx, no refusals").isEmpty();
            assertThat(acknowledged).hasSize(PROMPTS * OVERLAP);
            assertThat(retries.get()).as("some re-sends happened").isGreaterThan(100);

            // every acknowledged label is stored exactly as sent: shown positions mapped by text to ids
            Map<String, Long> idByText = LabelingFixtures.completionIdsByText(store, setId);
            Map<String, StoredLabel> stored = new HashMap<>();
            for (StoredLabel l : store.labels(setId)) {
                assertThat(stored.put(l.promptId() + "/" + l.labelerId(), l)).as("one label per item and labeler").isNull();
            }
            for (Ack ack : acknowledged) {
                StoredLabel label = stored.get(ack.promptId() + "/" + ack.labelerId());
                assertThat(label).as("acknowledged %s", ack).isNotNull();
                assertThat(label.ranking()).as("%s", ack).isEqualTo(expectedRanking(ack, idByText));
                assertThat(label.comment()).isEqualTo(ack.comment());
                assertThat(label.skipped()).isFalse();
            }
            assertThat(stored).hasSize(PROMPTS * OVERLAP);
            Map<Long, Set<Long>> labelersByPrompt = new HashMap<>();
            stored.values().forEach(l -> labelersByPrompt.computeIfAbsent(l.promptId(), p -> new HashSet<>()).add(l.labelerId()));
            assertThat(labelersByPrompt).hasSize(PROMPTS);
            assertThat(labelersByPrompt.values()).allSatisfy(labelers -> assertThat(labelers).hasSize(OVERLAP));
        }
        // and counted by SQL on the file, outside the store
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath()); Statement s = c.createStatement()) {
            assertThat(count(s, "SELECT count(*) FROM label")).isEqualTo(PROMPTS * OVERLAP);
            assertThat(count(s, "SELECT count(*) FROM (SELECT DISTINCT prompt_id, labeler_id FROM label)")).isEqualTo(PROMPTS * OVERLAP);
            assertThat(count(s, "SELECT count(*) FROM (SELECT prompt_id FROM label GROUP BY prompt_id HAVING count(*) <> "
                    + OVERLAP + ")")).isZero();
            assertThat(count(s, "SELECT count(*) FROM assignment")).as("no assignment left open").isEqualTo(PROMPTS * OVERLAP);
        }
    }

    /** One labeler's loop: next → submit until the app has nothing more, re-sending ~10% identically. */
    private static void label(WebClient client, long setId, long labelerId, SplittableRandom random, Queue<Ack> acknowledged,
                              Queue<String> failures, AtomicInteger retries, AtomicInteger requests) {
        while (true) {
            WebClient.Reply next = client.get("/api/sets/" + setId + "/next");
            requests.incrementAndGet();
            if (next.status() != 200) {
                failures.add("next for labeler " + labelerId + ": " + next);
                return;
            }
            if (next.object().get("item").isJsonNull()) {
                return;
            }
            JsonObject item = next.object().getAsJsonObject("item");
            List<String> shown = new ArrayList<>();
            item.getAsJsonArray("completions").forEach(c -> shown.add(c.getAsString()));
            JsonArray placements = randomPlacements(shown.size(), random);
            String comment = random.nextDouble() < 0.1 ? "naïve ✓ " + random.nextInt(1000) : null;
            JsonObject body = new JsonObject();
            body.add("promptId", item.get("promptId"));
            body.add("instructionsVersion", item.get("instructionsVersion"));
            body.add("placements", placements);
            if (comment != null) {
                body.addProperty("comment", comment);
            }
            WebClient.Reply submitted = client.post("/api/sets/" + setId + "/labels", body.toString());
            requests.incrementAndGet();
            if (submitted.status() / 100 != 2) {
                failures.add("submit by labeler " + labelerId + ": " + submitted);
                return;
            }
            acknowledged.add(new Ack(labelerId, item.get("promptId").getAsLong(), shown, placements, comment));
            if (random.nextDouble() < RETRY_RATE) { // the answer "got lost": the page sends the same again
                WebClient.Reply again = client.post("/api/sets/" + setId + "/labels", body.toString());
                requests.incrementAndGet();
                retries.incrementAndGet();
                if (again.status() != 200 || !again.body().equals(submitted.body())) {
                    failures.add("identical re-send by labeler " + labelerId + ": " + again + " after " + submitted);
                    return;
                }
            }
        }
    }

    /**
     * Random valid placements in shown order: a random order of preference, ~25% of ranks tied with
     * the one before, ~10% of completions flagged.
     */
    static JsonArray randomPlacements(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        JsonPrimitive[] placed = new JsonPrimitive[n];
        int rank = 0;
        for (int position : order) {
            if (random.nextDouble() < 0.1) {
                placed[position] = new JsonPrimitive("F");
            } else {
                if (rank == 0 || random.nextDouble() >= 0.25) {
                    rank++;
                }
                placed[position] = new JsonPrimitive(rank);
            }
        }
        JsonArray placements = new JsonArray();
        for (JsonPrimitive p : placed) {
            placements.add(p);
        }
        return placements;
    }

    /** The ranking a submission means, by hand: shown position i names the completion with text shownTexts[i]. */
    private static StoredRanking expectedRanking(Ack ack, Map<String, Long> idByText) {
        Map<Long, Integer> ranks = new HashMap<>();
        List<Long> flagged = new ArrayList<>();
        for (int i = 0; i < ack.shownTexts().size(); i++) {
            long id = idByText.get(ack.shownTexts().get(i));
            JsonPrimitive p = ack.placements().get(i).getAsJsonPrimitive();
            if (p.isString()) {
                flagged.add(id);
            } else {
                ranks.put(id, p.getAsInt());
            }
        }
        return StoredRanking.of(ranks, flagged);
    }

    private static IntSummaryStatistics countsPerLabeler(Queue<Ack> acknowledged) {
        Map<Long, Integer> counts = new HashMap<>();
        acknowledged.forEach(a -> counts.merge(a.labelerId(), 1, Integer::sum));
        return counts.values().stream().mapToInt(Integer::intValue).summaryStatistics();
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
