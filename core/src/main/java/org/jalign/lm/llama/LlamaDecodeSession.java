package org.jalign.lm.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.jalign.lm.DecodeSession;
import org.jalign.lm.KvCache;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.kernel.ColumnOps;
import org.jalign.lm.kernel.MatMul;
import org.jalign.lm.kernel.Matrix;
import org.jalign.lm.kernel.PackedMatMul;
import org.jalign.lm.kernel.PackedMatrix;
import org.jalign.lm.kernel.Workers;

import java.util.List;

/**
 * Llama/Qwen2 decoding in plain Java on the Vector API: the prefill runs on DJL (one large batch
 * of matrix products), its cache is copied to the host once, and every decode step then runs on
 * preallocated float arrays with no JNI call and no allocation per step.
 *
 * <p>One step, for the live rows as columns of feature-major arrays (features × width, width =
 * rows padded to the vector length):
 * <ol>
 *   <li>gather the tokens' embedding rows, and each column's RoPE cos/sin for its position;</li>
 *   <li>per layer: RMSNorm; q|k|v = W_qkv·x (+ b); RoPE on q and k; k, v written into the cache at
 *       the step's slot and attention of each (row, key/value head) over its cached slots, spread
 *       over the threads; x += W_o·a;
 *       RMSNorm; gate|up = W_gu·x; x += W_down·(silu(gate)·up);</li>
 *   <li>final RMSNorm and the head: logits = W_head·x, handed to the sampler row-major.</li>
 * </ol>
 *
 * <p>Memory: the weights are read through {@link LlamaModel.KernelWeights} (views of the DJL
 * tensors). A session of more than {@link MatMul#FEW_COLUMNS} rows also copies the projection and
 * head matrices into {@link PackedMatrix} layout when they fit a quarter of the heap (about 1.5×
 * faster products; {@code -Djalign.decode.pack=false} turns it off), a copy made per session
 * because the weights may change between sessions (training). The session owns its float cache,
 * 2 · layers · rows · KV · capacity · hd floats, plus activations of a few × (features × width)
 * floats and the R × V logits.
 *
 * <p>Adapters: enabled LoRA adapters are applied as PEFT does, Δy = (α/r)·B·(A·x), with the same
 * thin kernel (two products of rank r per adapted projection), A and B read in place like the
 * weights; in training mode (random dropout) the model decodes on DJL instead.
 */
final class LlamaDecodeSession implements DecodeSession {
    private final LlamaModel model;
    private final LlamaModel.KernelWeights weights;
    private final List<LlamaModel.KernelAdapter>[][] adapters;   // [layer][q|k|v, o, gate|up, down]
    private final float loraScale;
    private final float[] low;                 // A·x of an adapter (r, width)
    private final float[] delta;               // B·(A·x) (out, width)
    private final Workers workers = Workers.shared();
    private final int capacity;
    private final int hidden;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int vocab;
    private final int inter;
    private final float eps;
    private final float scale;
    // the cache, per layer: keys [row][kv head][hd][slot] (transposed: see ColumnOps.attend),
    // values [row][kv head][slot][hd]
    private final float[][] keys;
    private final float[][] values;
    private final int[] firstSlot;            // per row: its first real slot (left padding before)
    private int length;                        // filled slots
    // activations, feature-major with the current width
    private final float[] x;
    private final float[] normed;
    private final float[] qkv;
    private final float[] attended;
    private final float[] gateUp;
    private final float[] activated;
    private final float[] logitsByFeature;
    private final float[] logits;              // (live, V), what the sampler reads
    private final float[] cos;
    private final float[] sin;
    private final ColumnOps.AttentionScratch[] scratch;
    private final float[] fewColumns;         // MatMul.multiplyFew's token-major copy of its input
    private int live;
    private final PackedMatrix[][] packed;   // [layer][q|k|v, o, gate|up, down], or null: read in place
    private final PackedMatrix packedHead;

