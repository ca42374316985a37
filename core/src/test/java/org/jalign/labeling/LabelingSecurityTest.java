package org.jalign.labeling;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredAssignment;
import org.jalign.feedback.StoredInvitation;
import org.jalign.feedback.StoredLabel;
import org.jalign.feedback.StoredLabeler;
import org.jalign.feedback.StoredRanking;
import org.jalign.feedback.StoredThumb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The labeling app's guards, each on its own, over loopback HTTP as a browser (or an attacker's
 * page or script) would send it: bind address, cookie attributes, security headers, Origin, CSRF,
 * Content-Type, Host (DNS rebinding), body size, sign-in throttle, invites, roles, assignments,
 * label finality and validation, the stored ranking, thumbs items and the admin routes.
 */
class LabelingSecurityTest {
    @TempDir
    Path dir;

    private FeedbackStore store;
    private LabelingServer server;
    private long rankSet;
    private long thumbsSet;
    private long soloSet;
    private StoredInvitation admin;
    private StoredInvitation alice;
    private StoredInvitation bob;

    @BeforeEach
    void start() {
        store = FeedbackStore.open(dir.resolve("feedback.db"));
        rankSet = store.createSet(LabelingFixtures.set("rank", 2, 7)).id();
        store.addPrompts(rankSet, LabelingFixtures.prompts("r", 6, 3));
        thumbsSet = store.createSet(LabelingFixtures.set("thumbs", 1, 8)).id();
        store.addPrompts(thumbsSet, LabelingFixtures.prompts("t", 3, 1));
        soloSet = store.createSet(LabelingFixtures.set("solo", 1, 9)).id();
        store.addPrompts(soloSet, LabelingFixtures.prompts("s", 6, 2));
        admin = store.createLabeler("root", StoredLabeler.Role.ADMIN);
        alice = store.createLabeler("alice", StoredLabeler.Role.LABELER);
        bob = store.createLabeler("bob", StoredLabeler.Role.LABELER);
        server = LabelingServer.start(store, LabelingConfig.defaults().withPort(0));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        store.close();
    }

    // ---- binding and configuration ---------------------------------------------------------------

