package org.jalign.cli;

import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredInvitation;
import org.jalign.feedback.StoredLabeler;
import org.jalign.labeling.LabelingConfig;
import org.jalign.labeling.LabelingServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code jalign feedback serve}: the labeling web app until Ctrl-C. When the database has no
 * enabled admin yet, one named "admin" is created and its one-time invite link printed, so a
 * fresh database can be run from the browser alone.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the labeling web app (until Ctrl-C).",
            "Labelers sign in with one-time invite links; an admin invites them in the app (/admin) or with "
                + "feedback labeler add. Binds 127.0.0.1 unless --host says otherwise."})
final class FeedbackServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--db", required = true, paramLabel = "FILE", description = "Feedback database.")
    Path db;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 = any free).")
    int port;

    @Option(names = "--public-url", paramLabel = "URL",
            description = "The address labelers open, e.g. https://label.example.org behind a proxy; required when "
                    + "--host is not a loopback address (invite links and the Origin check use it).")
    URI publicUrl;

    @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "262144",
            description = "Largest request body accepted (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Option(names = "--sign-ins-per-minute", paramLabel = "N", defaultValue = "10",
            description = "Sign-in attempts allowed per client address per minute (default: ${DEFAULT-VALUE}); behind a reverse proxy every labeler shares the proxy's address, so raise it there.")
    int signInsPerMinute;

    /** Released to stop serving (tests); a real run stops with Ctrl-C. */
    static volatile CountDownLatch stopSignal;

    @Override
    public Integer call() throws InterruptedException {
        LabelingConfig config;
        try {
            config = LabelingConfig.defaults().withHost(host).withPort(port).withPublicUrl(publicUrl)
                    .withMaxBodyBytes(maxBodyBytes).withSignInsPerMinute(signInsPerMinute);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage()
                    .replace("labeling.port", "--port").replace("labeling.maxBodyBytes", "--max-body-bytes")
                    .replace("labeling.signInsPerMinute", "--sign-ins-per-minute")
                    .replace("labeling.publicUrl", "--public-url").replace("labeling.host", "--host"));
        }
        FeedbackStore store = FeedbackCommand.openExisting(db);
        LabelingServer server;
        try {
            server = LabelingServer.start(store, config);
        } catch (RuntimeException e) {
            store.close();
            throw new CliFailure(e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch stop = stopSignal != null ? stopSignal : new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jalign-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            err.printf(Locale.ROOT, "feedback serve: %s on %s (Ctrl-C stops)%n", db, server.publicUrl());
            boolean hasAdmin = store.labelers().stream()
                    .anyMatch(l -> l.role() == StoredLabeler.Role.ADMIN && !l.disabled());
            if (!hasAdmin) {
                StoredInvitation admin = store.createLabeler(freeName(store, "admin"), StoredLabeler.Role.ADMIN);
                err.printf(Locale.ROOT, "feedback serve: no admin yet; created \"%s\". Its one-time sign-in link:%n",
                        admin.labeler().name());
                out.println(server.inviteLink(admin.inviteToken()));
            } else {
                err.println("feedback serve: admins sign in with their invite link; a lost one: "
                        + "jalign feedback labeler invite --db " + db + " --name NAME --public-url " + server.publicUrl());
            }
            out.flush();
            err.flush();
            stop.await();
        } finally {
            server.close();
            store.close();
            stopped.countDown();
            if (stopSignal != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is already on its way out; the hook has run
                }
            }
        }
        return 0;
    }

    /** {@code base}, or base-2, base-3, … if a labeler already has the name. */
    private static String freeName(FeedbackStore store, String base) {
        String candidate = base;
        for (int suffix = 2; taken(store, candidate); suffix++) {
            candidate = base + "-" + suffix;
        }
        return candidate;
    }

    private static boolean taken(FeedbackStore store, String name) {
        return store.labelers().stream().anyMatch(l -> l.name().equals(name));
    }
}
