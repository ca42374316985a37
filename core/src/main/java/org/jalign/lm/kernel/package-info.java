/**
 * Plain-Java decode kernels on the Vector API ({@code jdk.incubator.vector}): the thin matrix
 * product of batched decoding ({@link org.jalign.lm.kernel.MatMul}), the per-token operations
 * around it ({@link org.jalign.lm.kernel.ColumnOps}: RMSNorm, rotary embeddings, SiLU gate,
 * attention over a float cache) and the small thread pool that runs them
 * ({@link org.jalign.lm.kernel.Workers}).
 *
 * <p>Why not DJL for decoding: a decode step of a small model is ~430 tiny tensor ops at 10–20 µs
 * of JNI and dispatch each, plus matrix products that MKL runs at under half its peak because the
 * batch is only a few columns wide. Here a step is a few dozen loops over preallocated arrays,
 * no per-op crossing, and one weight pass per product.
 *
 * <p>Layout: activations are feature-major (features × batch columns, the column count padded to
 * the vector length) as in {@code lm.llama}; weights are Hugging Face's [out, in] rows read through
 * {@link org.jalign.lm.kernel.Matrix}, a ByteBuffer that can alias a DJL tensor's storage, or
 * copied once per decode session into {@link org.jalign.lm.kernel.PackedMatrix}'s interleaved heap
 * layout for {@link org.jalign.lm.kernel.PackedMatMul}, which reads it about 1.5× faster.
 *
 * <p>Dependencies: none inside jalign; the model families build on it.
 */
package org.jalign.lm.kernel;
