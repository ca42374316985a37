package org.jalign.cli;

import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredInvitation;
import org.jalign.feedback.StoredLabeler;
import org.jalign.feedback.StoredProgress;
import org.jalign.feedback.StoredSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jalign feedback labeler}: people who label. An invite token is printed once (only its
 * hash is stored); with {@code --public-url} the whole sign-in link is printed instead.
 */
@Command(name = "labeler", mixinStandardHelpOptions = true, description = "Manage labelers.",
        subcommands = {FeedbackLabelerCommand.Add.class, FeedbackLabelerCommand.ListLabelers.class,
            FeedbackLabelerCommand.Invite.class, FeedbackLabelerCommand.Disable.class})
final class FeedbackLabelerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw Inputs.chooseSubcommand(spec, "subcommand");
    }

    /** Options every labeler subcommand shares. */
    static final class Target {
        @Option(names = "--db", required = true, paramLabel = "FILE", description = "Feedback database.")
        Path db;

        @Option(names = "--public-url", paramLabel = "URL",
                description = "The labeling app's address (as given to feedback serve): print the whole invite link.")
        URI publicUrl;

        void printInvite(CommandSpec spec, String verb, StoredInvitation invitation) {
            StoredLabeler l = invitation.labeler();
            spec.commandLine().getErr().printf(Locale.ROOT, "feedback labeler %s: %s \"%s\" (id %d); their one-time %s:%n",
                    verb, l.role() == StoredLabeler.Role.ADMIN ? "admin" : "labeler", l.name(), l.id(),
                    publicUrl == null ? "invite token (the link is <app URL>/signin#invite=TOKEN)" : "invite link");
            spec.commandLine().getOut().println(publicUrl == null ? invitation.inviteToken()
                    : org.jalign.labeling.LabelingServer.inviteLink(publicUrl, invitation.inviteToken()));
        }
    }

    static StoredLabeler byName(FeedbackStore store, Path db, String name) {
        return store.labelers().stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new CliFailure(db + " has no labeler named \"" + name + "\" (feedback labeler list shows them)"));
    }

    /** {@code jalign feedback labeler add}: a labeler and their one-time invite. */
    @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Add a labeler and print their one-time invite token (or link) on stdout.",
                "Only its SHA-256 hash is stored: hand it over now, it cannot be shown again."})
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Target target;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Unique labeler name.")
        String name;

        @Option(names = "--admin", description = "An admin: invites labelers, publishes instructions and sees reports in the web app.")
        boolean admin;

        @Override
        public Integer call() {
            try (FeedbackStore store = FeedbackCommand.openExisting(target.db)) {
                target.printInvite(spec, "add", store.createLabeler(name,
                        admin ? StoredLabeler.Role.ADMIN : StoredLabeler.Role.LABELER));
            }
            return 0;
        }
    }

    /** {@code jalign feedback labeler invite}: a fresh invite for someone who lost theirs. */
    @Command(name = "invite", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Issue a new one-time invite for an existing labeler; their old one stops working.")
    static final class Invite implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Target target;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The labeler.")
        String name;

        @Override
        public Integer call() {
            try (FeedbackStore store = FeedbackCommand.openExisting(target.db)) {
                target.printInvite(spec, "invite", store.reissueInvite(byName(store, target.db, name).id()));
            }
            return 0;
        }
    }

    /** {@code jalign feedback labeler disable}: ends a labeler's sessions and keeps them out. */
    @Command(name = "disable", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Disable a labeler (their sessions end at once), or --enable them again. Their labels stay.")
    static final class Disable implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--db", required = true, paramLabel = "FILE", description = "Feedback database.")
        Path db;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The labeler.")
        String name;

        @Option(names = "--enable", description = "Let a disabled labeler back in.")
        boolean enable;

        @Override
        public Integer call() {
            try (FeedbackStore store = FeedbackCommand.openExisting(db)) {
                store.setDisabled(byName(store, db, name).id(), !enable);
                spec.commandLine().getErr().printf(Locale.ROOT, "feedback labeler disable: \"%s\" is %s%n", name,
                        enable ? "enabled" : "disabled");
            }
            return 0;
        }
    }

    /** {@code jalign feedback labeler list}: who labels, and how far each has got. */
    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "List labelers: role, state and done / assigned in each set (tab-separated, one line each).")
    static final class ListLabelers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--db", required = true, paramLabel = "FILE", description = "Feedback database.")
        Path db;

        @Override
        public Integer call() {
            try (FeedbackStore store = FeedbackCommand.openExisting(db)) {
                PrintWriter out = spec.commandLine().getOut();
                List<StoredSet> sets = store.sets();
                StringBuilder header = new StringBuilder("id\tname\trole\tstate");
                sets.forEach(s -> header.append('\t').append(s.name()).append(" done/assigned"));
                out.println(header);
                for (StoredLabeler l : store.labelers()) {
                    StringBuilder line = new StringBuilder();
                    line.append(l.id()).append('\t').append(l.name()).append('\t')
                            .append(l.role().name().toLowerCase(Locale.ROOT)).append('\t')
                            .append(l.disabled() ? "disabled" : l.inviteUsedAt() != null ? "signed-in" : "invited");
                    for (StoredSet s : sets) {
                        StoredProgress p = store.progress(s.id(), l.id());
                        line.append('\t').append(p.done()).append('/').append(p.assigned());
                    }
                    out.println(line);
                }
                out.flush();
            }
            return 0;
        }
    }
}
