/**
 * The training step every trainer shares: causal-LM loss over masked target tokens, gradient
 * accumulation, global-norm clipping, AdamW with a learning-rate schedule, and the trainer state a
 * checkpoint must hold (trainable weights, optimizer moments, step) to resume bit-exactly.
 * Orchestration (run directories, data order, logging) lives in the stage packages.
 */
package org.jalign.lm.train;
