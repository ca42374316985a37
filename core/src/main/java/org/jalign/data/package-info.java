/**
 * Data on disk: JSONL (one JSON object a line) read with located errors and written atomically.
 *
 * <p>Every stage reads and writes JSONL through {@link org.jalign.data.JsonlReader} and
 * {@link org.jalign.data.JsonlWriter}, so every malformed input fails the same way: an
 * {@link org.jalign.data.DataFormatException} whose message names the file, the line and the
 * field, and says what was expected. {@link org.jalign.data.JsonlFields} holds the typed field
 * accessors commands use to validate a whole file before any model work starts.
 *
 * <p>Depends on Gson only; knows nothing about models.
 */
package org.jalign.data;
