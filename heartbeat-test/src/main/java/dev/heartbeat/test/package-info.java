/** The transport conformance suite and real-socket test helpers. */
@NullMarked
package dev.heartbeat.test;

import org.jspecify.annotations.NullMarked;
