package io.vigil.evaluation;

/** How many of a task's alerts are pending and how many firing. */
record AlertCounts(long pending, long firing) {
}
