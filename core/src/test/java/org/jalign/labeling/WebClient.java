package org.jalign.labeling;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A browser's view of the labeling app for tests: java.net.http over loopback, the session cookie
 * kept by hand (so a test can carry it across a server restart), and the Origin, Content-Type and
 * CSRF headers the page sends with every change.
 */
final class WebClient {
    /** HTTP/1.1 as a browser talks to a plain-http server; one client (and its connection pool) for all. */
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();
    /** Only against hangs; no test asserts on time. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    /** An answer: status, headers and body text. */
    record Reply(int status, HttpHeaders headers, String body) {
        JsonElement json() {
            return JsonParser.parseString(body);
        }

        JsonObject object() {
            return json().getAsJsonObject();
        }

        /** The {"error": ...} message, or "" when the body has none. */
        String error() {
            try {
                JsonElement e = json();
                return e.isJsonObject() && e.getAsJsonObject().has("error") ? e.getAsJsonObject().get("error").getAsString() : "";
            } catch (RuntimeException notJson) {
                return "";
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    final URI base;
    final String origin;
    String session;
    String csrf;

    WebClient(URI base) {
        this.base = base;
        this.origin = base.getScheme() + "://" + base.getRawAuthority();
    }

    /** A client at {@code base} holding an existing session (e.g. after a restart on another port). */
    WebClient withSession(URI newBase) {
        WebClient c = new WebClient(newBase);
        c.session = session;
        c.csrf = csrf;
        return c;
    }

    /** POST /api/signin; on success keeps the session cookie and the CSRF token. */
    Reply signIn(String invite) {
        JsonObject body = new JsonObject();
        body.addProperty("invite", invite);
        Reply reply = post("/api/signin", body.toString());
        if (reply.status() == 200) {
            session = sessionCookie(reply).orElseThrow(() -> new AssertionError("sign-in set no session cookie: "
                    + reply.headers().allValues("set-cookie")));
            csrf = reply.object().get("csrf").getAsString();
        }
        return reply;
    }

    /** The jalign_session cookie's value from a reply's Set-Cookie headers. */
    static Optional<String> sessionCookie(Reply reply) {
        return setCookie(reply).map(c -> c.substring(RequestGuard.SESSION_COOKIE.length() + 1, c.indexOf(';')));
    }

    /** The whole jalign_session Set-Cookie header (with its attributes). */
    static Optional<String> setCookie(Reply reply) {
        return reply.headers().allValues("set-cookie").stream()
                .filter(c -> c.startsWith(RequestGuard.SESSION_COOKIE + "=")).findFirst();
    }

    Reply get(String path) {
        return send(request(path).GET());
    }

    /** A state-changing request as the page sends it: JSON, this origin, the CSRF token, the cookie. */
    Reply post(String path, String json) {
        return send(request(path).header("Origin", origin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A request with the cookie and CSRF token (when signed in), for tests that set the rest. */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT);
        if (session != null) {
            b.header("Cookie", RequestGuard.SESSION_COOKIE + "=" + session);
        }
        if (csrf != null) {
            b.header(RequestGuard.CSRF_HEADER, csrf);
        }
        return b;
    }

    Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
