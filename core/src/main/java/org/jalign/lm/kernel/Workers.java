package org.jalign.lm.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A small fixed pool that spreads one loop over chunks among the caller and {@code threads − 1}
 * daemon workers. The pool allocates nothing per loop (a capturing lambda passed in is the
 * caller's only garbage).
 *
 * <p>A decode step runs ~40 short parallel loops (each matrix product, the attention); handing
 * them to an {@code ExecutorService} costs a task object and a thread wake-up each. Here the
 * caller publishes the loop in fields, workers still spinning from the previous loop pick it up
 * within a microsecond, and chunks are claimed one at a time, so a core slowed by another process
 * takes fewer chunks instead of delaying the step. Workers spin ~50 µs after a loop, then park.
 * The caller waits only for the chunks, never for a parked worker to wake.
 *
 * <p>Claiming: {@code state} packs (chunk count, next chunk) in one long, claimed by compare-and-set,
 * so a worker that stalls between loops can only claim a chunk that is unclaimed in the loop now
 * published; {@code body} is read after the claim, when the caller cannot replace it (it waits for
 * every claimed chunk to complete first).
 *
 * <p>One loop runs at a time: a thread calling {@link #run} while the pool is busy (two
 * generations at once) runs its whole loop itself, so concurrent callers never share a loop.
 */
public final class Workers {

    /** The body of a parallel loop: process chunk {@code chunk}; {@code worker} in [0, threads)
     *  names the thread, so the body can use per-thread scratch space. */
    @FunctionalInterface
    public interface Chunk {
        void run(int chunk, int worker);
    }

    private static final long SPIN_NANOS = 50_000;

    /** The process-wide pool: {@code jalign.decode.threads} threads, default all available cores. */
    private static final Workers SHARED = new Workers(Integer.getInteger("jalign.decode.threads",
            Runtime.getRuntime().availableProcessors()));

    private final int threads;
    private final ReentrantLock busy = new ReentrantLock();
    private final Thread[] workers;
    private final AtomicIntegerArray parked;
    private final AtomicLong state = new AtomicLong();         // (chunks << 32) | next unclaimed chunk
    private final AtomicInteger completed = new AtomicInteger();
    private volatile Chunk body;
    private volatile Throwable failure;                          // thrown by a chunk, rethrown by run
    private volatile int generation;                             // bumped once per published loop

    public Workers(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.parked = new AtomicIntegerArray(Math.max(threads - 1, 1));
        for (int w = 1; w < threads; w++) {
            int id = w;
            Thread t = new Thread(() -> work(id), "jalign-decode-" + w);
            t.setDaemon(true);
            workers[w - 1] = t;
            t.start();
        }
    }

    /** The pool decoding uses. */
    public static Workers shared() {
        return SHARED;
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} for every chunk in [0, chunks), spread over the pool; returns when all are done. */
    public void run(int chunks, Chunk body) {
        if (chunks <= 0) {
            return;
        }
        if (chunks == 1 || threads == 1 || !busy.tryLock()) {
            for (int c = 0; c < chunks; c++) {
                body.run(c, 0);
            }
            return;
        }
        try {
            this.body = body;
            failure = null;
            completed.set(0);
            state.set((long) chunks << 32);
            generation++;
            for (int w = 0; w < workers.length; w++) {
                if (parked.get(w) != 0) {
                    LockSupport.unpark(workers[w]);
                }
            }
            drain(0);
            while (completed.get() < chunks) {
                Thread.onSpinWait();
            }
            Throwable t = failure;
            if (t instanceof RuntimeException r) {
                throw r;
            } else if (t instanceof Error e) {
                throw e;
            }
        } finally {
            busy.unlock();
        }
    }

    private void drain(int worker) {
        while (true) {
            long s = state.get();
            int next = (int) s;
            if (next >= (int) (s >>> 32)) {
                return;
            }
            if (state.compareAndSet(s, s + 1)) {
                try {
                    body.run(next, worker);
                } catch (Throwable t) {
                    failure = t;                       // a worker must not die: the caller would wait forever
                } finally {
                    completed.incrementAndGet();
                }
            }
        }
    }

    private void work(int id) {
        int seen = generation;
        while (true) {
            long spinStart = System.nanoTime();
            while (generation == seen) {
                if (System.nanoTime() - spinStart < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked.set(id - 1, 1);
                    if (generation == seen) {
                        LockSupport.park(this);
                    }
                    parked.set(id - 1, 0);
                    spinStart = System.nanoTime();
                }
            }
            seen = generation;
            drain(id);
        }
    }
}