    @Test
    void defaultConfigBindsLoopbackOnly() throws IOException {
        assertThat(LabelingConfig.defaults().host()).isEqualTo("127.0.0.1");
        assertThat(server.publicUrl()).isEqualTo(URI.create("http://127.0.0.1:" + server.port()));
        assertThat(new WebClient(server.publicUrl()).get("/").status()).isEqualTo(200);
        // every non-loopback address of this machine refuses the connection: nothing listens there
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    try (Socket s = new Socket()) {
                        assertThatThrownBy(() -> s.connect(new InetSocketAddress(address, server.port()), 10_000))
                                .as("port %d on %s", server.port(), address).isInstanceOf(ConnectException.class);
                    }
                }
            }
        }
    }

    @Test
    void nonLoopbackHostWithoutPublicUrlIsRefused() {
        for (String host : List.of("0.0.0.0", "192.168.1.5", "::")) {
            assertThatThrownBy(() -> LabelingConfig.defaults().withHost(host))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(host).hasMessageContaining("--public-url");
        }
        assertThat(LabelingConfig.defaults().withPublicUrl(URI.create("https://label.example.org")).withHost("0.0.0.0").host())
                .isEqualTo("0.0.0.0");
    }

    // ---- cookies and headers -----------------------------------------------------------------------

    @Test
    void sessionCookieIsHttpOnlyAndSameSiteStrict() {
        WebClient client = new WebClient(server.publicUrl());
        WebClient.Reply reply = client.signIn(alice.inviteToken());
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        String cookie = WebClient.setCookie(reply).orElseThrow();
        List<String> attributes = List.of(cookie.split(";\\s*"));
        assertThat(attributes).contains("HttpOnly", "SameSite=Strict", "Path=/");
        assertThat(attributes).as("plain http: a Secure cookie would never come back").doesNotContain("Secure");
        assertThat(client.csrf).isNotBlank().isNotEqualTo(client.session);
        assertThat(reply.body()).doesNotContain(client.session);
    }

    @Test
    void securityHeadersAreOnPagesApiAnswersAndErrors() {
        WebClient anonymous = new WebClient(server.publicUrl());
        WebClient signedIn = signIn(alice);
        List<WebClient.Reply> replies = List.of(anonymous.get("/"), anonymous.get("/signin"), anonymous.get("/assets/app.js"),
                anonymous.get("/api/me"), signedIn.get("/api/me"), signedIn.get("/api/sets"),
                signedIn.post("/api/sets/" + rankSet + "/labels", "{}"));
        assertThat(replies).extracting(WebClient.Reply::status).containsExactly(200, 200, 200, 401, 200, 200, 400);
        for (WebClient.Reply r : replies) {
            assertThat(r.header("Content-Security-Policy")).as(r.toString()).contains(RequestGuard.CONTENT_SECURITY_POLICY);
            assertThat(r.header("X-Content-Type-Options")).as(r.toString()).contains("nosniff");
            assertThat(r.header("X-Frame-Options")).as(r.toString()).contains("DENY");
        }
        assertThat(RequestGuard.CONTENT_SECURITY_POLICY).contains("script-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline");
        assertThat(signedIn.get("/api/me").header("Cache-Control")).contains("no-store");
    }

    // ---- Origin, CSRF, Content-Type, Host ----------------------------------------------------------

    @Test
    void postWithoutOriginIsRefused() {
        WebClient client = signIn(alice);
        JsonObject item = next(client, rankSet);
        WebClient.Reply reply = client.send(client.request("/api/sets/" + rankSet + "/labels")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(label(item, "[1,2,3]"))));
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.error()).contains("Origin missing");
        assertThat(store.labels(rankSet)).isEmpty();
    }

    @Test
    void postWithForeignOriginIsRefused() {
        WebClient client = signIn(alice);
        JsonObject item = next(client, rankSet);
        for (String origin : List.of("http://evil.example", "http://127.0.0.1:" + (server.port() == 1 ? 2 : 1), "null",
                "https://127.0.0.1:" + server.port())) {
            WebClient.Reply reply = client.send(client.request("/api/sets/" + rankSet + "/labels").header("Origin", origin)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(label(item, "[1,2,3]"))));
            assertThat(reply.status()).as(origin).isEqualTo(403);
            assertThat(reply.error()).contains("cross-origin", origin);
        }
        assertThat(store.labels(rankSet)).isEmpty();
    }

    @Test
    void missingOrWrongCsrfTokenIsRefusedAndStoresNothing() {
        WebClient client = signIn(alice);
        WebClient other = signIn(bob);
        JsonObject item = next(client, rankSet);
        String body = label(item, "[1,2,3]");
        for (String token : new String[]{null, "", "wrong", other.csrf, client.session}) {
            WebClient forged = client.withSession(server.publicUrl());
            forged.csrf = token;
            WebClient.Reply reply = forged.post("/api/sets/" + rankSet + "/labels", body);
            assertThat(reply.status()).as("token %s", token).isEqualTo(403);
            assertThat(reply.error()).contains(RequestGuard.CSRF_HEADER);
        }
        assertThat(store.labels(rankSet)).isEmpty();
        assertThat(client.post("/api/sets/" + rankSet + "/labels", body).status()).isEqualTo(200);
        assertThat(store.labels(rankSet)).hasSize(1);
    }

    @Test
    void nonJsonContentTypeIs415() {
        WebClient client = signIn(alice);
        JsonObject item = next(client, rankSet);
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
            WebClient.Reply reply = client.send(client.request("/api/sets/" + rankSet + "/labels").header("Origin", client.origin)
                    .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(label(item, "[1,2,3]"))));
            assertThat(reply.status()).as(type).isEqualTo(415);
            assertThat(reply.error()).contains("application/json");
        }
        assertThat(store.labels(rankSet)).isEmpty();
    }

    @Test
    void forgedHostHeaderIs421() throws IOException {
        // a DNS-rebinding page: the attacker's name now resolves to 127.0.0.1, the browser sends its Host
        for (String host : List.of("rebind.attacker.example:" + server.port(), "rebind.attacker.example", "127.0.0.2:" + server.port())) {
            String get = raw("GET /api/me HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertThat(statusOf(get)).as(host).isEqualTo(421);
            assertThat(get).contains("does not answer to Host");
            String invite = "{\"invite\":\"" + alice.inviteToken() + "\"}";
            String post = raw("POST /api/signin HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + invite.length()
                    + "\r\nConnection: close\r\n\r\n" + invite);
            assertThat(statusOf(post)).as(host).isEqualTo(421);
        }
        assertThat(store.labeler(alice.labeler().id()).inviteUsedAt()).as("the refused sign-ins used nothing").isNull();
        // the names this server does answer to
        for (String host : List.of("127.0.0.1:" + server.port(), "localhost:" + server.port(), "LOCALHOST:" + server.port())) {
            assertThat(statusOf(raw("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"))).as(host).isEqualTo(200);
        }
    }

    @Test
    void bodyOverTheLimitIs413WithAndWithoutContentLength() {
        server.close();
        server = LabelingServer.start(store, LabelingConfig.defaults().withPort(0).withMaxBodyBytes(4096));
        WebClient client = signIn(alice);
        JsonObject item = next(client, rankSet);
        String comment = "x".repeat(8000);
        JsonObject body = jsonObject(label(item, "[1,2,3]"));
        body.addProperty("comment", comment);
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);

        WebClient.Reply sized = client.send(client.request("/api/sets/" + rankSet + "/labels").header("Origin", client.origin)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
        assertThat(sized.status()).as(sized.toString()).isEqualTo(413);
        assertThat(sized.error()).contains("4096");

        // chunked: no Content-Length for the early check, so the limit must hold while reading
        WebClient.Reply chunked = client.send(client.request("/api/sets/" + rankSet + "/labels").header("Origin", client.origin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));
        assertThat(chunked.status()).as(chunked.toString()).isEqualTo(413);
        assertThat(store.labels(rankSet)).isEmpty();

        // just under the limit is fine
        body.addProperty("comment", "x".repeat(3000));
        assertThat(client.post("/api/sets/" + rankSet + "/labels", body.toString()).status()).isEqualTo(200);
    }

    // ---- sign-in ---------------------------------------------------------------------------------

    @Test
    void signInsPastTheLimitAre429WithRetryAfter() {
        server.close();
        server = LabelingServer.start(store, LabelingConfig.defaults().withPort(0).withSignInsPerMinute(3));
        WebClient client = new WebClient(server.publicUrl());
        for (int i = 0; i < 3; i++) {
            assertThat(client.signIn("guess-" + i).status()).isEqualTo(401);
        }
        WebClient.Reply limited = client.signIn(alice.inviteToken());
        assertThat(limited.status()).isEqualTo(429);
        long retryAfter = Long.parseLong(limited.header("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(limited.error()).contains("too many sign-in attempts");
        // the limit counts the connection's address, not a header the client makes up
        WebClient.Reply spoofed = client.send(client.request("/api/signin").header("Origin", client.origin)
                .header("Content-Type", "application/json").header("X-Forwarded-For", "203.0.113.9")
                .POST(HttpRequest.BodyPublishers.ofString("{\"invite\":\"" + alice.inviteToken() + "\"}")));
        assertThat(spoofed.status()).isEqualTo(429);
        assertThat(store.labeler(alice.labeler().id()).inviteUsedAt()).as("a throttled attempt uses no invite").isNull();
        assertThat(WebClient.sessionCookie(limited)).isEmpty();
    }

    @Test
    void anInviteWorksOnce() {
        assertThat(new WebClient(server.publicUrl()).signIn(alice.inviteToken()).status()).isEqualTo(200);
        WebClient.Reply again = new WebClient(server.publicUrl()).signIn(alice.inviteToken());
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.error()).contains("already used");
        assertThat(WebClient.sessionCookie(again)).isEmpty();
    }

    @Test
    void aDisabledLabelersSessionStopsWorking() {
        WebClient labeler = signIn(alice);
        JsonObject item = next(labeler, rankSet);
        WebClient root = signIn(admin);
        WebClient.Reply disabled = root.post("/api/admin/labelers/" + alice.labeler().id() + "/disabled", "{\"disabled\":true}");
        assertThat(disabled.status()).as(disabled.toString()).isEqualTo(200);
        assertThat(labeler.get("/api/me").status()).isEqualTo(401);
        assertThat(labeler.get("/api/sets/" + rankSet + "/next").status()).isEqualTo(401);
        assertThat(labeler.post("/api/sets/" + rankSet + "/labels", label(item, "[1,2,3]")).status()).isEqualTo(401);
        assertThat(store.labels(rankSet)).isEmpty();
        // re-enabled, the old session stays ended: they need a new invite
        assertThat(root.post("/api/admin/labelers/" + alice.labeler().id() + "/disabled", "{\"disabled\":false}").status())
                .isEqualTo(200);
        assertThat(labeler.get("/api/me").status()).isEqualTo(401);
    }

    // ---- roles and assignments ---------------------------------------------------------------------

    @Test
    void aLabelerCannotCallAdminRoutes() {
        WebClient labeler = signIn(alice);
        int before = store.labelers().size();
        assertThat(labeler.get("/api/admin/labelers").status()).isEqualTo(403);
        assertThat(labeler.get("/api/admin/sets/" + rankSet + "/report").status()).isEqualTo(403);
        assertThat(labeler.post("/api/admin/labelers", "{\"name\":\"mallory\",\"admin\":true}").status()).isEqualTo(403);
        assertThat(labeler.post("/api/admin/labelers/" + bob.labeler().id() + "/invite", "{}").status()).isEqualTo(403);
        assertThat(labeler.post("/api/admin/labelers/" + admin.labeler().id() + "/disabled", "{\"disabled\":true}").status())
                .isEqualTo(403);
        WebClient.Reply instructions = labeler.post("/api/admin/sets/" + rankSet + "/instructions", "{\"text\":\"anything goes\"}");
        assertThat(instructions.status()).isEqualTo(403);
        assertThat(instructions.error()).contains("needs an admin");
        assertThat(store.labelers()).hasSize(before);
        assertThat(store.set(rankSet).instructionsVersion()).isEqualTo(1);
        assertThat(store.labeler(admin.labeler().id()).disabled()).isFalse();
    }

    @Test
    void aLabelerCannotSubmitForAPromptNotAssignedToThemNorSeeOthersItems() {
        WebClient a = signIn(alice);
        WebClient b = signIn(bob);
        JsonObject aliceItem = next(a, soloSet);
        WebClient.Reply stolen = b.post("/api/sets/" + soloSet + "/labels", label(aliceItem, "[1,2]"));
        assertThat(stolen.status()).isEqualTo(404);
        assertThat(stolen.error()).contains("prompt " + aliceItem.get("promptId").getAsLong(), "not assigned to bob");
        assertThat(b.post("/api/sets/" + soloSet + "/labels",
                "{\"promptId\":999999,\"instructionsVersion\":1,\"placements\":[1,2]}").status()).isEqualTo(404);
        assertThat(b.post("/api/sets/999/labels", label(aliceItem, "[1,2]")).status()).isEqualTo(404);
        assertThat(b.post("/api/sets/" + soloSet + "/thumbs",
                "{\"promptId\":" + aliceItem.get("promptId") + ",\"instructionsVersion\":1,\"up\":true}").status()).isEqualTo(404);
        assertThat(store.labels(soloSet)).isEmpty();

        // overlap 1: taking turns they work through the set; no prompt is shown to both
        Set<Long> alicePrompts = new HashSet<>();
        Set<Long> bobPrompts = new HashSet<>();
        boolean more = true;
        while (more) {
            Long ofAlice = labelOne(a, soloSet);
            Long ofBob = labelOne(b, soloSet);
            more = ofAlice != null || ofBob != null;
            if (ofAlice != null) {
                alicePrompts.add(ofAlice);
            }
            if (ofBob != null) {
                bobPrompts.add(ofBob);
            }
        }
        assertThat(bobPrompts).isNotEmpty();
        assertThat(alicePrompts).contains(aliceItem.get("promptId").getAsLong()).doesNotContainAnyElementsOf(bobPrompts);
        assertThat(alicePrompts.size() + bobPrompts.size()).isEqualTo(6);
        assertThat(store.labels(soloSet)).allSatisfy(l -> assertThat(l.labelerId())
                .isEqualTo(alicePrompts.contains(l.promptId()) ? alice.labeler().id() : bob.labeler().id()));
    }

    // ---- labels ------------------------------------------------------------------------------------

    @Test
    void aDifferentSecondLabelIs409AndAnIdenticalRetryIs200() {
        WebClient client = signIn(alice);
        JsonObject item = next(client, rankSet);
        String first = label(item, "[1,2,3]");
        assertThat(client.post("/api/sets/" + rankSet + "/labels", first).status()).isEqualTo(200);
        WebClient.Reply retry = client.post("/api/sets/" + rankSet + "/labels", first);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.object().getAsJsonObject("progress").get("done").getAsInt()).isEqualTo(1);

        for (String other : List.of(label(item, "[3,2,1]"), label(item, "[1,1,\"F\"]"),
                "{\"promptId\":" + item.get("promptId") + ",\"instructionsVersion\":1,\"skip\":true}",
                first.replace("}", ",\"comment\":\"changed my mind\"}"))) {
            WebClient.Reply conflict = client.post("/api/sets/" + rankSet + "/labels", other);
            assertThat(conflict.status()).as(other).isEqualTo(409);
            assertThat(conflict.error()).contains("the first one stands");
        }
        List<StoredLabel> labels = store.labels(rankSet);
        assertThat(labels).hasSize(1);
        assertThat(labels.get(0).ranking().ranks().values()).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void malformedPlacementsAre400NamingTheField() {
        WebClient client = signIn(alice);
        JsonObject item = next(client, rankSet);
        Map<String, String> cases = Map.of(
                "[1,2]", "has 2 entries; the item has 3 completions",
                "[1,2,3,1]", "has 4 entries",
                "[0,1,2]", "entry 1 is 0; expected a rank from 1 (best) to 3",
                "[1,2,4]", "entry 3 is 4",
                "[1,\"X\",2]", "entry 2 is \"X\"",
                "[1,2.5,3]", "entry 2 is 2.5",
                "[1,null,2]", "entry 2 is nothing",
                "\"1,2,3\"", "must be an array",
                "{\"1\":1}", "must be an array");
        cases.forEach((placements, message) -> {
            WebClient.Reply reply = client.post("/api/sets/" + rankSet + "/labels", label(item, placements));
            assertThat(reply.status()).as(placements).isEqualTo(400);
            assertThat(reply.error()).as(placements).contains("\"placements\"", message);
        });
        WebClient.Reply missing = client.post("/api/sets/" + rankSet + "/labels",
                "{\"promptId\":" + item.get("promptId") + ",\"instructionsVersion\":1}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).contains("\"placements\"", "got nothing");
        WebClient.Reply noPrompt = client.post("/api/sets/" + rankSet + "/labels", "{\"instructionsVersion\":1,\"placements\":[1,2,3]}");
        assertThat(noPrompt.status()).isEqualTo(400);
        assertThat(noPrompt.error()).contains("\"promptId\"");
        WebClient.Reply notJson = client.post("/api/sets/" + rankSet + "/labels", "{placements: [1, 2");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.error()).contains("not JSON");
        WebClient.Reply notObject = client.post("/api/sets/" + rankSet + "/labels", "[1,2,3]");
        assertThat(notObject.status()).isEqualTo(400);
        assertThat(notObject.error()).contains("must be a JSON object");
        assertThat(store.labels(rankSet)).isEmpty();
    }

    @Test
    void theStoredRankingMapsShownPositionsToCompletionIds() {
        WebClient client = signIn(alice);
        JsonObject item = next(client, rankSet);
        long promptId = item.get("promptId").getAsLong();
        JsonArray shownTexts = item.getAsJsonArray("completions");
        // the order the page showed is the assignment's, fixed when it was assigned
        StoredAssignment assignment = store.assignment(rankSet, promptId, alice.labeler().id()).orElseThrow();
        Map<String, Long> idByText = LabelingFixtures.completionIdsByText(store, rankSet);
        List<Long> shownIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            shownIds.add(idByText.get(shownTexts.get(i).getAsString()));
            assertThat(assignment.completions().get(i).completionId()).isEqualTo(shownIds.get(i));
        }
        assertThat(client.post("/api/sets/" + rankSet + "/labels", label(item, "[2,\"F\",1]")).status()).isEqualTo(200);

        // by hand: shown 1st → rank 2, shown 2nd → flagged, shown 3rd → rank 1
        StoredRanking expected = StoredRanking.of(Map.of(shownIds.get(0), 2, shownIds.get(2), 1), List.of(shownIds.get(1)));
        List<StoredLabel> labels = store.labels(rankSet);
        assertThat(labels).hasSize(1);
        StoredLabel stored = labels.get(0);
        assertThat(stored.ranking()).isEqualTo(expected);
        assertThat(stored.promptId()).isEqualTo(promptId);
        assertThat(stored.labelerId()).isEqualTo(alice.labeler().id());
        assertThat(stored.instructionsVersion()).isEqualTo(1);
        assertThat(stored.skipped()).isFalse();
        assertThat(stored.comment()).isNull();
    }

    @Test
    void thumbsStoreOneRatingOnAOneCompletionItemAndAreRefusedOnARankedOne() {
        WebClient client = signIn(alice);
        JsonObject item = next(client, thumbsSet);
        assertThat(item.get("mode").getAsString()).isEqualTo("thumbs");
        assertThat(item.getAsJsonArray("completions")).hasSize(1);
        JsonObject before = client.get("/api/sets/" + thumbsSet + "/next").object().getAsJsonObject("progress");
        assertThat(before.get("done").getAsInt()).isZero();
        String thumbs = "{\"promptId\":" + item.get("promptId") + ",\"instructionsVersion\":1,\"up\":false,\"comment\":\"wrong\"}";
        WebClient.Reply rated = client.post("/api/sets/" + thumbsSet + "/thumbs", thumbs);
        assertThat(rated.status()).as(rated.toString()).isEqualTo(200);
        assertThat(rated.object().getAsJsonObject("progress").get("done").getAsInt()).isEqualTo(1);
        assertThat(client.post("/api/sets/" + thumbsSet + "/thumbs", thumbs).status()).as("identical retry").isEqualTo(200);
        assertThat(client.post("/api/sets/" + thumbsSet + "/thumbs", thumbs.replace("false", "true")).status()).isEqualTo(409);

        List<StoredThumb> stored = store.thumbs(thumbsSet);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).completionId())
                .isEqualTo(LabelingFixtures.completionIdsByText(store, thumbsSet).get(item.getAsJsonArray("completions").get(0).getAsString()));
        assertThat(stored.get(0).up()).isFalse();
        assertThat(stored.get(0).comment()).isEqualTo("wrong");
        assertThat(store.progress(thumbsSet, alice.labeler().id()).done()).isEqualTo(1);
        JsonObject nextItem = next(client, thumbsSet);
        assertThat(nextItem.get("promptId").getAsLong()).as("the rated item is done").isNotEqualTo(item.get("promptId").getAsLong());

        JsonObject ranked = next(client, rankSet);
        WebClient.Reply refused = client.post("/api/sets/" + rankSet + "/thumbs",
                "{\"promptId\":" + ranked.get("promptId") + ",\"instructionsVersion\":1,\"up\":true}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.error()).contains("3 completions", "exactly 1");
        assertThat(store.thumbs(rankSet)).isEmpty();
        assertThat(store.progress(rankSet, alice.labeler().id()).done()).isZero();
    }

    // ---- admin -------------------------------------------------------------------------------------

    @Test
    void anAdminCreatesALabelerWhoseLinkSignsIn() {
        WebClient root = signIn(admin);
        WebClient.Reply created = root.post("/api/admin/labelers", "{\"name\":\"  carol \"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String link = created.object().get("inviteLink").getAsString();
        String prefix = server.publicUrl() + "/signin#invite=";
        assertThat(link).startsWith(prefix);
        assertThat(signedIn(root, "carol")).as("invited, not yet signed in").isFalse();
        WebClient carol = new WebClient(server.publicUrl());
        assertThat(carol.signIn(link.substring(prefix.length())).status()).isEqualTo(200);
        assertThat(signedIn(root, "carol")).isTrue();
        JsonObject me = carol.get("/api/me").object();
        assertThat(me.get("name").getAsString()).isEqualTo("carol");
        assertThat(me.get("role").getAsString()).isEqualTo("labeler");
        assertThat(carol.get("/api/admin/labelers").status()).isEqualTo(403);

        assertThat(root.post("/api/admin/labelers", "{\"name\":\"carol\"}").status()).as("names are unique").isEqualTo(400);
        assertThat(root.post("/api/admin/labelers", "{\"name\":\" \"}").error()).contains("\"name\"");
    }

    @Test
    void reinvitingKillsTheOldToken() {
        WebClient root = signIn(admin);
        String prefix = server.publicUrl() + "/signin#invite=";
        JsonObject created = root.post("/api/admin/labelers", "{\"name\":\"carol\"}").object();
        String first = created.get("inviteLink").getAsString().substring(prefix.length());
        WebClient.Reply reissued = root.post("/api/admin/labelers/" + created.get("id").getAsLong() + "/invite", "{}");
        assertThat(reissued.status()).isEqualTo(200);
        String second = reissued.object().get("inviteLink").getAsString().substring(prefix.length());
        assertThat(second).isNotEqualTo(first);
        assertThat(new WebClient(server.publicUrl()).signIn(first).status()).isEqualTo(401);
        assertThat(new WebClient(server.publicUrl()).signIn(second).status()).isEqualTo(200);
        assertThat(root.post("/api/admin/labelers/424242/invite", "{}").status()).isEqualTo(404);
    }

    @Test
    void reinvitingEndsTheSessionsSignedInSoFar() {
        // a leaked link is handled like a password reset: whoever signed in with it is out
        WebClient labeler = signIn(alice);
        assertThat(labeler.get("/api/me").status()).isEqualTo(200);
        WebClient root = signIn(admin);
        assertThat(root.post("/api/admin/labelers/" + alice.labeler().id() + "/invite", "{}").status()).isEqualTo(200);
        assertThat(labeler.get("/api/me").status()).isEqualTo(401);
        assertThat(root.get("/api/me").status()).as("other labelers' sessions are untouched").isEqualTo(200);
    }

    @Test
    void ranksAreStoredRenumberedSoOrderAloneDecidesWhetherTwoLabelsAreTheSame() {
        WebClient client = signIn(alice);
        JsonObject item = next(client, rankSet);
        assertThat(client.post("/api/sets/" + rankSet + "/labels", label(item, "[3,3,1]")).status()).isEqualTo(200);
        // [2,2,1] orders the completions as [3,3,1] does: the same label, so an accepted retry
        assertThat(client.post("/api/sets/" + rankSet + "/labels", label(item, "[2,2,1]")).status()).isEqualTo(200);
        List<StoredLabel> labels = store.labels(rankSet);
        assertThat(labels).hasSize(1);
        long promptId = item.get("promptId").getAsLong();
        var shown = store.assignment(rankSet, promptId, alice.labeler().id()).orElseThrow().completions();
        assertThat(labels.get(0).ranking().ranks()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                shown.get(0).completionId(), 2, shown.get(1).completionId(), 2, shown.get(2).completionId(), 1));
    }

    @Test
    void publishingInstructionsBumpsTheVersionTheNextLabelCarries() {
        WebClient client = signIn(alice);
        JsonObject item = next(client, rankSet);
        assertThat(item.get("instructionsVersion").getAsInt()).isEqualTo(1);
        WebClient root = signIn(admin);
        WebClient.Reply published = root.post("/api/admin/sets/" + rankSet + "/instructions", "{\"text\":\"Prefer short answers.\"}");
        assertThat(published.status()).isEqualTo(200);
        assertThat(published.object().get("version").getAsInt()).isEqualTo(2);
        assertThat(root.post("/api/admin/sets/" + rankSet + "/instructions", "{\"text\":\"Prefer short answers.\"}")
                .object().get("version").getAsInt()).as("the same text is no new version").isEqualTo(2);

        JsonObject reloaded = next(client, rankSet);
        assertThat(reloaded.get("promptId")).as("the same open item").isEqualTo(item.get("promptId"));
        assertThat(reloaded.get("instructionsVersion").getAsInt()).isEqualTo(2);
        assertThat(reloaded.get("instructions").getAsString()).isEqualTo("Prefer short answers.");

        WebClient.Reply future = client.post("/api/sets/" + rankSet + "/labels", label(item, "[1,2,3]").replace(
                "\"instructionsVersion\":1", "\"instructionsVersion\":3"));
        assertThat(future.status()).isEqualTo(400);
        assertThat(future.error()).contains("no instructions version 3");
        assertThat(client.post("/api/sets/" + rankSet + "/labels", label(reloaded, "[1,2,3]")).status()).isEqualTo(200);
        assertThat(store.labels(rankSet)).singleElement().extracting(StoredLabel::instructionsVersion).isEqualTo(2);
    }

    @Test
    void aLabelFromAPageLoadedUnderTheOldInstructionsRecordsTheOldVersion() {
        // the store keeps the version the page showed (provenance), rather than refusing the work
        WebClient client = signIn(alice);
        JsonObject item = next(client, rankSet);
        store.updateInstructions(rankSet, "Prefer short answers.");
        assertThat(client.post("/api/sets/" + rankSet + "/labels", label(item, "[1,2,3]")).status()).isEqualTo(200);
        assertThat(store.labels(rankSet)).singleElement().extracting(StoredLabel::instructionsVersion).isEqualTo(1);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private WebClient signIn(StoredInvitation invitation) {
        WebClient client = new WebClient(server.publicUrl());
        WebClient.Reply reply = client.signIn(invitation.inviteToken());
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return client;
    }

    /** The admin list's "signedIn" for the labeler named {@code name}. */
    private static boolean signedIn(WebClient admin, String name) {
        WebClient.Reply reply = admin.get("/api/admin/labelers");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        for (var element : reply.json().getAsJsonArray()) {
            JsonObject labeler = element.getAsJsonObject();
            if (labeler.get("name").getAsString().equals(name)) {
                return labeler.get("signedIn").getAsBoolean();
            }
        }
        throw new AssertionError("no labeler " + name + " in " + reply);
    }

    private static JsonObject next(WebClient client, long setId) {
        WebClient.Reply reply = client.get("/api/sets/" + setId + "/next");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.object().get("item").isJsonObject()).as(reply.toString()).isTrue();
        return reply.object().getAsJsonObject("item");
    }

    /** A ranking submission for the item, with placements as JSON text. */
    private static String label(JsonObject item, String placements) {
        return "{\"promptId\":" + item.get("promptId") + ",\"instructionsVersion\":" + item.get("instructionsVersion")
                + ",\"placements\":" + placements + "}";
    }

    private static JsonObject jsonObject(String json) {
        return com.google.gson.JsonParser.parseString(json).getAsJsonObject();
    }

    /** Labels the client's next item in the set (first shown best); its prompt id, or null when none is left. */
    private static Long labelOne(WebClient client, long setId) {
        WebClient.Reply next = client.get("/api/sets/" + setId + "/next");
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.object().has("item")).as("\"item\": null when done, not absent: " + next).isTrue();
        if (next.object().get("item").isJsonNull()) {
            return null;
        }
        JsonObject item = next.object().getAsJsonObject("item");
        StringBuilder placements = new StringBuilder("[");
        for (int i = 1; i <= item.getAsJsonArray("completions").size(); i++) {
            placements.append(i == 1 ? "" : ",").append(i);
        }
        assertThat(client.post("/api/sets/" + setId + "/labels", label(item, placements + "]")).status()).isEqualTo(200);
        return item.get("promptId").getAsLong();
    }

    /** One raw HTTP/1.1 exchange: HttpClient will not send a forged Host. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(120_000); // against hangs only
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int statusOf(String response) {
        assertThat(response).startsWith("HTTP/1.1 ");
        return Integer.parseInt(response.substring(9, 12));
    }
}
