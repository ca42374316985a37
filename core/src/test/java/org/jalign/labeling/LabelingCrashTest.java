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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5: a label acknowledged to the browser survives kill -9 of the server. {@code jalign
 * feedback serve} runs in a child JVM; labelers submit over HTTP from several threads; the test
 * SIGKILLs the child mid-stream, then finds every label answered 2xx before the kill in the
 * database exactly as sent, the file intact, and a server restarted on it honouring the same
 * session cookies and handing out the next item.
 */
class LabelingCrashTest {
    private static final int LABELERS = 4;
    private static final int PROMPTS = 2_000;
    private static final int ACKS_BEFORE_KILL = 80;
    private static final Pattern LISTENING = Pattern.compile("^feedback serve: .* on (http://127\\.0\\.0\\.1:\\d+) ");

    @TempDir
    Path dir;

    /** A label answered 2xx: who, which prompt, the texts shown in order and the placements sent. */
    record Ack(long labelerId, long promptId, List<String> shownTexts, JsonArray placements) {
    }

    @Test
    void everyAcknowledgedLabelSurvivesSigkillOfTheServer() throws Exception {
        Path db = dir.resolve("feedback.db");
        long setId;
        List<StoredInvitation> invites = new ArrayList<>();
        try (FeedbackStore store = FeedbackStore.open(db)) {
            setId = store.createSet(LabelingFixtures.set("crash", 1, 5)).id();
            store.addPrompts(setId, LabelingFixtures.prompts("p", PROMPTS, 3));
            for (int i = 0; i < LABELERS; i++) {
                invites.add(store.createLabeler("labeler-" + i, StoredLabeler.Role.LABELER));
            }
        }

        // 1. the first server: no admin yet, so it makes one and prints the link on stdout
        Child first = Child.start(db, dir.resolve("first"));
        URI url = first.url();
        String adminLink = first.stdoutLine();
        assertThat(adminLink).startsWith(url + "/signin#invite=");
        WebClient admin = new WebClient(url);
        assertThat(admin.signIn(adminLink.substring(adminLink.indexOf("#invite=") + 8)).status()).isEqualTo(200);
        assertThat(admin.get("/api/me").object().get("role").getAsString()).isEqualTo("admin");
        List<WebClient> clients = new ArrayList<>();
        for (StoredInvitation invite : invites) {
            WebClient client = new WebClient(url);
            WebClient.Reply reply = client.signIn(invite.inviteToken());
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            clients.add(client);
        }

        // 2. labelers submit until the server is killed; a 2xx answer is an acknowledgement
        Queue<Ack> acknowledged = new ConcurrentLinkedQueue<>();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch enoughAcks = new CountDownLatch(ACKS_BEFORE_KILL);
        AtomicBoolean killed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(LABELERS);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < LABELERS; i++) {
                WebClient client = clients.get(i);
                long labelerId = invites.get(i).labeler().id();
                SplittableRandom random = new SplittableRandom(100 + i);
                futures.add(pool.submit(() -> submitUntilKilled(client, setId, labelerId, random, acknowledged, failures,
                        enoughAcks, killed)));
            }
            assertThat(enoughAcks.await(10, TimeUnit.MINUTES)).as("acknowledgements (against a hang only); failures "
                    + failures + "; see " + first.stderrFile).isTrue();
            killed.set(true);
            first.process.destroyForcibly(); // SIGKILL, with submissions in flight
            assertThat(first.process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures).as("nothing but acknowledgements before the kill").isEmpty();
        assertThat(acknowledged.size()).isGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

        // 3. every acknowledged label is there, exactly as sent; the file is intact
        List<Ack> acks = new ArrayList<>(acknowledged);
        int storedAfterKill;
        try (FeedbackStore store = FeedbackStore.open(db)) {
            Map<String, Long> idByText = LabelingFixtures.completionIdsByText(store, setId);
            Map<String, StoredLabel> stored = new HashMap<>();
            store.labels(setId).forEach(l -> stored.put(l.promptId() + "/" + l.labelerId(), l));
            for (Ack ack : acks) {
                StoredLabel label = stored.get(ack.promptId() + "/" + ack.labelerId());
                assertThat(label).as("acknowledged %s", ack).isNotNull();
                assertThat(label.ranking()).as("%s", ack).isEqualTo(expectedRanking(ack, idByText));
            }
            storedAfterKill = stored.size();
            assertThat(storedAfterKill).as("at most the in-flight ones beyond the acknowledged")
                    .isBetween(acks.size(), acks.size() + LABELERS).isLessThan(PROMPTS);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }

