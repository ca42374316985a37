package org.jalign.feedback;

/**
 * What a pair with a flagged (nonsensical, unrankable) completion means. Two flagged completions
 * are never compared under either policy: neither is known to be better.
 */
public enum FlagPolicy {
    /** A flagged completion loses to every ranked one (the default: flags are strong "worst" votes). */
    LOSES_TO_RANKED,
    /** Pairs with a flagged completion carry no judgement (use when flags mean "could not judge"). */
    DROPPED
}
