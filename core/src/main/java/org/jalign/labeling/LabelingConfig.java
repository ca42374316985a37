package org.jalign.labeling;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * How the labeling app listens and what it accepts.
 *
 * @param host                  the address to bind; 127.0.0.1 by default, so only this machine reaches it
 * @param port                  the port, 0 for any free one
 * @param publicUrl             the address labelers type (invite links, allowed Origin/Host); null
 *                              means http://host:port, and is required when {@code host} is not a
 *                              loopback address
 * @param maxBodyBytes          the largest request body taken (413 beyond)
 * @param signInsPerMinute      sign-in attempts allowed per client address per minute (429 beyond)
 * @param sessionLifetime       how long a sign-in lasts
 */
public record LabelingConfig(String host, int port, URI publicUrl, long maxBodyBytes, int signInsPerMinute,
                             Duration sessionLifetime) {

    /** Defaults: loopback only, port 8080, 256 KiB bodies (a comment is at most 10,000 characters), 10 sign-ins a minute, 7-day sessions. */
    public static LabelingConfig defaults() {
        return new LabelingConfig("127.0.0.1", 8080, null, 256 * 1024, 10, Duration.ofDays(7));
    }

    public LabelingConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("labeling.host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("labeling.port must be in [0, 65535], got " + port);
        }
        if (publicUrl != null) {
            String scheme = publicUrl.getScheme() == null ? "" : publicUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || publicUrl.getHost() == null) {
                throw new IllegalArgumentException("labeling.publicUrl must be an http(s) URL with a host, got "
                        + publicUrl);
            }
        } else if (!isLoopback(host)) {
            throw new IllegalArgumentException("binding to " + host + " (not a loopback address) needs a public URL "
                    + "(--public-url), the address labelers open: invite links and the Origin check use it");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("labeling.maxBodyBytes must be at least 1024, got " + maxBodyBytes);
        }
        if (signInsPerMinute < 1) {
            throw new IllegalArgumentException("labeling.signInsPerMinute must be at least 1, got " + signInsPerMinute);
        }
        if (sessionLifetime == null || sessionLifetime.isNegative() || sessionLifetime.isZero()) {
            throw new IllegalArgumentException("labeling.sessionLifetime must be positive, got " + sessionLifetime);
        }
    }

    public LabelingConfig withHost(String newHost) {
        return new LabelingConfig(newHost, port, publicUrl, maxBodyBytes, signInsPerMinute, sessionLifetime);
    }

    public LabelingConfig withPort(int newPort) {
        return new LabelingConfig(host, newPort, publicUrl, maxBodyBytes, signInsPerMinute, sessionLifetime);
    }

    public LabelingConfig withPublicUrl(URI url) {
        return new LabelingConfig(host, port, url, maxBodyBytes, signInsPerMinute, sessionLifetime);
    }

    public LabelingConfig withMaxBodyBytes(long bytes) {
        return new LabelingConfig(host, port, publicUrl, bytes, signInsPerMinute, sessionLifetime);
    }

    public LabelingConfig withSignInsPerMinute(int perMinute) {
        return new LabelingConfig(host, port, publicUrl, maxBodyBytes, perMinute, sessionLifetime);
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }
}
