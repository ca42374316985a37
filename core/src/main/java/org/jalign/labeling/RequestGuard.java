package org.jalign.labeling;

import io.javalin.http.Context;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredLabeler;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Every request passes here first.
 *
 * <ol>
 *   <li>Security headers on every response: a Content-Security-Policy that allows only this
 *       origin's own script and style (no inline script, so injected markup cannot run), no
 *       framing, no MIME sniffing, no referrer, no caching of API answers.</li>
 *   <li>Host check: the Host header must name this server (its public URL, or a loopback name
 *       when bound to loopback). This stops DNS-rebinding pages from talking to a local server.</li>
 *   <li>Origin check on every state-changing request: the browser's Origin header must be this
 *       server's origin, and the body must be JSON (which a cross-site form cannot send without a
 *       CORS preflight that this server never answers).</li>
 *   <li>Session: the {@value #SESSION_COOKIE} cookie (HttpOnly, SameSite=Strict) names the labeler.</li>
 *   <li>CSRF token: state-changing API requests carry {@value #CSRF_HEADER}, a value derived from
 *       the session token that only a page of this origin can read (from {@code GET /api/me}).</li>
 * </ol>
 */
final class RequestGuard {
    static final String SESSION_COOKIE = "jalign_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final String LABELER = "jalign.labeler";
    private static final String SESSION = "jalign.session";

    private final FeedbackStore store;
    private final Duration sessionLifetime;
    private volatile Set<String> allowedOrigins = Set.of();
    private volatile Set<String> allowedHosts = Set.of();
    private volatile boolean secureCookies;

    RequestGuard(FeedbackStore store, Duration sessionLifetime) {
        this.store = store;
        this.sessionLifetime = sessionLifetime;
    }

    /** Sets who may talk to the server, once its port is known. */
    void allow(URI publicUrl, String boundHost, int port) {
        Set<String> origins = new LinkedHashSet<>();
        Set<String> hosts = new LinkedHashSet<>();
        add(origins, hosts, publicUrl);
        if (LabelingConfig.isLoopback(boundHost)) {
            for (String name : new String[]{"127.0.0.1", "localhost", "[::1]"}) {
                add(origins, hosts, URI.create("http://" + name + ":" + port));
            }
        }
        allowedOrigins = Set.copyOf(origins);
        allowedHosts = Set.copyOf(hosts);
        secureCookies = "https".equalsIgnoreCase(publicUrl.getScheme());
    }

    private static void add(Set<String> origins, Set<String> hosts, URI url) {
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        int defaultPort = scheme.equals("https") ? 443 : 80;
        String authority = url.getHost().toLowerCase(Locale.ROOT)
                + (url.getPort() < 0 || url.getPort() == defaultPort ? "" : ":" + url.getPort());
        origins.add(scheme + "://" + authority);
        hosts.add(authority);
    }

    /** Steps 1-3, for every request. */
    void screen(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Cross-Origin-Resource-Policy", "same-origin");
        if (ctx.path().startsWith("/api/")) {
            ctx.header("Cache-Control", "no-store");
        }
        String host = ctx.header("Host");
        if (host == null || !allowedHosts.contains(host.toLowerCase(Locale.ROOT))) {
            throw new WebError(421, "this server does not answer to Host \"" + host + "\"; open it at one of "
                    + allowedOrigins + " (or start it with --public-url)");
        }
        String method = ctx.method().name();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            String origin = ctx.header("Origin");
            if (origin == null || !allowedOrigins.contains(origin.toLowerCase(Locale.ROOT))) {
                throw new WebError(403, "cross-origin request refused: Origin " + (origin == null ? "missing"
                        : "\"" + origin + "\"") + ", expected one of " + allowedOrigins);
            }
            String type = ctx.contentType();
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                throw new WebError(415, "state-changing requests must send Content-Type: application/json, got "
                        + (type == null ? "none" : type));
            }
        }
    }

    /** Steps 4-5 for an API request that needs a signed-in labeler. */
    StoredLabeler requireLabeler(Context ctx) {
        String token = ctx.cookie(SESSION_COOKIE);
        Optional<StoredLabeler> labeler = store.authenticate(token);
        if (labeler.isEmpty()) {
            throw new WebError(401, "not signed in (or the session expired): open your invite link again, "
                    + "or ask an admin for a new one");
        }
        String method = ctx.method().name();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            String sent = ctx.header(CSRF_HEADER);
            if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                    csrfToken(token).getBytes(StandardCharsets.UTF_8))) {
                throw new WebError(403, "missing or wrong " + CSRF_HEADER + " header; reload the page");
            }
        }
        ctx.attribute(LABELER, labeler.get());
        ctx.attribute(SESSION, token);
        return labeler.get();
    }

    /** The signed-in admin, or 403. */
    StoredLabeler requireAdmin(Context ctx) {
        StoredLabeler labeler = requireLabeler(ctx);
        if (labeler.role() != StoredLabeler.Role.ADMIN) {
            throw new WebError(403, "this needs an admin; " + labeler.name() + " is a labeler");
        }
        return labeler;
    }

    static StoredLabeler labeler(Context ctx) {
        return ctx.attribute(LABELER);
    }

    static String sessionToken(Context ctx) {
        return ctx.attribute(SESSION);
    }

    /** Sets the session cookie after a sign-in. */
    void startSession(Context ctx, String sessionToken) {
        ctx.res().addHeader("Set-Cookie", SESSION_COOKIE + "=" + sessionToken + "; Path=/; Max-Age="
                + sessionLifetime.toSeconds() + "; HttpOnly; SameSite=Strict" + (secureCookies ? "; Secure" : ""));
    }

    /** Clears the session cookie at sign-out. */
    void endSession(Context ctx) {
        ctx.res().addHeader("Set-Cookie", SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + (secureCookies ? "; Secure" : ""));
    }

    /**
     * The CSRF token of a session: SHA-256 of the session token under a fixed label. It needs no
     * storage, survives restarts, and only someone who holds the HttpOnly cookie (or a page of
     * this origin that asked {@code /api/me}) can know it.
     */
    static String csrfToken(String sessionToken) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("jalign-csrf\0" + sessionToken).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
