/**
 * Pretraining a fresh model from a config on a text corpus: the corpus becomes one token stream
 * (BOS document EOS, ...), each step trains on random windows of it, and the run is resumable.
 * The embedded demo uses it to make its own small policy, since nothing can be downloaded.
 */
package org.jalign.pretrain;
