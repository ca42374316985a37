/**
 * Running things: for now the progress bar every long command draws on stderr.
 *
 * <p>Run manifests, metrics and checkpoints (see STYLE.md, "Runs") will live here too.
 */
package org.jalign.run;
