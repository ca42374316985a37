package org.jalign.run;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {

    private final StringWriter sink = new StringWriter();
    private final PrintWriter out = new PrintWriter(sink);
    private final AtomicLong nanos = new AtomicLong();

    @Test
    void rendersBarCountRateAndEta() {
        ProgressBar bar = new ProgressBar("gen", 100, out, false, nanos::get);
        nanos.set(3_000_000_000L);
        bar.advance(37);
        assertThat(bar.render(nanos.get())).isEqualTo("gen [###########...................] 37/100 12.3 it/s ETA 0:05");
    }

    @Test
    void showsAStatusAfterTheCounts() {
        ProgressBar bar = new ProgressBar("ppo", 100, out, false, nanos::get);
        nanos.set(3_000_000_000L);
        bar.advance(37);
        bar.setStatus("reward 1.25 kl 0.031");
        assertThat(bar.render(nanos.get()))
                .isEqualTo("ppo [###########...................] 37/100 12.3 it/s ETA 0:05 reward 1.25 kl 0.031");
    }

    @Test
    void redrawsAtMostEvery100ms() {
        ProgressBar bar = new ProgressBar("gen", 1000, out, false, nanos::get);
        for (int i = 0; i < 100; i++) {
            nanos.addAndGet(1_000_000L); // 1 ms per item
            bar.advance(1);
        }
        bar.close();
        long redraws = sink.toString().chars().filter(c -> c == '\r').count();
        assertThat(redraws).isBetween(2L, 4L); // first draw, one at 100 ms, the final one
        assertThat(sink.toString()).endsWith(System.lineSeparator()).contains("100/1000");
    }

    @Test
    void finalLineShowsElapsedTime() {
        ProgressBar bar = new ProgressBar("gen", 4, out, false, nanos::get);
        nanos.set(65_000_000_000L);
        bar.advance(4);
        bar.close();
        assertThat(sink.toString()).contains("gen [##############################] 4/4 0.1 it/s 1:05");
    }

    @Test
    void unknownTotalShowsCountRateAndElapsed() {
        ProgressBar bar = new ProgressBar("read", -1, out, false, nanos::get);
        nanos.set(2_000_000_000L);
        bar.advance(10);
        assertThat(bar.render(nanos.get())).isEqualTo("read 10 5.0 it/s 0:02");
    }

    @Test
    void quietPrintsNothing() {
        try (ProgressBar bar = new ProgressBar("gen", 10, out, true)) {
            bar.advance(10);
        }
        assertThat(sink.toString()).isEmpty();
    }

    @Test
    void clockTimeFormats() {
        assertThat(ProgressBar.clockTime(5)).isEqualTo("0:05");
        assertThat(ProgressBar.clockTime(3725)).isEqualTo("1:02:05");
    }
}
