package org.jalign.feedback;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class FeedbackStoreInviteTest {
    @TempDir
    Path dir;

    @Test
    void anInviteSignsInOnceAndItsSessionAuthenticates() {
        try (FeedbackStore store = FeedbackStore.open(dir.resolve("f.db"))) {
            StoredInvitation invite = store.createLabeler("ada", StoredLabeler.Role.LABELER);
            assertThat(invite.inviteToken()).matches("[A-Za-z0-9_-]{43}"); // 32 bytes, URL-safe base64
            assertThat(invite.toString()).doesNotContain(invite.inviteToken());
            assertThat(invite.labeler().inviteUsedAt()).as("not signed in yet").isNull();
            assertThat(store.labeler(invite.labeler().id()).inviteUsedAt()).isNull();

            Optional<StoredSession> session = store.redeemInvite(invite.inviteToken());
            assertThat(session).isPresent();
            assertThat(session.get().labeler().name()).isEqualTo("ada");
            assertThat(store.authenticate(session.get().sessionToken())).map(StoredLabeler::name).hasValue("ada");

            assertThat(store.redeemInvite(invite.inviteToken())).as("second use").isEmpty();
            assertThat(store.redeemInvite("not-a-token")).isEmpty();
            assertThat(store.authenticate("not-a-token")).isEmpty();
            assertThat(store.authenticate(invite.inviteToken())).as("an invite is not a session").isEmpty();
            assertThat(store.labeler(invite.labeler().id()).inviteUsedAt()).isNotNull();
        }
    }

    @Test
    void onlyHashesOfTokensAreStored() throws Exception {
        Path db = dir.resolve("f.db");
        String inviteToken;
        String sessionToken;
        try (FeedbackStore store = FeedbackStore.open(db)) {
            inviteToken = store.createLabeler("ada", StoredLabeler.Role.ADMIN).inviteToken();
            sessionToken = store.redeemInvite(inviteToken).orElseThrow().sessionToken();
        }
        List<String> cells = new ArrayList<>();
        try (Connection c = StoreFixtures.raw(db); Statement s = c.createStatement()) {
            for (String table : List.of("labeler", "session")) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData meta = rs.getMetaData();
                    while (rs.next()) {
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            cells.add(String.valueOf(rs.getObject(i)));
                        }
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT invite_hash FROM labeler")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(sha256(inviteToken));
            }
            try (ResultSet rs = s.executeQuery("SELECT token_hash FROM session")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(sha256(sessionToken));
            }
        }
        assertThat(cells).noneMatch(cell -> cell.contains(inviteToken) || cell.contains(sessionToken));
        // nor anywhere in the files (database and write-ahead log)
        for (Path file : List.of(db, Path.of(db + "-wal"))) {
            if (Files.exists(file)) {
                String bytes = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(bytes).doesNotContain(inviteToken).doesNotContain(sessionToken);
            }
        }
    }

    @Test
    void sessionsExpireAndEnd() {
        StoreFixtures.ManualClock clock = new StoreFixtures.ManualClock();
        try (FeedbackStore store = FeedbackStore.open(dir.resolve("f.db"), clock)) {
            String a = store.redeemInvite(store.createLabeler("a", StoredLabeler.Role.LABELER).inviteToken(),
                    Duration.ofHours(1)).orElseThrow().sessionToken();
            clock.advance(Duration.ofMinutes(59));
            assertThat(store.authenticate(a)).isPresent();
            clock.advance(Duration.ofMinutes(1));
            assertThat(store.authenticate(a)).isEmpty();

            String b = store.redeemInvite(store.createLabeler("b", StoredLabeler.Role.LABELER).inviteToken())
                    .orElseThrow().sessionToken();
            store.endSession(b);
            assertThat(store.authenticate(b)).isEmpty();
        }
    }

    @Test
    void disablingALabelerEndsTheirSessionsAndInvites() {
        try (FeedbackStore store = FeedbackStore.open(dir.resolve("f.db"))) {
            StoredInvitation first = store.createLabeler("a", StoredLabeler.Role.LABELER);
            String session = store.redeemInvite(first.inviteToken()).orElseThrow().sessionToken();
            StoredInvitation second = store.reissueInvite(first.labeler().id());
            store.setDisabled(first.labeler().id(), true);
            assertThat(store.authenticate(session)).isEmpty();
            assertThat(store.redeemInvite(second.inviteToken())).isEmpty();

            store.setDisabled(first.labeler().id(), false);
            assertThat(store.redeemInvite(first.inviteToken())).as("the replaced invite").isEmpty();
            assertThat(store.redeemInvite(second.inviteToken())).isPresent();
        }
    }

    @Test
    void reissuingAnInviteEndsTheSessionsOfTheOldOneAndADisabledLabelerCannotWrite() {
        try (FeedbackStore store = FeedbackStore.open(dir.resolve("f.db"))) {
            StoredInvitation first = store.createLabeler("a", StoredLabeler.Role.LABELER);
            StoredInvitation other = store.createLabeler("b", StoredLabeler.Role.LABELER);
            String session = store.redeemInvite(first.inviteToken()).orElseThrow().sessionToken();
            String otherSession = store.redeemInvite(other.inviteToken()).orElseThrow().sessionToken();
            store.reissueInvite(first.labeler().id());
            assertThat(store.authenticate(session)).as("a leaked link's session").isEmpty();
            assertThat(store.authenticate(otherSession)).isPresent();

            StoredSet set = store.createSet(StoreFixtures.set("s", 1, 0, 1));
            store.addPrompts(set.id(), StoreFixtures.prompts("p", 2, 2));
            StoredAssignment assignment = store.nextAssignment(set.id(), first.labeler().id()).orElseThrow();
            store.setDisabled(first.labeler().id(), true);
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                    store.submitLabel(first.labeler().id(), StoreFixtures.submission(assignment)))
                    .isInstanceOf(LabelerDisabledException.class).hasMessageContaining("is disabled");
            assertThat(store.labels(set.id())).isEmpty();
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
