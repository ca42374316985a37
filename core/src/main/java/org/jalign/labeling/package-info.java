/**
 * The labeling web app ({@code jalign feedback serve}): labelers sign in with a one-time invite,
 * rank a prompt's completions best to worst (keyboard 1..N or drag and drop, ties, a flag for
 * nonsense, skip, comment) or rate a single completion thumbs up/down, and admins invite labelers,
 * version the instructions and read the agreement report.
 *
 * <p>Everything is stored through {@link org.jalign.feedback.FeedbackStore} (SQLite, WAL,
 * synchronous=FULL), so a label the browser saw acknowledged survives a kill -9 of the server.
 *
 * <p>Security, each piece in its own class: {@link org.jalign.labeling.RequestGuard} (Host and
 * Origin checks, session cookie, CSRF token, roles, security headers),
 * {@link org.jalign.labeling.SignInThrottle} (sign-in rate limit). The page renders all model text
 * with {@code textContent}, never as HTML, under a strict Content-Security-Policy.
 */
package org.jalign.labeling;
