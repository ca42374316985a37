package org.jalign.run;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar for stderr: {@code label [#####.....] 37/100 12.3 it/s ETA 0:05}.
 *
 * <p>Redraws in place with {@code \r}, at most every 100 ms so a fast loop does not spend its time
 * printing; {@link #close()} draws the final state and ends the line. With an unknown total
 * ({@code total < 0}) it shows the count, the rate and the elapsed time instead of a bar.
 * A quiet bar prints nothing, so callers never branch on {@code --quiet}.
 */
public final class ProgressBar implements AutoCloseable {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final String label;
    private final long total;
    private final PrintWriter out;
    private final boolean quiet;
    private final LongSupplier clock;
    private final long start;
    private long done;
    private long lastDraw = Long.MIN_VALUE;
    private int lastLength;
    private boolean closed;
    private String status = "";

    /**
     * @param total the number of items, or a negative number when unknown
     * @param out   where to draw, normally stderr
     */
    public ProgressBar(String label, long total, PrintWriter out, boolean quiet) {
        this(label, total, out, quiet, System::nanoTime);
    }

    ProgressBar(String label, long total, PrintWriter out, boolean quiet, LongSupplier clock) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.quiet = quiet;
        this.clock = clock;
        this.start = clock.getAsLong();
        draw(false);
    }

    /** Records {@code items} more done and redraws if the last redraw is 100 ms old. */
    public void advance(long items) {
        done += items;
        draw(false);
    }

    /**
     * A short text shown after the counts (e.g. PPO's "reward 1.23 kl 0.45"), drawn with the next
     * redraw; empty shows nothing.
     */
    public void setStatus(String text) {
        status = text == null ? "" : text;
    }

    public long done() {
        return done;
    }

    /** Draws the final state and ends the line. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            draw(true);
            if (!quiet) {
                out.println();
                out.flush();
            }
        }
    }

    private void draw(boolean force) {
        if (quiet) {
            return;
        }
        long now = clock.getAsLong();
        if (!force && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        String line = render(now);
        // Pad with spaces so a shorter line fully covers the previous one.
        int pad = Math.max(0, lastLength - line.length());
        lastLength = line.length();
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
    }

    String render(long now) {
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        StringBuilder s = new StringBuilder(label);
        if (total >= 0) {
            int filled = total == 0 ? WIDTH : (int) Math.min(WIDTH, WIDTH * done / total);
            s.append(" [").append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
                    .append(done).append('/').append(total)
                    .append(String.format(Locale.ROOT, " %.1f it/s", rate));
            if (done >= total) {
                s.append(' ').append(clockTime(seconds));
            } else if (rate > 0) {
                s.append(" ETA ").append(clockTime((total - done) / rate));
            } else {
                s.append(" ETA ?");
            }
        } else {
            s.append(' ').append(done).append(String.format(Locale.ROOT, " %.1f it/s ", rate)).append(clockTime(seconds));
        }
        if (!status.isEmpty()) {
            s.append(' ').append(status);
        }
        return s.toString();
    }

    /** {@code m:ss}, or {@code h:mm:ss} past an hour. */
    static String clockTime(double seconds) {
        long s = Math.round(seconds);
        long h = s / 3600;
        long m = (s % 3600) / 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", m, s % 60);
    }
}
