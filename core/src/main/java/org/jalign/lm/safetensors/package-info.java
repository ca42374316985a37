/**
 * Reading and writing Hugging Face safetensors checkpoints without going through DJL.
 *
 * <p>Why our own: DJL 0.36's safetensors path aborts the JVM on BF16 tensors, drops
 * {@code __metadata__}, and funnels the whole file through one {@code byte[]} (so nothing
 * over 2 GB). Real checkpoints are BF16/F16/F32 and often sharded.
 *
 * <p>The format (<a href="https://github.com/huggingface/safetensors">huggingface/safetensors</a>):
 * an 8-byte little-endian u64 {@code N}, then {@code N} bytes of UTF-8 JSON mapping each tensor
 * name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to byte
 * {@code 8 + N}) plus an optional {@code "__metadata__"} string→string map, then the raw
 * little-endian tensor bytes.
 *
 * <ul>
 *   <li>{@link org.jalign.lm.safetensors.SafetensorsFile} memory-maps one file, one tensor region
 *       at a time (each region under 2 GB, the file may be larger), after validating the whole
 *       header: a truncated or corrupt file fails with an {@link java.io.IOException} naming the
 *       file, the tensor and what was expected, and never reads out of bounds.</li>
 *   <li>{@link org.jalign.lm.safetensors.Checkpoint} opens a model directory: a single
 *       {@code model.safetensors} or shards listed in {@code model.safetensors.index.json}.</li>
 *   <li>{@link org.jalign.lm.safetensors.SafetensorsWriter} writes F32/F16/BF16 files atomically
 *       (temp file, fsync, atomic rename), single or sharded with an index.</li>
 * </ul>
 *
 * <p>All values are converted to/from float32 here because the model computes in float32
 * (DJL's BF16 arrays crash; its F16 CPU matmul is ~170× slower).
 */
package org.jalign.lm.safetensors;
