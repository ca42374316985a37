package org.jalign.labeling;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.javalin.http.Context;
import org.jalign.feedback.ConsensusMethod;
import org.jalign.feedback.FeedbackAnalysis;
import org.jalign.feedback.FeedbackReport;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredInvitation;
import org.jalign.feedback.StoredLabeler;
import org.jalign.feedback.StoredProgress;
import org.jalign.feedback.StoredSet;

import java.net.URI;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What an admin's page calls: list labelers with their progress, invite a new labeler (or
 * re-invite one who lost the link), disable or re-enable one, publish a new version of a set's
 * instructions, and read the agreement report ({@link FeedbackReport}'s JSON).
 */
final class AdminApi {
    private final FeedbackStore store;
    private final RequestGuard guard;
    private final Supplier<URI> publicUrl;

    AdminApi(FeedbackStore store, RequestGuard guard, Supplier<URI> publicUrl) {
        this.store = store;
        this.guard = guard;
        this.publicUrl = publicUrl;
    }

    /** The link that signs a labeler in: the token rides in the fragment, so it never reaches a server log. */
    static String inviteLink(URI publicUrl, String inviteToken) {
        String base = publicUrl.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/signin#invite=" + inviteToken;
    }

    /** GET /api/admin/labelers. */
    void labelers(Context ctx) {
        guard.requireAdmin(ctx);
        JsonArray labelers = new JsonArray();
        for (StoredLabeler l : store.labelers()) {
            JsonObject o = new JsonObject();
            o.addProperty("id", l.id());
            o.addProperty("name", l.name());
            o.addProperty("role", l.role().name().toLowerCase(Locale.ROOT));
            o.addProperty("disabled", l.disabled());
            o.addProperty("signedIn", l.inviteUsedAt() != null);
            JsonArray progress = new JsonArray();
            for (StoredSet set : store.sets()) {
                StoredProgress p = store.progress(set.id(), l.id());
                JsonObject po = LabelerApi.progress(p);
                po.addProperty("set", set.name());
                progress.add(po);
            }
            o.add("progress", progress);
            labelers.add(o);
        }
        ctx.json(labelers);
    }

    /** POST /api/admin/labelers {"name", "admin": false}: a new labeler and their one-time invite link. */
    void addLabeler(Context ctx) {
        guard.requireAdmin(ctx);
        JsonBody body = JsonBody.of(ctx);
        StoredInvitation invitation = store.createLabeler(body.requiredString("name").strip(),
                body.optionalBoolean("admin") ? StoredLabeler.Role.ADMIN : StoredLabeler.Role.LABELER);
        ctx.json(invitation(invitation));
    }

    /** POST /api/admin/labelers/{id}/invite: a fresh invite link; the old one stops working. */
    void reinvite(Context ctx) {
        guard.requireAdmin(ctx);
        ctx.json(invitation(store.reissueInvite(labelerId(ctx))));
    }

    /** POST /api/admin/labelers/{id}/disabled {"disabled": true}: ends their sessions, or lets them back in. */
    void setDisabled(Context ctx) {
        StoredLabeler admin = guard.requireAdmin(ctx);
        long id = labelerId(ctx);
        boolean disabled = JsonBody.of(ctx).requiredBoolean("disabled");
        if (disabled && id == admin.id()) {
            throw WebError.badRequest("an admin cannot disable themself");
        }
        store.setDisabled(id, disabled);
        ctx.json(new JsonObject());
    }

    /** POST /api/admin/sets/{set}/instructions {"text"}: a new version; labels from now on record it. */
    void instructions(Context ctx) {
        guard.requireAdmin(ctx);
        StoredSet set = set(ctx);
        int version = store.updateInstructions(set.id(), JsonBody.of(ctx).requiredString("text"));
        JsonObject answer = new JsonObject();
        answer.addProperty("version", version);
        ctx.json(answer);
    }

    /** GET /api/admin/sets/{set}/report?method=borda|bradley-terry|kemeny&excludeFlagged=true. */
    void report(Context ctx) {
        guard.requireAdmin(ctx);
        StoredSet set = set(ctx);
        String method = ctx.queryParam("method") == null ? "borda" : ctx.queryParam("method");
        ConsensusMethod consensus = switch (method.toLowerCase(Locale.ROOT)) {
            case "borda" -> new ConsensusMethod.Borda();
            case "bradley-terry" -> new ConsensusMethod.BradleyTerry();
            case "kemeny" -> new ConsensusMethod.Kemeny();
            default -> throw WebError.badRequest("unknown method \"" + method + "\"; expected borda, bradley-terry or kemeny");
        };
        boolean exclude = "true".equalsIgnoreCase(ctx.queryParam("excludeFlagged"));
        FeedbackAnalysis analysis = FeedbackAnalysis.of(store, set, consensus, exclude);
        JsonObject answer = new JsonObject();
        answer.add("report", FeedbackReport.json(analysis));
        answer.addProperty("text", FeedbackReport.text(analysis));
        ctx.json(answer);
    }

    private JsonObject invitation(StoredInvitation invitation) {
        JsonObject o = new JsonObject();
        o.addProperty("id", invitation.labeler().id());
        o.addProperty("name", invitation.labeler().name());
        o.addProperty("inviteLink", inviteLink(publicUrl.get(), invitation.inviteToken()));
        return o;
    }

    private StoredSet set(Context ctx) {
        return LabelerApi.set(ctx, store);
    }

    private long labelerId(Context ctx) {
        String raw = ctx.pathParam("id");
        return store.labelers().stream().filter(l -> Long.toString(l.id()).equals(raw)).findFirst()
                .orElseThrow(() -> WebError.notFound("there is no labeler \"" + raw + "\"")).id();
    }
}
