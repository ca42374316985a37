package org.jalign.labeling;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.javalin.http.Context;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredAssignment;
import org.jalign.feedback.StoredLabeler;
import org.jalign.feedback.StoredProgress;
import org.jalign.feedback.StoredRanking;
import org.jalign.feedback.StoredSession;
import org.jalign.feedback.StoredSet;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a labeler's page calls: sign in and out, who am I, my sets, my next item, submit a ranking,
 * a skip or a thumbs rating.
 *
 * <p>The browser names completions by their place in the shown order (1..N), never by database
 * id (ids grow in storage order and would unblind it); positions are mapped back to ids through
 * {@link FeedbackStore#assignment}, whose order was fixed when the item was assigned.
 */
final class LabelerApi {
    private final FeedbackStore store;
    private final RequestGuard guard;
    private final SignInThrottle throttle;
    private final Duration sessionLifetime;

    LabelerApi(FeedbackStore store, RequestGuard guard, SignInThrottle throttle, Duration sessionLifetime) {
        this.store = store;
        this.guard = guard;
        this.throttle = throttle;
        this.sessionLifetime = sessionLifetime;
    }

    /** POST /api/signin {"invite": TOKEN}: redeems a one-time invite and starts a session. */
    void signIn(Context ctx) {
        long wait = throttle.tryAcquire(ctx.ip());
        if (wait > 0) {
            ctx.header("Retry-After", Long.toString(wait));
            throw new WebError(429, "too many sign-in attempts from this address; try again in " + wait + " s");
        }
        String invite = JsonBody.of(ctx).optionalString("invite");
        Optional<StoredSession> session = store.redeemInvite(invite, sessionLifetime);
        if (session.isEmpty()) {
            throw new WebError(401, "this invite link is unknown, already used, or its labeler is disabled; "
                    + "ask an admin for a new one");
        }
        guard.startSession(ctx, session.get().sessionToken());
        ctx.json(me(session.get().labeler(), session.get().sessionToken()));
    }

    /** POST /api/signout. */
    void signOut(Context ctx) {
        guard.requireLabeler(ctx);
        store.endSession(RequestGuard.sessionToken(ctx));
        guard.endSession(ctx);
        ctx.json(new JsonObject());
    }

    /** GET /api/me: the labeler and the CSRF token the page must send with every change. */
    void me(Context ctx) {
        StoredLabeler labeler = guard.requireLabeler(ctx);
        ctx.json(me(labeler, RequestGuard.sessionToken(ctx)));
    }

    private static JsonObject me(StoredLabeler labeler, String sessionToken) {
        JsonObject me = new JsonObject();
        me.addProperty("id", labeler.id());
        me.addProperty("name", labeler.name());
        me.addProperty("role", labeler.role().name().toLowerCase(java.util.Locale.ROOT));
        me.addProperty("csrf", RequestGuard.csrfToken(sessionToken));
        return me;
    }

    /** GET /api/sets: every set with this labeler's progress in it. */
    void sets(Context ctx) {
        StoredLabeler labeler = guard.requireLabeler(ctx);
        JsonArray sets = new JsonArray();
        for (StoredSet set : store.sets()) {
            JsonObject s = new JsonObject();
            s.addProperty("id", set.id());
            s.addProperty("name", set.name());
            s.addProperty("criterion", set.criterion().toLowerCase(java.util.Locale.ROOT));
            s.add("progress", progress(store.progress(set.id(), labeler.id())));
            sets.add(s);
        }
        ctx.json(sets);
    }

    /** GET /api/sets/{set}/next: the labeler's open or next item, or {"item": null} when done. */
    void next(Context ctx) {
        StoredLabeler labeler = guard.requireLabeler(ctx);
        StoredSet set = set(ctx);
        Optional<StoredAssignment> next = store.nextAssignment(set.id(), labeler.id());
        JsonObject answer = new JsonObject();
        answer.add("item", next.map(LabelerApi::item).orElse(null));
        answer.add("progress", progress(store.progress(set.id(), labeler.id())));
        ctx.json(answer); // the app's Gson keeps null members: a script reads "item": null as "done"
    }

    private static JsonObject item(StoredAssignment a) {
        JsonObject item = new JsonObject();
        item.addProperty("promptId", a.promptId());
        item.addProperty("prompt", a.promptText());
        item.addProperty("criterion", a.criterion().toLowerCase(java.util.Locale.ROOT));
        item.addProperty("criterionText", a.criterionText());
        item.addProperty("instructionsVersion", a.instructionsVersion());
        item.addProperty("instructions", a.instructionsText());
        item.addProperty("mode", a.completions().size() == 1 ? "thumbs" : "rank");
        JsonArray completions = new JsonArray();
        for (StoredAssignment.ShownCompletion c : a.completions()) {
            completions.add(c.text());
        }
        item.add("completions", completions);
        return item;
    }

    /**
     * POST /api/sets/{set}/labels: {"promptId", "instructionsVersion", "placements": [1, 2, 2, "F"],
     * "comment"} ranks the item, placements given in shown order (a number is a rank, 1 = best,
     * equal numbers tie; "F" flags); {"promptId", "instructionsVersion", "skip": true} skips it.
     */
    void label(Context ctx) {
        StoredLabeler labeler = guard.requireLabeler(ctx);
        StoredSet set = set(ctx);
        JsonBody body = JsonBody.of(ctx);
        StoredAssignment assignment = assignment(set, body.requiredLong("promptId"), labeler);
        int version = body.requiredInt("instructionsVersion");
        String comment = body.optionalString("comment");
        FeedbackStore.LabelSubmission submission;
        if (body.optionalBoolean("skip")) {
            submission = FeedbackStore.LabelSubmission.skip(assignment.promptId(), version, comment);
        } else {
            submission = new FeedbackStore.LabelSubmission(assignment.promptId(), version,
                    ranking(body, assignment), comment);
        }
        store.submitLabel(labeler.id(), submission);
        JsonObject answer = new JsonObject();
        answer.add("progress", progress(store.progress(set.id(), labeler.id())));
        ctx.json(answer);
    }

    /** POST /api/sets/{set}/thumbs: {"promptId", "instructionsVersion", "up": true|false, "comment"}. */
    void thumbs(Context ctx) {
        StoredLabeler labeler = guard.requireLabeler(ctx);
        StoredSet set = set(ctx);
        JsonBody body = JsonBody.of(ctx);
        StoredAssignment assignment = assignment(set, body.requiredLong("promptId"), labeler);
        store.rateAssigned(labeler.id(), assignment.promptId(), body.requiredBoolean("up"),
                body.requiredInt("instructionsVersion"), body.optionalString("comment"));
        JsonObject answer = new JsonObject();
        answer.add("progress", progress(store.progress(set.id(), labeler.id())));
        ctx.json(answer);
    }

    private static StoredRanking ranking(JsonBody body, StoredAssignment assignment) {
        JsonElement field = body.optional("placements");
        if (field == null || !field.isJsonArray()) {
            throw WebError.badRequest("field \"placements\" must be an array with one entry per completion "
                    + "(a rank 1..N or \"F\"), got " + JsonBody.describe(field));
        }
        JsonArray placements = field.getAsJsonArray();
        List<StoredAssignment.ShownCompletion> shown = assignment.completions();
        if (placements.size() != shown.size()) {
            throw WebError.badRequest("field \"placements\" has " + placements.size() + " entries; the item has "
                    + shown.size() + " completions");
        }
        Map<Long, Integer> ranks = new HashMap<>();
        Set<Long> flagged = new HashSet<>();
        for (int i = 0; i < placements.size(); i++) {
            JsonElement p = placements.get(i);
            long id = shown.get(i).completionId();
            if (p.isJsonPrimitive() && p.getAsJsonPrimitive().isString()
                    && (p.getAsString().equalsIgnoreCase("F") || p.getAsString().equalsIgnoreCase("flag"))) {
                flagged.add(id);
            } else if (p.isJsonPrimitive() && p.getAsJsonPrimitive().isNumber()
                    && p.getAsDouble() == Math.rint(p.getAsDouble())
                    && p.getAsDouble() >= 1 && p.getAsDouble() <= shown.size()) {
                ranks.put(id, p.getAsInt());
            } else {
                throw WebError.badRequest("field \"placements\" entry " + (i + 1) + " is " + JsonBody.describe(p)
                        + "; expected a rank from 1 (best) to " + shown.size() + ", or \"F\" to flag it");
            }
        }
        return StoredRanking.of(denseRanks(ranks), flagged);
    }

    /**
     * Renumbers ranks 1, 2, 3… keeping their order and ties ([3, 3, 5] → [1, 1, 2]): only the order
     * means anything, so two submissions that order the completions alike store the same label.
     */
    static Map<Long, Integer> denseRanks(Map<Long, Integer> ranks) {
        java.util.TreeSet<Integer> distinct = new java.util.TreeSet<>(ranks.values());
        Map<Integer, Integer> renumbered = new HashMap<>();
        int next = 1;
        for (int rank : distinct) {
            renumbered.put(rank, next++);
        }
        Map<Long, Integer> dense = new HashMap<>();
        ranks.forEach((id, rank) -> dense.put(id, renumbered.get(rank)));
        return dense;
    }

    private StoredSet set(Context ctx) {
        return set(ctx, store);
    }

    /** The set named by the {@code {set}} path parameter, or 404. */
    static StoredSet set(Context ctx, FeedbackStore store) {
        String raw = ctx.pathParam("set");
        return store.sets().stream().filter(s -> Long.toString(s.id()).equals(raw)).findFirst()
                .orElseThrow(() -> WebError.notFound("there is no feedback set \"" + raw + "\""));
    }

    private StoredAssignment assignment(StoredSet set, long promptId, StoredLabeler labeler) {
        return store.assignment(set.id(), promptId, labeler.id()).orElseThrow(() -> WebError.notFound(
                "prompt " + promptId + " is not assigned to " + labeler.name() + " in set \"" + set.name() + "\""));
    }

    static JsonObject progress(StoredProgress progress) {
        JsonObject p = new JsonObject();
        p.addProperty("done", progress.done());
        p.addProperty("assigned", progress.assigned());
        return p;
    }
}
