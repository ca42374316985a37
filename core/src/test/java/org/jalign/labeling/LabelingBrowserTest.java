package org.jalign.labeling;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredAssignment;
import org.jalign.feedback.StoredLabel;
import org.jalign.feedback.StoredLabeler;
import org.jalign.feedback.StoredRanking;
import org.jalign.feedback.StoredSet;
import org.jalign.feedback.StoredThumb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The labeling app in a real browser: Debian's headless Chromium driven by Playwright, against a
 * server on loopback. A person's whole path: sign in with an invite link, rank with the keyboard
 * (a tie and a flag), drag a completion onto the ranking board, rate a single completion thumbs
 * down, skip one; then the database must hold exactly what was done. Model text that looks like
 * HTML must show literally and never run.
 *
 * <p>Needs /usr/bin/chromium (Debian package {@code chromium}); without it the test is skipped,
 * unless JALIGN_REQUIRE_BROWSER=1 (set by .ci/run, which installs it) makes that a failure.
 * Playwright never downloads a browser here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
 */
class LabelingBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String XSS_COMPLETION = "<img src=x onerror=\"window.__xss = 'completion'\">";
    private static final String XSS_PROMPT = "Greet me <script>window.__xss = 'prompt'</script><b>boldly</b>";

    private static final String GUIDE = "# Guide\nPrefer the answer that **helps** most.\n\n- Flag gibberish with `F`.\n"
            + "- Tie only when truly equal.\n<img src=x onerror=\"window.__xss = 'guide'\">";

    private static Playwright playwright;
    private static Browser browser;

    @TempDir
    Path dir;
    private FeedbackStore store;
    private LabelingServer server;
    private StoredSet set;
    private final List<BrowserContext> contexts = new ArrayList<>();

    @BeforeAll
    static void launchBrowser() {
        boolean present = Files.isExecutable(CHROMIUM);
        if (!present && "1".equals(System.getenv("JALIGN_REQUIRE_BROWSER"))) {
            throw new AssertionError(CHROMIUM + " is missing but JALIGN_REQUIRE_BROWSER=1: apt-get install -y chromium");
        }
        assumeTrue(present, CHROMIUM + " is not installed (apt-get install -y chromium); browser test skipped");
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM)
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-background-networking", "--disable-gpu",
                        "--disable-component-update", "--disable-sync", "--no-first-run")));
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @BeforeEach
    void startServer() {
        store = FeedbackStore.open(dir.resolve("feedback.db"));
        set = store.createSet(new FeedbackStore.NewSet("browser", "helpfulness", null,
                GUIDE, 1, 0, 7));
        store.addPrompts(set.id(), List.of(
                prompt("rank", XSS_PROMPT, "Hello! How can I help?", XSS_COMPLETION, "hi", "asdf qwer zxcv"),
                prompt("drag", "Name a colour", "blue", "the sky"),
                prompt("thumb", "Say something kind", "You are doing great."),
                prompt("skip", "A question to skip", "yes", "no")));
        server = LabelingServer.start(store, LabelingConfig.defaults().withPort(0));
    }

    @AfterEach
    void stopServer() {
        contexts.forEach(BrowserContext::close);
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private static FeedbackStore.NewPrompt prompt(String id, String text, String... completions) {
        List<FeedbackStore.NewCompletion> list = new ArrayList<>();
        for (String c : completions) {
            list.add(new FeedbackStore.NewCompletion(c, "tiny-model", null));
        }
        return new FeedbackStore.NewPrompt(id, text, list, null);
    }

    private Page newPage() {
        BrowserContext context = browser.newContext();
        contexts.add(context);
        Page page = context.newPage();
        page.setDefaultTimeout(15_000);
        return page;
    }

    private Page signIn(String inviteToken) {
        Page page = newPage();
        page.navigate(server.inviteLink(inviteToken));
        page.locator("#signin").click();
        assertThat(page.locator("#progress-text")).isVisible();
        assertThat(page).hasURL(server.publicUrl() + "/"); // the one-time token left the address bar
        return page;
    }

    @Test
    void aLabelersWholeSessionIsStoredExactly() {
        StoredLabeler alice = store.createLabeler("alice", StoredLabeler.Role.LABELER).labeler();
        String invite = store.reissueInvite(alice.id()).inviteToken();
        Page page = signIn(invite);

        Set<String> seen = new java.util.HashSet<>();
        while (seen.size() < 4) {
            Locator prompt = page.locator("#prompt");
            assertThat(prompt).isVisible();
            String text = prompt.textContent();
            assertThat(seen.add(text)).as("item shown twice: " + text).isTrue();
            if (text.equals(XSS_PROMPT)) {
                rankWithKeyboard(page);
            } else if (text.equals("Name a colour")) {
                rankByDragging(page);
            } else if (text.equals("Say something kind")) {
                assertThat(page.locator("#thumb-up")).isVisible();
                page.locator("#card-1").focus();
                page.keyboard().press("d");
            } else {
                page.locator("#skip").click();
            }
            // done counts answered items; assigned also counts the item now on screen
            assertThat(page.locator("#progress-text")).hasText(java.util.regex.Pattern.compile(
                    "^" + seen.size() + " done / " + (seen.size() == 4 ? 4 : seen.size() + 1) + " assigned$"));
        }
        assertThat(page.locator("#all-done")).isVisible();

        // the database holds exactly that: one label per ranked or skipped item, one thumb
        List<StoredLabel> labels = store.labels(set.id());
        assertThat(labels).hasSize(3).allSatisfy(l -> {
            assertThat(l.labelerName()).isEqualTo("alice");
            assertThat(l.instructionsVersion()).isEqualTo(1);
        });
        StoredLabel ranked = label(labels, "rank");
        assertThat(ranked.ranking()).isEqualTo(expectedKeyboardRanking(alice.id(), "rank"));
        assertThat(ranked.comment()).isEqualTo("B and C are equally fine; D is gibberish");
        StoredLabel dragged = label(labels, "drag");
        assertThat(dragged.ranking()).isEqualTo(byShownPosition(alice.id(), "drag", Map.of(0, 2, 1, 1), Set.of()));
        assertThat(dragged.comment()).isNull();
        StoredLabel skipped = label(labels, "skip");
        assertThat(skipped.skipped()).isTrue();
        assertThat(skipped.ranking()).isNull();
        List<StoredThumb> thumbs = store.thumbs(set.id());
        assertThat(thumbs).hasSize(1);
        assertThat(thumbs.get(0).up()).isFalse();
        assertThat(thumbs.get(0).labelerId()).isEqualTo(alice.id());
    }

    /** Keys: 1 on the first card, 2 and 2 on the next two (a tie), F on the last; a comment; Enter. */
    private void rankWithKeyboard(Page page) {
        // model text that looks like HTML is shown as text and never runs
        assertThat(page.locator("#prompt")).hasText(XSS_PROMPT);
        assertThat(page.locator(".card .text", new Page.LocatorOptions().setHasText(XSS_COMPLETION))).hasCount(1);
        assertThat(page.locator("#main img")).hasCount(0);
        assertThat(page.locator("#main b")).hasCount(0);
        assertThat(page.evaluate("() => window.__xss === undefined")).isEqualTo(true);
        // the guide's Markdown subset is rendered; its HTML is not
        Locator guide = page.locator("#instructions-text");
        assertThat(guide.locator("h3")).hasText("Guide");
        assertThat(guide.locator("strong")).hasText("helps");
        assertThat(guide.locator("li")).hasCount(2);
        assertThat(guide.locator("code")).hasText("F");
        assertThat(guide).containsText("<img src=x onerror=\"window.__xss = 'guide'\">");

        assertThat(page.locator("#card-1")).isFocused();
        assertThat(page.locator("#submit")).isDisabled();
        page.keyboard().press("1");
        assertThat(page.locator("#card-2")).isFocused();
        page.keyboard().press("2");
        page.keyboard().press("2");
        assertThat(page.locator("#tie-notice")).containsText("use them sparingly");
        page.keyboard().press("F");
        assertThat(page.locator("#badge-1")).hasText("rank 1");
        assertThat(page.locator("#badge-2")).hasText("rank 2");
        assertThat(page.locator("#badge-3")).hasText("rank 2");
        assertThat(page.locator("#badge-4")).hasText("flagged");
        assertThat(page.locator("#submit")).isEnabled();
        page.locator("#comment").fill("B and C are equally fine; D is gibberish");
        page.locator("#card-4").focus();
        page.keyboard().press("Enter");
    }

    /** Drag completion B onto rank 1 and completion A onto rank 2 of the board, then submit. */
    private void rankByDragging(Page page) {
        page.dragAndDrop("#card-2", "#board [data-slot='1']");
        page.dragAndDrop("#card-1", "#board [data-slot='2']");
        assertThat(page.locator("#badge-1")).hasText("rank 2");
        assertThat(page.locator("#badge-2")).hasText("rank 1");
        assertThat(page.locator("#board [data-slot='1'] .chip")).hasText("B");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Submit ranking")).click();
    }

    private StoredRanking expectedKeyboardRanking(long labelerId, String promptId) {
        return byShownPosition(labelerId, promptId, Map.of(0, 1, 1, 2, 2, 2), Set.of(3));
    }

    /** The ranking the store should hold, built from shown positions through the assignment's order. */
    private StoredRanking byShownPosition(long labelerId, String promptId, Map<Integer, Integer> ranks,
                                          Set<Integer> flagged) {
        long prompt = store.prompts(set.id()).stream().filter(p -> p.externalId().equals(promptId))
                .findFirst().orElseThrow().id();
        StoredAssignment shown = store.assignment(set.id(), prompt, labelerId).orElseThrow();
        Map<Long, Integer> byId = new TreeMap<>();
        ranks.forEach((position, rank) -> byId.put(shown.completions().get(position).completionId(), rank));
        List<Long> flaggedIds = flagged.stream().map(p -> shown.completions().get(p).completionId()).toList();
        return StoredRanking.of(byId, flaggedIds);
    }

    private static StoredLabel label(List<StoredLabel> labels, String promptId) {
        return labels.stream().filter(l -> l.externalPromptId().equals(promptId)).findFirst().orElseThrow();
    }

    @Test
    void anAdminInvitesALabelerWhoseLinkWorksOnce() {
        String adminInvite = store.createLabeler("root", StoredLabeler.Role.ADMIN).inviteToken();
        Page admin = signIn(adminInvite);
        admin.navigate(server.publicUrl() + "/admin");
        admin.locator("#new-labeler").fill("bob <i>the</i> labeler");
        admin.locator("#add-labeler").click();
        Locator link = admin.locator("#invite-link");
        assertThat(link).containsText("/signin#invite=");
        assertThat(admin.locator("#labelers")).containsText("bob <i>the</i> labeler"); // shown as text
        assertThat(admin.locator("#labelers i")).hasCount(0);

        Page bob = newPage();
        bob.navigate(link.textContent());
        bob.locator("#signin").click();
        assertThat(bob.locator("#who")).hasText("bob <i>the</i> labeler");
        assertThat(bob.locator("#prompt")).isVisible();

        Page stranger = newPage(); // the same link again, in another browser: refused
        stranger.navigate(link.textContent());
        stranger.locator("#signin").click();
        assertThat(stranger.locator("#main")).containsText("Sign-in failed");
        assertThat(stranger.locator("#main")).containsText("already used");

        bob.locator("#signout").click();
        assertThat(bob.locator("#main")).containsText("Not signed in");
        bob.navigate(server.publicUrl() + "/");
        assertThat(bob.locator("#main")).containsText("Not signed in");
    }
}
