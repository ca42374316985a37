/**
 * Benchmarks run from the CLI ({@code jalign bench ...}), never as timed unit tests. Every figure
 * is printed beside this machine's own fp32 matmul peak, measured in the same run, so numbers from
 * different machines can be compared as fractions of what the hardware can do.
 */
package org.jalign.bench;
