/**
 * In-memory connections and transports with fault injection: for tests on a virtual clock, and
 * for running the library without a network.
 */
@NullMarked
package dev.heartbeat.local;

import org.jspecify.annotations.NullMarked;
