package io.vigil.evaluation;

/** What evaluation emits: alert transitions, and for outlier rules the messages the peer-group stage needs. */
public sealed interface EvaluationOutput permits AlertTransition, PeerValues, PeerBundle, PeerProgress {
}