    /** Setting that turns packing off: {@code -Djalign.decode.pack=false}. */
    static final String PACK_PROPERTY = "jalign.decode.pack";

    LlamaDecodeSession(LlamaModel model, LlamaModel.KernelWeights weights, List<LlamaModel.KernelAdapter>[][] adapters,
                       float loraScale, int rows, int capacity) {
        ModelConfig c = model.config();
        this.model = model;
        this.weights = weights;
        this.adapters = adapters;
        this.loraScale = loraScale;
        this.capacity = capacity;
        this.hidden = c.hiddenSize();
        this.heads = c.numHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        this.vocab = c.vocabSize();
        this.inter = c.intermediateSize();
        this.eps = (float) c.normEps();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        int width = MatMul.paddedWidth(rows);
        long cacheFloats = (long) rows * kvHeads * capacity * headDim;
        if (cacheFloats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a Java KV cache of " + rows + " rows x " + capacity
                    + " slots exceeds one array per layer; decode fewer rows at a time");
        }
        this.keys = new float[c.numLayers()][(int) cacheFloats];
        this.values = new float[c.numLayers()][(int) cacheFloats];
        this.firstSlot = new int[rows];
        this.x = new float[hidden * width];
        this.normed = new float[hidden * width];
        this.qkv = new float[(heads + 2 * kvHeads) * headDim * width];
        this.attended = new float[heads * headDim * width];
        this.gateUp = new float[2 * inter * width];
        this.activated = new float[inter * width];
        this.logitsByFeature = new float[vocab * width];
        this.logits = new float[rows * vocab];
        this.cos = new float[headDim / 2 * width];
        this.sin = new float[headDim / 2 * width];
        int rank = 0;
        int adaptedRows = 0;
        for (List<LlamaModel.KernelAdapter>[] layer : adapters) {
            for (List<LlamaModel.KernelAdapter> projection : layer) {
                for (LlamaModel.KernelAdapter a : projection) {
                    rank = Math.max(rank, a.a().rows());
                    adaptedRows = Math.max(adaptedRows, a.b().rows());
                }
            }
        }
        this.low = new float[rank * width];
        this.delta = new float[adaptedRows * width];
        this.fewColumns = new float[MatMul.FEW_COLUMNS * Math.max(Math.max(hidden, heads * headDim), inter)];
        this.scratch = new ColumnOps.AttentionScratch[workers.threads()];
        for (int t = 0; t < scratch.length; t++) {
            scratch[t] = new ColumnOps.AttentionScratch(headDim, capacity);
        }
        if (rows > MatMul.FEW_COLUMNS && packs(weights)) {
            this.packed = new PackedMatrix[weights.layers().length][];
            for (int l = 0; l < packed.length; l++) {
                LlamaModel.KernelLayer layer = weights.layers()[l];
                packed[l] = new PackedMatrix[] {PackedMatrix.pack(workers, layer.qkv()),
                    PackedMatrix.pack(workers, layer.out()), PackedMatrix.pack(workers, layer.gateUp()),
                    PackedMatrix.pack(workers, layer.down())};
            }
            this.packedHead = PackedMatrix.pack(workers, weights.head());
        } else {
            this.packed = null;
            this.packedHead = null;
        }
    }

    /** Whether to copy the matrices into packed layout: not turned off, and a quarter of the heap holds them. */
    private static boolean packs(LlamaModel.KernelWeights weights) {
        if ("false".equalsIgnoreCase(System.getProperty(PACK_PROPERTY))) {
            return false;
        }
        long floats = (long) weights.head().rows() * weights.head().columns();
        for (LlamaModel.KernelLayer layer : weights.layers()) {
            for (Matrix m : new Matrix[] {layer.qkv(), layer.out(), layer.gateUp(), layer.down()}) {
                floats += (long) m.rows() * m.columns();
            }
        }
        return floats * Float.BYTES <= Runtime.getRuntime().maxMemory() / 4;
    }

    @Override
    public NextTokens prefill(long[] ids, long[] positions, float[] mask, int promptLength) {
        int rows = ids.length / promptLength;
        for (int r = 0; r < rows; r++) {
            int first = 0;
            while (first < promptLength && mask[r * promptLength + first] == 0f) {
                first++;
            }
            firstSlot[r] = first;
        }
        try (NDManager scope = model.manager().newSubManager()) {
            KvCache cache = model.newCache(scope, rows, promptLength);
            NDArray hidden = model.hiddenStates(scope.create(ids, new Shape(rows, promptLength)),
                    scope.create(positions, new Shape(rows, promptLength)),
                    scope.create(mask, new Shape(rows, promptLength)), cache);
            float[] last = model.logits(hidden.get(new NDIndex(":, -1, :"))).toFloatArray();   // (R, V)
            System.arraycopy(last, 0, logits, 0, last.length);
            int block = promptLength * headDim;
            for (int layer = 0; layer < keys.length; layer++) {
                float[] k = cache.hostKeys(layer);   // (R, KV, P, hd)
                float[] v = cache.hostValues(layer);
                for (int rowHead = 0; rowHead < rows * kvHeads; rowHead++) {
                    int at = rowHead * capacity * headDim;
                    System.arraycopy(v, rowHead * block, values[layer], at, block);
                    for (int s = 0; s < promptLength; s++) {
                        for (int d = 0; d < headDim; d++) {
                            keys[layer][at + d * capacity + s] = k[rowHead * block + s * headDim + d];
                        }
                    }
                }
            }
        }
        length = promptLength;
        return new NextTokens(logits, null);
    }

    @Override
    public void keepRows(int[] slots, int count) {
        int block = kvHeads * capacity * headDim;
        for (int k = 0; k < count; k++) {
            int from = slots[k];
            if (from != k) {   // slots increase, so row k's old content is already moved or dropped
                for (int layer = 0; layer < keys.length; layer++) {
                    System.arraycopy(keys[layer], from * block, keys[layer], k * block, block);
                    System.arraycopy(values[layer], from * block, values[layer], k * block, block);
                }
                firstSlot[k] = firstSlot[from];
            }
        }
    }

    @Override
    public NextTokens step(long[] ids, long[] positions, int live, int slot) {
        if (slot != length || slot >= capacity) {
            throw new IllegalStateException("step writes slot " + slot + " but the cache holds " + length
                    + " of " + capacity);
        }
        int width = MatMul.paddedWidth(live);
        this.live = live;
        // 1. embeddings and each column's rotary angles (pad columns: token 0 at position 0)
        int half = headDim / 2;
        for (int b = 0; b < width; b++) {
            int token = b < live ? (int) ids[b] : 0;
            int position = b < live ? (int) positions[b] : 0;
            for (int i = 0; i < hidden; i++) {
                x[i * width + b] = weights.embedding().get(token, i);
            }
            for (int i = 0; i < half; i++) {
                cos[i * width + b] = weights.cos()[position * half + i];
                sin[i * width + b] = weights.sin()[position * half + i];
            }
        }
        // 2. the layers
        for (int l = 0; l < keys.length; l++) {
            LlamaModel.KernelLayer layer = weights.layers()[l];
            ColumnOps.rmsNorm(x, layer.inputNorm(), eps, normed, hidden, width);
            List<LlamaModel.KernelAdapter>[] lora = adapters[l];
            PackedMatrix[] copies = packed == null ? null : packed[l];
            project(layer.qkv(), copies == null ? null : copies[0], layer.qkvBias(), normed, qkv, width, false, lora[0]);
            ColumnOps.rope(qkv, 0, heads + kvHeads, headDim, cos, sin, width);
            float[] layerKeys = keys[l];
            float[] layerValues = values[l];
            int group = heads / kvHeads;
            workers.run(live * kvHeads, (chunk, worker) -> {
                int row = chunk / kvHeads;
                int kvHead = chunk % kvHeads;
                writeCache(layerKeys, layerValues, row, kvHead, width, slot);
                ColumnOps.attend(qkv, width, row, kvHead * group, group, headDim, layerKeys, layerValues,
                        (row * kvHeads + kvHead) * capacity * headDim, capacity, firstSlot[row], slot, scale, attended,
                        scratch[worker]);
            });
            project(layer.out(), copies == null ? null : copies[1], layer.outBias(), attended, x, width, true, lora[1]);
            ColumnOps.rmsNorm(x, layer.postNorm(), eps, normed, hidden, width);
            project(layer.gateUp(), copies == null ? null : copies[2], layer.gateUpBias(), normed, gateUp, width, false,
                    lora[2]);
            ColumnOps.siluGate(gateUp, inter, activated, width);
            project(layer.down(), copies == null ? null : copies[3], layer.downBias(), activated, x, width, true, lora[3]);
        }
        length = slot + 1;
        // 3. final norm, head, and the logits transposed to (live, V) for the sampler
        ColumnOps.rmsNorm(x, weights.finalNorm(), eps, normed, hidden, width);
        project(weights.head(), packedHead, null, normed, logitsByFeature, width, false, List.of());
        for (int v = 0; v < vocab; v++) {
            int at = v * width;
            for (int b = 0; b < live; b++) {
                logits[b * vocab + v] = logitsByFeature[at + b];
            }
        }
        return new NextTokens(logits, null);
    }

    /**
     * y (+)= W·x (+ b), then each adapter's scale·B·(A·x) added into its rows (the order of
     * LlamaModel.withAdapters). W is read from its packed copy when there is one and the batch takes
     * the broadcast kernel.
     */
    private void project(Matrix w, PackedMatrix packedW, Matrix bias, float[] in, float[] out, int width,
                         boolean accumulate, List<LlamaModel.KernelAdapter> lora) {
        if (packedW != null && live > MatMul.FEW_COLUMNS) {
            PackedMatMul.multiply(workers, packedW, bias, in, out, width, accumulate);
        } else {
            multiply(w, bias, in, out, width, accumulate);
        }
        for (LlamaModel.KernelAdapter adapter : lora) {
            multiply(adapter.a(), null, in, low, width, false);
            int lowFloats = adapter.a().rows() * width;
            for (int i = 0; i < lowFloats; i++) {
                low[i] *= loraScale;
            }
            multiply(adapter.b(), null, low, delta, width, false);
            int from = adapter.rowOffset() * width;
            int count = adapter.b().rows() * width;
            for (int i = 0; i < count; i++) {
                out[from + i] += delta[i];
            }
        }
    }

    /** y (+)= A·x (+ b) for this step's live columns: the dot-product kernel for one or two, else the broadcast one. */
    private void multiply(Matrix a, Matrix bias, float[] in, float[] out, int width, boolean accumulate) {
        if (live <= MatMul.FEW_COLUMNS) {
            MatMul.multiplyFew(workers, a, bias, in, out, width, live, accumulate, fewColumns);
        } else {
            MatMul.multiply(workers, a, bias, in, out, width, accumulate);
        }
    }

    /** Copies the step's key and value (after RoPE) of one row and key/value head into its cache slot. */
    private void writeCache(float[] layerKeys, float[] layerValues, int row, int kvHead, int width, int slot) {
        int keyRow = (heads + kvHead) * headDim;
        int valueRow = (heads + kvHeads + kvHead) * headDim;
        int at = (row * kvHeads + kvHead) * capacity * headDim;
        for (int d = 0; d < headDim; d++) {
            layerKeys[at + d * capacity + slot] = qkv[(keyRow + d) * width + row];
            layerValues[at + slot * headDim + d] = qkv[(valueRow + d) * width + row];
        }
    }

    @Override
    public void close() {
        // plain Java arrays: nothing to release
    }
}