        // 4. a server restarted on the file takes the same cookies and hands out the next item
        Child second = Child.start(db, dir.resolve("second"));
        try {
            URI restarted = second.url();
            for (int i = 0; i < LABELERS; i++) {
                WebClient client = clients.get(i).withSession(restarted);
                WebClient.Reply me = client.get("/api/me");
                assertThat(me.status()).as(me.toString()).isEqualTo(200);
                assertThat(me.object().get("name").getAsString()).isEqualTo("labeler-" + i);
                assertThat(me.object().get("csrf").getAsString()).isEqualTo(clients.get(i).csrf);
                WebClient.Reply next = client.get("/api/sets/" + setId + "/next");
                assertThat(next.status()).isEqualTo(200);
                JsonObject item = next.object().getAsJsonObject("item");
                JsonObject body = new JsonObject();
                body.add("promptId", item.get("promptId"));
                body.add("instructionsVersion", item.get("instructionsVersion"));
                body.add("placements", LabelingLoadTest.randomPlacements(3, new SplittableRandom(i)));
                WebClient.Reply submitted = client.post("/api/sets/" + setId + "/labels", body.toString());
                assertThat(submitted.status()).as(submitted.toString()).isEqualTo(200);
            }
            assertThat(admin.withSession(restarted).get("/api/admin/labelers").status()).isEqualTo(200);
        } finally {
            second.process.destroy(); // a normal stop (SIGTERM runs the shutdown hook)
            assertThat(second.process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(second.stdout.toString()).as("an admin exists now: no second admin link").isBlank();
        try (FeedbackStore store = FeedbackStore.open(db)) {
            assertThat(store.labels(setId)).hasSize(storedAfterKill + LABELERS);
            assertThat(store.labelers()).filteredOn(l -> l.role() == StoredLabeler.Role.ADMIN).hasSize(1);
        }
    }

    /** One labeler's loop: next → submit until the server goes away. */
    private static Object submitUntilKilled(WebClient client, long setId, long labelerId, SplittableRandom random,
                                            Queue<Ack> acknowledged, Queue<String> failures, CountDownLatch enoughAcks,
                                            AtomicBoolean killed) {
        try {
            while (true) {
                WebClient.Reply next = client.get("/api/sets/" + setId + "/next");
                if (next.status() != 200) {
                    failures.add("next: " + next);
                    return null;
                }
                JsonObject item = next.object().getAsJsonObject("item");
                List<String> shown = new ArrayList<>();
                item.getAsJsonArray("completions").forEach(c -> shown.add(c.getAsString()));
                JsonArray placements = LabelingLoadTest.randomPlacements(shown.size(), random);
                JsonObject body = new JsonObject();
                body.add("promptId", item.get("promptId"));
                body.add("instructionsVersion", item.get("instructionsVersion"));
                body.add("placements", placements);
                WebClient.Reply submitted = client.post("/api/sets/" + setId + "/labels", body.toString());
                if (submitted.status() / 100 != 2) {
                    failures.add("submit: " + submitted);
                    return null;
                }
                acknowledged.add(new Ack(labelerId, item.get("promptId").getAsLong(), shown, placements));
                enoughAcks.countDown();
            }
        } catch (UncheckedIOException e) {
            if (!killed.get()) {
                failures.add("I/O error while the server was up: " + e.getCause());
            }
            return null; // the server was killed under this request: it was never acknowledged
        }
    }

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

    /** {@code jalign feedback serve --db DB --port 0} in a child JVM with the test's classpath. */
    private static final class Child {
        final Process process;
        final Path stderrFile;
        final StringBuffer stdout = new StringBuffer();
        final CompletableFuture<URI> url = new CompletableFuture<>();
        final CompletableFuture<String> firstStdoutLine = new CompletableFuture<>();

        private Child(Process process, Path stderrFile) {
            this.process = process;
            this.stderrFile = stderrFile;
        }

        static Child start(Path db, Path logs) throws IOException {
            java.nio.file.Files.createDirectories(logs);
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), "org.jalign.cli.Main",
                    "feedback", "serve", "--db", db.toString(), "--port", "0").start();
            Child child = new Child(p, logs.resolve("stderr.txt"));
            StringBuffer stderr = new StringBuffer();
            drain(p.getErrorStream(), line -> {
                stderr.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    child.url.complete(URI.create(m.group(1)));
                }
            }, () -> {
                child.url.completeExceptionally(new AssertionError("the server printed no URL: " + stderr));
                try {
                    java.nio.file.Files.writeString(child.stderrFile, stderr);
                } catch (IOException ignored) {
                    // only a log for a failing test
                }
            });
            drain(p.getInputStream(), line -> {
                child.stdout.append(line).append('\n');
                child.firstStdoutLine.complete(line);
            }, () -> child.firstStdoutLine.completeExceptionally(new AssertionError("no stdout: " + stderr)));
            return child;
        }

        URI url() throws Exception {
            return url.get(5, TimeUnit.MINUTES); // against a hang only
        }

        String stdoutLine() throws Exception {
            return firstStdoutLine.get(5, TimeUnit.MINUTES);
        }

        private static void drain(InputStream stream, java.util.function.Consumer<String> onLine, Runnable atEnd) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        onLine.accept(line);
                    }
                } catch (IOException ignored) {
                    // the child died; what was read is kept
                } finally {
                    atEnd.run();
                }
            }, "child-output");
            t.setDaemon(true);
            t.start();
        }
    }
}
