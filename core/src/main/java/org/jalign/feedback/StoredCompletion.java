package org.jalign.feedback;

/**
 * One of a prompt's completions as stored, for export and reports; labelers see only
 * {@link StoredAssignment.ShownCompletion}, without position, model or sampling settings.
 *
 * @param position     0..N−1, the order the completions were generated or imported in
 * @param modelId      the model that wrote it, null when unknown
 * @param samplingJson the sampling settings as a JSON object, null when unknown
 */
public record StoredCompletion(long id, long promptId, int position, String text, String modelId,
                               String samplingJson) {
}
