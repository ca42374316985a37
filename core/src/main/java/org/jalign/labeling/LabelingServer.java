package org.jalign.labeling;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JsonMapper;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.FeedbackStoreException;
import org.jalign.feedback.LabelerDisabledException;
import org.jalign.feedback.StoreConflictException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;

/**
 * The labeling web app: a Javalin server over a {@link FeedbackStore}.
 *
 * <ol>
 *   <li>Every request is screened by {@link RequestGuard} (headers, Host, Origin, JSON bodies) and
 *       refused past {@link LabelingConfig#maxBodyBytes()}.</li>
 *   <li>The page: one HTML shell, one script and one style sheet from the classpath (no CDN, no
 *       inline script, so the CSP can forbid everything else).</li>
 *   <li>The JSON API of {@link LabelerApi} and {@link AdminApi}.</li>
 *   <li>Errors are JSON {@code {"error": "..."}} with a status a script can act on: 400 bad
 *       input, 401 not signed in, 403 refused, 404 unknown, 409 a different label already
 *       stands, 413 too large, 415 not JSON, 421 wrong Host, 429 slow down.</li>
 * </ol>
 */
public final class LabelingServer implements AutoCloseable {
    private static final String WEB = "/org/jalign/labeling/web/";
    private static final Gson GSON = new com.google.gson.GsonBuilder().serializeNulls().create();

    private final Javalin app;
    private final URI publicUrl;

    private LabelingServer(Javalin app, URI publicUrl) {
        this.app = app;
        this.publicUrl = publicUrl;
    }

    /** Starts serving {@code store}; the store stays the caller's to close (after this server). */
    public static LabelingServer start(FeedbackStore store, LabelingConfig config) {
        RequestGuard guard = new RequestGuard(store, config.sessionLifetime());
        SignInThrottle throttle = new SignInThrottle(config.signInsPerMinute(), Duration.ofMinutes(1), Clock.systemUTC());
        URI[] publicUrl = new URI[1];
        LabelerApi labeler = new LabelerApi(store, guard, throttle, config.sessionLifetime());
        AdminApi admin = new AdminApi(store, guard, () -> publicUrl[0]);
        byte[] page = resource("index.html");
        byte[] script = resource("app.js");
        byte[] style = resource("app.css");

        Javalin app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.http.maxRequestSize = config.maxBodyBytes();
            c.jsonMapper(new GsonMapper());
            c.routes.before(ctx -> {
                guard.screen(ctx);
                String length = ctx.header("Content-Length");
                if (length != null && parseLength(length) > config.maxBodyBytes()) {
                    throw new WebError(413, "request body of " + length + " bytes is over the limit of "
                            + config.maxBodyBytes());
                }
            });
            // 2. the page
            for (String path : new String[]{"/", "/signin", "/admin"}) {
                c.routes.get(path, ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
            }
            c.routes.get("/assets/app.js", ctx -> ctx.contentType("text/javascript; charset=utf-8").result(script));
            c.routes.get("/assets/app.css", ctx -> ctx.contentType("text/css; charset=utf-8").result(style));
            // 3. the API
            c.routes.post("/api/signin", labeler::signIn);
            c.routes.post("/api/signout", labeler::signOut);
            c.routes.get("/api/me", labeler::me);
            c.routes.get("/api/sets", labeler::sets);
            c.routes.get("/api/sets/{set}/next", labeler::next);
            c.routes.post("/api/sets/{set}/labels", labeler::label);
            c.routes.post("/api/sets/{set}/thumbs", labeler::thumbs);
            c.routes.get("/api/admin/labelers", admin::labelers);
            c.routes.post("/api/admin/labelers", admin::addLabeler);
            c.routes.post("/api/admin/labelers/{id}/invite", admin::reinvite);
            c.routes.post("/api/admin/labelers/{id}/disabled", admin::setDisabled);
            c.routes.post("/api/admin/sets/{set}/instructions", admin::instructions);
            c.routes.get("/api/admin/sets/{set}/report", admin::report);
            // 4. errors
            c.routes.exception(WebError.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            c.routes.exception(StoreConflictException.class, (e, ctx) -> error(ctx, 409, e.getMessage()));
            c.routes.exception(LabelerDisabledException.class, (e, ctx) -> error(ctx, 401, e.getMessage()
                    + "; ask an admin"));
            c.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            c.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            c.routes.exception(FeedbackStoreException.class, (e, ctx) -> {
                System.err.println("jalign labeling: " + e.getMessage());
                error(ctx, 503, "the feedback database failed; nothing was saved, try again: " + e.getMessage());
            });
            c.routes.exception(Exception.class, (e, ctx) -> {
                System.err.println("jalign labeling: unexpected " + e);
                error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
            });
        });
        try {
            app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            app.stop();
            throw new IllegalStateException("could not listen on " + config.host() + ":" + config.port() + ": "
                    + rootMessage(e), e);
        }
        int port = app.port();
        publicUrl[0] = config.publicUrl() != null ? config.publicUrl()
                : URI.create("http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host())
                + ":" + port);
        guard.allow(publicUrl[0], config.host(), port);
        return new LabelingServer(app, publicUrl[0]);
    }

    public int port() {
        return app.port();
    }

    /** The address labelers open (the configured public URL, else http://host:port). */
    public URI publicUrl() {
        return publicUrl;
    }

    /** The sign-in link for an invite token. */
    public String inviteLink(String inviteToken) {
        return AdminApi.inviteLink(publicUrl, inviteToken);
    }

    /**
     * The sign-in link for an invite token at an app's public URL: {@code URL/signin#invite=TOKEN}.
     * The token rides in the fragment, which browsers never send, so it stays out of server logs.
     */
    public static String inviteLink(URI publicUrl, String inviteToken) {
        return AdminApi.inviteLink(publicUrl, inviteToken);
    }

    @Override
    public void close() {
        app.stop();
    }

    private static void error(Context ctx, int status, String message) {
        JsonObject body = new JsonObject();
        body.addProperty("error", message);
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    private static long parseLength(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            throw WebError.badRequest("Content-Length \"" + length + "\" is not a number");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static byte[] resource(String name) {
        try (InputStream in = LabelingServer.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + WEB + name + "; rebuild jalign");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Javalin's JSON through Gson, which jalign already uses. */
    private static final class GsonMapper implements JsonMapper {
        @Override
        public String toJsonString(Object obj, Type type) {
            return GSON.toJson(obj);
        }

        @Override
        public <T> T fromJsonString(String json, Type targetType) {
            return GSON.fromJson(json, targetType);
        }
    }
}
