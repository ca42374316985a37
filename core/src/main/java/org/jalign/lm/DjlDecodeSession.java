package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * Decoding through DJL, for every family: {@link DecoderModel#hiddenStates} with a preallocated
 * {@link KvCache}, the attention mask kept as a (R, capacity) array whose decode slots are set to
 * 1 as they fill. Each step's arrays live in a sub-manager closed after the step.
 */
public final class DjlDecodeSession implements DecodeSession {
    private final DecoderModel model;
    private final boolean argMaxOnDevice;
    private final NDManager scope;
    private final KvCache cache;
    private final NDArray one;
    private NDArray attention;   // (live, capacity)

    /**
     * @param argMaxOnDevice return only each row's argmax (greedy without a repetition penalty):
     *                       saves copying R × V logits to the host per step
     */
    public DjlDecodeSession(DecoderModel model, int rows, int capacity, boolean argMaxOnDevice) {
        this.model = model;
        this.argMaxOnDevice = argMaxOnDevice;
        this.scope = model.manager().newSubManager();
        try {
            this.cache = model.newCache(scope, rows, capacity);
            this.attention = scope.zeros(new Shape(rows, capacity), DataType.FLOAT32);
            this.one = scope.create(1f);
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
    }

    @Override
    public NextTokens prefill(long[] ids, long[] positions, float[] mask, int promptLength) {
        int rows = ids.length / promptLength;
        attention.set(new NDIndex(":, :{}", promptLength), scope.create(mask, new Shape(rows, promptLength)));
        try (NDManager step = scope.newSubManager()) {
            NDArray hidden = model.hiddenStates(step.create(ids, new Shape(rows, promptLength)),
                    step.create(positions, new Shape(rows, promptLength)),
                    attention.get(step, new NDIndex(":, :{}", promptLength)), cache);
            return read(model.logits(hidden.get(new NDIndex(":, -1, :"))));   // (R, V)
        }
    }

    @Override
    public void keepRows(int[] slots, int count) {
        long[] keep = new long[count];
        for (int k = 0; k < count; k++) {
            keep[k] = slots[k];
        }
        try (NDManager step = scope.newSubManager()) {
            NDArray keepRows = step.create(keep);
            cache.selectRows(keepRows);
            NDArray kept = attention.get(new NDIndex("{}", keepRows));
            attention.close();
            attention = kept;
        }
    }

    @Override
    public NextTokens step(long[] ids, long[] positions, int live, int slot) {
        attention.set(new NDIndex().addAllDim().addIndices(slot), one);
        try (NDManager step = scope.newSubManager()) {
            NDArray hidden = model.hiddenStates(
                    step.create(Arrays.copyOf(ids, live), new Shape(live, 1)),
                    step.create(Arrays.copyOf(positions, live), new Shape(live, 1)),
                    attention.get(step, new NDIndex().addAllDim().addSliceDim(0, slot + 1)), cache);
            return read(model.logits(hidden.reshape(live, model.config().hiddenSize())));
        }
    }

    private NextTokens read(NDArray logits) {
        return argMaxOnDevice ? new NextTokens(null, logits.argMax(-1).toLongArray())
                : new NextTokens(logits.toFloatArray(), null);
    }

    @Override
    public void close() {
        scope.close();
    }
}
